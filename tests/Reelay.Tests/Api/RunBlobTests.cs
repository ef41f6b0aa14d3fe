using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Api;

/// <summary>The RunBlob surface through plain HTTP, including every example of the spec and the seed document.</summary>
public class RunBlobTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly ReelayApi _api = fixture.Api;

    private async Task<(int Status, JsonElement Body, HttpResponseMessage Response)> CallAsync(HttpMethod method, string path, string? key, object? body = null, string? simulate = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(_api.BaseUrl, path));
        if (key is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (body is not null) request.Content = JsonContent.Create(body);
        if (simulate is not null) request.Headers.Add("X-Reelay-Simulate", simulate);
        var response = await ReelayApi.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone(), response);
    }

    private async Task<JsonElement> WaitAsync(string key, string id, Func<string, bool> until)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var (status, body, _) = await CallAsync(HttpMethod.Get, $"/v1/sora/generations/{id}/", key);
            Assert.Equal(200, status);
            if (until(body.GetProperty("status").GetString()!)) return body;
            Assert.True(DateTime.UtcNow < deadline, $"generation {id} stuck: {body}");
            await Task.Delay(250);
        }
    }

    [Fact]
    public async Task The_seeds_check_balance_before_generation_flow_works_end_to_end()
    {
        var tenant = await _api.NewTenantAsync(credits: 10_000);
        var (_, balance, _) = await CallAsync(HttpMethod.Get, "/v1/data/balance", tenant.Key);
        Assert.Equal("100.0000", balance.GetProperty("balance").GetString());
        Assert.True(double.Parse(balance.GetProperty("balance").GetString()!, CultureInfo.InvariantCulture) >= 0.12);

        var (status, created, response) = await CallAsync(HttpMethod.Post, "/v1/sora/generate", tenant.Key, new { prompt = "a red fox in snow", orientation = "9:16", duration = 10 });
        Assert.Equal(201, status);
        Assert.Equal("pending", created.GetProperty("status").GetString());
        Assert.Equal("0.1200", created.GetProperty("price").GetString());
        var id = created.GetProperty("generation_id").GetString()!;
        Assert.Equal("99.8800", (await CallAsync(HttpMethod.Get, "/v1/data/balance", tenant.Key)).Body.GetProperty("balance").GetString());

        var done = await WaitAsync(tenant.Key, id, s => s is "completed" or "failed");
        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$", done.GetProperty("created_at").GetString());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$", done.GetProperty("completed_at").GetString());
        Assert.Equal(JsonValueKind.Null, done.GetProperty("progress_pct").ValueKind);
        Assert.Equal(JsonValueKind.Null, done.GetProperty("progress_pos_in_queue").ValueKind);
        Assert.Equal(JsonValueKind.Null, done.GetProperty("error_message").ValueKind);
        Assert.Equal("a red fox in snow", done.GetProperty("prompt").GetString());

        var file = Path.Combine(TestPaths.NewTempDirectory("reelay-rb"), "out.mp4");
        await File.WriteAllBytesAsync(file, await ReelayApi.DownloadAsync(done.GetProperty("video_url").GetString()!));
        var facts = Media.Probe(file);
        Assert.Equal((720, 1280, "h264"), (facts.Width, facts.Height, facts.Codec));
        Assert.InRange(facts.Duration, 9.9, 10.1);
        // The same task on the other surface.
        Assert.Equal("SUCCEEDED", (await _api.GetTaskAsync(tenant.Key, id)).Body.GetProperty("status").GetString());
    }

    [Fact]
    public async Task The_seeds_invalid_image_input_flow_gets_400s_with_the_asset_reasons()
    {
        var tenant = await _api.NewTenantAsync();
        var both = await CallAsync(HttpMethod.Post, "/v1/sora/generate", tenant.Key, new { prompt = "x", image_base64 = "AAAA", image_url = "https://example.com/a.png" });
        Assert.Equal((400, "Cannot provide both image_base64 and image_url"), (both.Status, both.Body.GetProperty("detail").GetString()));
        var garbage = await CallAsync(HttpMethod.Post, "/v1/sora/generate", tenant.Key, new { prompt = "x", image_base64 = Convert.ToBase64String(new byte[600]) });
        Assert.Equal(400, garbage.Status);
        Assert.StartsWith("Invalid asset.", garbage.Body.GetProperty("detail").GetString());
        var http = await CallAsync(HttpMethod.Post, "/v1/sora/generate", tenant.Key, new { prompt = "x", image_url = "http://example.com/a.png" });
        Assert.Equal((400, "Only HTTPS URLs are allowed."), (http.Status, http.Body.GetProperty("detail").GetString()));
        var tall = await CallAsync(HttpMethod.Post, "/v1/sora/generate", tenant.Key, new { prompt = "x", image_base64 = Convert.ToBase64String(Media.Image(120, 260)) });
        Assert.Equal("Invalid asset aspect ratio. width / height ratio must be between 0.5 and 2. Got 0.462.", tall.Body.GetProperty("detail").GetString());
        var ok = await CallAsync(HttpMethod.Post, "/v1/sora/generate", tenant.Key, new { prompt = "x", orientation = "16:9", image_base64 = Convert.ToBase64String(Media.Image(640, 360, "jpg")) });
        Assert.Equal(201, ok.Status);
    }

    [Fact]
    public async Task The_seeds_failed_generation_flow_reads_the_photorealistic_people_message()
    {
        var tenant = await _api.NewTenantAsync();
        var (_, created, _) = await CallAsync(HttpMethod.Post, "/v1/sora/generate", tenant.Key,
            new { prompt = "x", image_base64 = Convert.ToBase64String(Media.Image(640, 360)) }, simulate: "fail=SAFETY.INPUT.IMAGE");
        var failed = await WaitAsync(tenant.Key, created.GetProperty("generation_id").GetString()!, s => s is "completed" or "failed");
        Assert.Equal("failed", failed.GetProperty("status").GetString());
        Assert.Equal("Image contains photorealistic people. Please try with a different image.", failed.GetProperty("error_message").GetString());
        Assert.Contains("photorealistic people", failed.GetProperty("error_message").GetString());
        Assert.Equal(JsonValueKind.Null, failed.GetProperty("video_url").ValueKind);
        Assert.NotEqual(JsonValueKind.Null, failed.GetProperty("completed_at").ValueKind);
    }

    [Fact]
    public async Task Errors_have_the_documented_statuses_and_detail_bodies()
    {
        var tenant = await _api.NewTenantAsync(credits: 5);
        var missing = await CallAsync(HttpMethod.Get, "/v1/data/balance", null);
        Assert.Equal((401, "Missing credentials"), (missing.Status, missing.Body.GetProperty("detail").GetString()));
        var wrong = await CallAsync(HttpMethod.Get, "/v1/data/balance", "key_" + new string('0', 128));
        Assert.Equal(401, wrong.Status);
        Assert.NotNull(wrong.Body.GetProperty("detail").GetString());
        var poor = await CallAsync(HttpMethod.Post, "/v1/sora/generate", tenant.Key, new { prompt = "x" });
        Assert.Equal((402, "INSUFFICIENT_CREDITS"), (poor.Status, poor.Body.GetProperty("detail").GetString()));
        foreach (var id in new[] { Guid.NewGuid().ToString(), "not-a-uuid" })
        {
            var nf = await CallAsync(HttpMethod.Get, $"/v1/sora/generations/{id}/", tenant.Key);
            Assert.Equal((404, "Generation not found"), (nf.Status, nf.Body.GetProperty("detail").GetString()));
        }
        // A version header belongs to the other surface: not needed, not checked here.
        Assert.Equal(200, (await CallAsync(HttpMethod.Get, "/v1/data/balance", tenant.Key)).Status);
    }

    [Fact]
    public async Task Validation_errors_are_pydantic_422_arrays()
    {
        var tenant = await _api.NewTenantAsync();
        async Task<JsonElement> DetailAsync(object body)
        {
            var (status, reply, _) = await CallAsync(HttpMethod.Post, "/v1/sora/generate", tenant.Key, body);
            Assert.Equal(422, status);
            return reply.GetProperty("detail")[0];
        }
        var missing = await DetailAsync(new { orientation = "9:16" });
        Assert.Equal(("missing", "[\"body\",\"prompt\"]", "Field required"), (missing.GetProperty("type").GetString(), missing.GetProperty("loc").GetRawText(), missing.GetProperty("msg").GetString()));
        var empty = await DetailAsync(new { prompt = "" });
        Assert.Equal(("string_too_short", "String should have at least 1 character"), (empty.GetProperty("type").GetString(), empty.GetProperty("msg").GetString()));
        var orientation = await DetailAsync(new { prompt = "x", orientation = "4:3" });
        Assert.Equal(("enum", "Input should be '9:16' or '16:9'"), (orientation.GetProperty("type").GetString(), orientation.GetProperty("msg").GetString()));
        var duration = await DetailAsync(new { prompt = "x", duration = 5 });
        Assert.Equal(("enum", "[\"body\",\"duration\"]", "Input should be 10 or 15", 5), (duration.GetProperty("type").GetString(), duration.GetProperty("loc").GetRawText(), duration.GetProperty("msg").GetString(), duration.GetProperty("input").GetInt32()));
        var (listStatus, list, _) = await CallAsync(HttpMethod.Get, "/v1/sora/generations?limit=500", tenant.Key);
        Assert.Equal(422, listStatus);
        Assert.Equal("[\"query\",\"limit\"]", list.GetProperty("detail")[0].GetProperty("loc").GetRawText());
    }

    [Fact]
    public async Task Pending_generations_report_their_real_position_and_processing_ones_their_progress()
    {
        var tenant = await _api.NewTenantAsync();
        await _api.AdminAsync(HttpMethod.Put, $"/admin/v1/organizations/{tenant.OrgId}/limits", new { models = new Dictionary<string, object> { ["sora-2"] = new { maxConcurrentGenerations = 1 } } });
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
            ids.Add((await CallAsync(HttpMethod.Post, "/v1/sora/generate", tenant.Key, new { prompt = $"clip {i}" }, simulate: "delay=4")).Body.GetProperty("generation_id").GetString()!);
        var running = await WaitAsync(tenant.Key, ids[0], s => s == "processing");
        await Task.Delay(1200);
        running = (await CallAsync(HttpMethod.Get, $"/v1/sora/generations/{ids[0]}", tenant.Key)).Body;
        Assert.InRange(running.GetProperty("progress_pct").GetInt32(), 1, 100);
        Assert.Equal(JsonValueKind.Null, running.GetProperty("progress_pos_in_queue").ValueKind);
        var second = (await CallAsync(HttpMethod.Get, $"/v1/sora/generations/{ids[1]}/", tenant.Key)).Body;
        var third = (await CallAsync(HttpMethod.Get, $"/v1/sora/generations/{ids[2]}", tenant.Key)).Body;
        Assert.Equal(("pending", 1, "pending", 2), (second.GetProperty("status").GetString(), second.GetProperty("progress_pos_in_queue").GetInt32(), third.GetProperty("status").GetString(), third.GetProperty("progress_pos_in_queue").GetInt32()));
        Assert.Equal(JsonValueKind.Null, second.GetProperty("progress_pct").ValueKind);

        var (_, page, _) = await CallAsync(HttpMethod.Get, "/v1/sora/generations?limit=2&offset=0", tenant.Key);
        Assert.Equal([ids[2], ids[1]], page.EnumerateArray().Select(g => g.GetProperty("generation_id").GetString()!).ToList());
        var (_, next, _) = await CallAsync(HttpMethod.Get, "/v1/sora/generations?limit=2&offset=2", tenant.Key);
        Assert.Equal([ids[0]], next.EnumerateArray().Select(g => g.GetProperty("generation_id").GetString()!).ToList());
        foreach (var id in ids) await _api.DeleteTaskAsync(tenant.Key, id);
        // Cancelled through the Runway surface's DELETE, which also deletes: gone on this surface too.
        var (status, cancelled, _) = await CallAsync(HttpMethod.Get, $"/v1/sora/generations/{ids[2]}", tenant.Key);
        Assert.Equal((404, "Generation not found"), (status, cancelled.GetProperty("detail").GetString()));
    }

    [Fact]
    public async Task The_daily_cap_is_a_429_with_retry_after_on_this_surface_too()
    {
        var tenant = await _api.NewTenantAsync();
        await _api.AdminAsync(HttpMethod.Put, $"/admin/v1/organizations/{tenant.OrgId}/limits", new { models = new Dictionary<string, object> { ["sora-2"] = new { maxDailyGenerations = 1 } } });
        Assert.Equal(201, (await CallAsync(HttpMethod.Post, "/v1/sora/generate", tenant.Key, new { prompt = "x" }, simulate: "fail=INTERNAL")).Status);
        var (status, body, response) = await CallAsync(HttpMethod.Post, "/v1/sora/generate", tenant.Key, new { prompt = "x" });
        Assert.Equal(429, status);
        Assert.NotNull(body.GetProperty("detail").GetString());
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero);
    }

    [Fact]
    public async Task A_callback_url_whose_host_is_longer_than_dns_allows_is_a_400_invalid_url()
    {
        var tenant = await _api.NewTenantAsync();
        // Five 60-letter labels: each label is legal, the 310-character name is not (253 at most); Dns used to throw on it.
        var host = string.Join(".", Enumerable.Repeat(new string('a', 60), 5)) + ".com";
        var (status, body, _) = await CallAsync(HttpMethod.Post, "/v1/sora/generate", tenant.Key,
            new { prompt = "a red fox in snow", orientation = "16:9", duration = 10, callback_url = $"https://{host}/hook" });
        Assert.Equal(400, status);
        Assert.Equal("callback_url: Invalid URL", body.GetProperty("detail").GetString());
    }
}
