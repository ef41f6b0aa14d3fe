using System.Text.Json;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Router;

/// <summary>
/// POST /v1/generate/{audio,video} on a real server with the default catalog's router configs: the SDK's answer
/// shape, a config that leaves a model out, a model passed over at its concurrency limit, and a price ceiling that
/// refuses.
/// </summary>
public class RouterEndpointTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly ReelayApi _api = fixture.Api;

    private static object Speech(string config, string preset = "Noah") =>
        new { configId = config, input = new { type = "speech", promptText = "The router picked me.", voice = new { type = "preset", presetId = preset } } };

    [Fact]
    public async Task The_official_sdk_routes_speech_and_waits_for_an_audio_output()
    {
        var tenant = await _api.NewTenantAsync();
        var env = new Dictionary<string, string>
        {
            ["REELAY_BASE_URL"] = fixture.Server.BaseUrl.ToString().TrimEnd('/'),
            ["REELAY_API_KEY"] = tenant.Key,
            ["REELAY_ROUTER_KIND"] = "audio",
            ["REELAY_ROUTER_BODY"] = JsonSerializer.Serialize(Speech("audio-default")),
        };
        var line = (await SdkScenario.RunScriptAsync("router-sdk.mjs", env, TimeSpan.FromMinutes(4))).Trim().Split('\n').Last();
        using var result = JsonDocument.Parse(line);
        var routing = result.RootElement.GetProperty("created").GetProperty("routing");
        Assert.Equal("audio-default", routing.GetProperty("configId").GetString());
        Assert.Equal("eleven_v3", routing.GetProperty("model").GetString());
        Assert.Equal("elevenlabs", routing.GetProperty("provider").GetString());
        Assert.Equal("""{"type":"speech","voice":"preset"}""", routing.GetProperty("resolvedInput").GetRawText());
        Assert.Equal("""{"optimizeFor":"quality","priceCeiling":null}""", routing.GetProperty("resolvedSettings").GetRawText());
        Assert.False(routing.TryGetProperty("capacityFallback", out _), "capacity did not affect this request");
        Assert.False(result.RootElement.GetProperty("created").TryGetProperty("estimatedCost", out _), "the router answer has no top-level estimatedCost");
        var task = result.RootElement.GetProperty("task");
        Assert.Equal("SUCCEEDED", task.GetProperty("status").GetString());
        var audio = await ReelayApi.DownloadAsync(task.GetProperty("output")[0].GetString()!);
        Assert.Equal("ID3"u8.ToArray(), audio[..3]); // MP3, the default container
    }

    [Fact]
    public async Task A_config_that_leaves_out_eleven_v3_routes_a_preset_voice_to_eleven_multilingual_v2()
    {
        var tenant = await _api.NewTenantAsync();
        var reply = await _api.PostAsync("/v1/generate/audio", tenant.Key, Speech("audio-budget"));
        Assert.True(reply.Status == 200, reply.Body.ToString());
        var routing = reply.Body.GetProperty("routing");
        Assert.Equal("eleven_multilingual_v2", routing.GetProperty("model").GetString());
        Assert.Equal("""{"optimizeFor":"cost","priceCeiling":2}""", routing.GetProperty("resolvedSettings").GetRawText());
        var task = await _api.GetTaskAsync(tenant.Key, reply.Body.GetProperty("id").GetString()!);
        Assert.Equal(200, task.Status);
    }

    [Fact]
    public async Task A_model_at_its_concurrency_limit_is_skipped_and_named_in_the_capacity_fallback()
    {
        var tenant = await _api.NewTenantAsync();
        await _api.AdminAsync(HttpMethod.Put, $"/admin/v1/organizations/{tenant.OrgId}/limits",
            new { models = new Dictionary<string, object> { ["eleven_v3"] = new { maxConcurrentGenerations = 1 } } });
        // One eleven_v3 task that stays RUNNING fills the organization's only slot for it.
        var busy = await _api.PostAsync("/v1/text_to_speech", tenant.Key,
            new { model = "eleven_v3", promptText = "busy", voice = new { type = "runway-preset", presetId = "Maya" } }, simulate: "delay=60");
        Assert.Equal(200, busy.Status);
        var reply = await _api.PostAsync("/v1/generate/audio", tenant.Key, Speech("audio-default"));
        Assert.True(reply.Status == 200, reply.Body.ToString());
        var routing = reply.Body.GetProperty("routing");
        Assert.Equal("eleven_multilingual_v2", routing.GetProperty("model").GetString());
        Assert.Equal("""{"allExhausted":false,"skipped":["eleven_v3"]}""", routing.GetProperty("capacityFallback").GetRawText());
        await _api.DeleteTaskAsync(tenant.Key, busy.Body.GetProperty("id").GetString()!);
    }

    [Fact]
    public async Task A_price_ceiling_below_every_eligible_model_refuses_with_a_400_naming_the_ceiling()
    {
        var tenant = await _api.NewTenantAsync();
        // 200 characters at 1 credit per 50 is 4 credits; audio-budget allows 2.
        var reply = await _api.PostAsync("/v1/generate/audio", tenant.Key,
            new { configId = "audio-budget", input = new { type = "speech", promptText = new string('a', 200), voice = new { type = "preset", presetId = "Noah" } } });
        Assert.Equal(400, reply.Status);
        var issue = Assert.Single(reply.Body.GetProperty("issues").EnumerateArray());
        Assert.Equal("""["input"]""", issue.GetProperty("path").GetRawText());
        Assert.Equal("No model of router config 'audio-budget' can run this request within its price ceiling of 2 credits (the cheapest, eleven_multilingual_v2, costs 4 credits).",
            issue.GetProperty("message").GetString());
        Assert.Equal(10_000, (await _api.SendAsync(HttpMethod.Get, "/v1/organization", tenant.Key)).Body.GetProperty("creditBalance").GetInt64());
    }

    [Fact]
    public async Task Options_no_model_of_the_config_takes_exclude_them_all_and_the_refusal_lists_why()
    {
        var tenant = await _api.NewTenantAsync();
        var reply = await _api.PostAsync("/v1/generate/audio", tenant.Key,
            new { configId = "audio-default", input = new { type = "speech", promptText = "hi", loop = true } });
        Assert.Equal(400, reply.Status);
        var message = reply.Body.GetProperty("issues")[0].GetProperty("message").GetString()!;
        Assert.StartsWith("No model of router config 'audio-default' supports this input: eleven_v3: ", message);
        Assert.Contains("eleven_text_to_sound_v2: does not serve /v1/text_to_speech", message);
    }

    [Fact]
    public async Task Unknown_configs_bad_shapes_and_bad_inputs_are_400s_with_paths()
    {
        var tenant = await _api.NewTenantAsync();
        var unknown = await _api.PostAsync("/v1/generate/audio", tenant.Key, new { configId = "video-default", input = new { type = "speech", promptText = "x" } });
        Assert.Equal(400, unknown.Status);
        Assert.Equal("No router config 'video-default' routes /v1/generate/audio. Configs: 'audio-default', 'audio-budget'.",
            unknown.Body.GetProperty("issues")[0].GetProperty("message").GetString());
        var shape = await _api.PostAsync("/v1/generate/audio", tenant.Key, new { input = 5, extra = true });
        Assert.Equal(400, shape.Status);
        var paths = shape.Body.GetProperty("issues").EnumerateArray().Select(i => i.GetProperty("path").GetRawText()).ToList();
        Assert.Equal(["[]", """["configId"]""", """["input"]"""], paths);
        var input = await _api.PostAsync("/v1/generate/audio", tenant.Key, new { configId = "audio-default", input = new { type = "song", promptText = "" } });
        Assert.Equal(400, input.Status);
        Assert.Equal(["""["input","promptText"]""", """["input","type"]"""],
            input.Body.GetProperty("issues").EnumerateArray().Select(i => i.GetProperty("path").GetRawText()).Order().ToList());
    }

    [Fact]
    public async Task An_asset_problem_of_the_chosen_model_names_the_router_input_field()
    {
        var tenant = await _api.NewTenantAsync();
        var reply = await _api.PostAsync("/v1/generate/audio", tenant.Key,
            new { configId = "audio-default", input = new { type = "audio", promptText = "rain", referenceAudios = new[] { new { uri = "data:audio/wav;base64,@@" } } } });
        Assert.Equal(400, reply.Status);
        var issue = Assert.Single(reply.Body.GetProperty("issues").EnumerateArray());
        Assert.Equal("""["input","referenceAudios",0,"uri"]""", issue.GetProperty("path").GetRawText());
        Assert.Equal("Invalid data URI.", issue.GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_video_request_is_routed_by_aspect_and_reports_the_resolved_ratio_and_duration()
    {
        var tenant = await _api.NewTenantAsync(credits: 100_000);
        var reply = await _api.PostAsync("/v1/generate/video", tenant.Key, new { configId = "video-default", input = new { promptText = "a cat", aspectRatio = "9:16", duration = 5 } });
        Assert.True(reply.Status == 200, reply.Body.ToString());
        var routing = reply.Body.GetProperty("routing");
        Assert.Equal("gen4.5", routing.GetProperty("model").GetString());
        Assert.Equal("""{"duration":5,"ratio":"720:1280","resolution":"720p"}""", routing.GetProperty("resolvedInput").GetRawText());
        var credits = routing.GetProperty("estimatedCost").GetProperty("credits").GetInt64();
        var task = await _api.WaitForAsync(tenant.Key, reply.Body.GetProperty("id").GetString()!, ReelayApi.IsTerminal, TimeSpan.FromMinutes(3));
        Assert.Equal("SUCCEEDED", task.GetProperty("status").GetString());
        Assert.Equal(credits, task.GetProperty("cost").GetProperty("credits").GetInt64());
        var file = Path.Combine(TestPaths.NewTempDirectory("router-video"), "out.mp4");
        File.WriteAllBytes(file, await ReelayApi.DownloadAsync(task.GetProperty("output")[0].GetString()!));
        var facts = Media.Probe(file);
        Assert.Equal((720, 1280), (facts.Width, facts.Height));
    }

    [Fact]
    public async Task An_image_request_with_a_seed_goes_to_gen4_image_the_one_model_of_the_config_that_takes_a_seed()
    {
        var tenant = await _api.NewTenantAsync();
        var reply = await _api.PostAsync("/v1/generate/image", tenant.Key,
            new { configId = "image-default", input = new { promptText = "a glass fox", aspectRatio = "16:9", seed = 42 } });
        Assert.True(reply.Status == 200, reply.Body.ToString());
        var routing = reply.Body.GetProperty("routing");
        Assert.Equal("gen4_image", routing.GetProperty("model").GetString());
        var resolved = routing.GetProperty("resolvedInput");
        Assert.Equal(("16:9", "1k"), (resolved.GetProperty("aspectRatio").GetString(), resolved.GetProperty("resolution").GetString()));
        var ratio = resolved.GetProperty("ratio").GetString()!.Split(':').Select(int.Parse).ToArray();
        Assert.InRange(ratio[0] / (double)ratio[1], 16 / 9.0 * 0.97, 16 / 9.0 * 1.03);
        var task = await _api.WaitForAsync(tenant.Key, reply.Body.GetProperty("id").GetString()!, ReelayApi.IsTerminal, TimeSpan.FromMinutes(3));
        Assert.Equal("SUCCEEDED", task.GetProperty("status").GetString());
        var png = await ReelayApi.DownloadAsync(task.GetProperty("output")[0].GetString()!);
        // PNG IHDR: width and height, big-endian, at bytes 16..23.
        Assert.Equal((ratio[0], ratio[1]), (System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20))));
    }

    [Fact]
    public async Task An_image_count_routes_only_to_models_that_make_that_many_and_is_priced_per_image()
    {
        var tenant = await _api.NewTenantAsync();
        var reply = await _api.PostAsync("/v1/generate/image", tenant.Key,
            new { configId = "image-default", input = new { promptText = "three foxes", outputCount = 3 } });
        Assert.True(reply.Status == 200, reply.Body.ToString());
        var model = reply.Body.GetProperty("routing").GetProperty("model").GetString()!;
        var catalog = Reelay.Server.Features.Catalog.ModelCatalog.Load(null);
        Assert.True(catalog.Find(model)!.Endpoints["text_to_image"].Fields.ContainsKey("outputCount"), $"{model} has no outputCount");
        var task = await _api.WaitForAsync(tenant.Key, reply.Body.GetProperty("id").GetString()!, ReelayApi.IsTerminal, TimeSpan.FromMinutes(3));
        Assert.Equal(3, task.GetProperty("output").GetArrayLength());
    }
}
