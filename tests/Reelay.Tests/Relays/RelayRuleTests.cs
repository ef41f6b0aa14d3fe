using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Reelay.Server.Features.Catalog;
using Reelay.Server.Features.Engines;
using Reelay.Server.Features.Relays;
using Reelay.Server.Features.RunBlob;
using Reelay.Server.Features.Tasks;

namespace Reelay.Tests.Relays;

/// <summary>The relay's pure decisions: the upstream body, the failure mapping, the settings and the catalog check.</summary>
public sealed class RelayRuleTests
{
    [Fact]
    public void The_upstream_body_is_the_stored_request_with_each_input_inlined_at_its_path_and_the_upstream_model()
    {
        var options = new JsonObject
        {
            ["promptText"] = "input:0",
            ["promptImage"] = new JsonArray(new JsonObject { ["uri"] = "input:0", ["position"] = "first" }, new JsonObject { ["uri"] = "input:1", ["position"] = "last" }),
            ["duration"] = 5,
        };
        var request = new GenerationRequest("image_to_video", "gen4.5", options,
            [new MediaInput(0, "image", "first", "promptImage.0.uri", "inputs/t/0.png", "image/png", 640, 360),
             new MediaInput(1, "image", "last", "promptImage.1.uri", "inputs/t/1.png", "image/png", 640, 360)],
            new OutputPlan("video", 1280, 720, 5, false, "mp4", null, 1));
        var body = UpstreamRequest.Body(request, "gen4.5-upstream", new Dictionary<int, string> { [0] = "data:image/png;base64,AA==", [1] = "data:image/png;base64,AQ==" });
        Assert.Equal("""{"model":"gen4.5-upstream","promptText":"input:0","promptImage":[{"uri":"data:image/png;base64,AA==","position":"first"},{"uri":"data:image/png;base64,AQ==","position":"last"}],"duration":5}""",
            body.ToJsonString());
        // The stored request is left as it was.
        Assert.Equal("input:0", options["promptImage"]![0]!["uri"]!.GetValue<string>());
    }

    [Fact]
    public void The_idempotency_key_is_the_same_for_every_lease_of_a_task() =>
        Assert.Equal(UpstreamRequest.IdempotencyKey("t1", "relay:up"), UpstreamRequest.IdempotencyKey("t1", "relay:up"));

    [Fact]
    public void Fail_and_delay_are_forwarded_to_the_upstream_and_throttle_is_not() =>
        Assert.Equal("fail=SAFETY.INPUT.TEXT,delay=2.5", UpstreamRequest.Simulate(new Simulation("SAFETY.INPUT.TEXT", 2.5, 10)));

    [Fact]
    public void Upstream_failures_pass_through_and_refusals_name_an_input_or_are_internal()
    {
        Assert.Equal(("SAFETY.INPUT.TEXT", "bad prompt"), RelayFailures.Failed("SAFETY.INPUT.TEXT", "bad prompt"));
        Assert.Equal("INTERNAL", RelayFailures.Failed("not a code", null).Code);
        Assert.Equal(("ASSET.INVALID", "Invalid asset"), RelayFailures.Refused(400, "Invalid asset", ["promptImage", "0", "uri"], ["promptImage.0.uri"]));
        Assert.Equal(("INTERNAL", "ratio is odd"), RelayFailures.Refused(400, "ratio is odd", ["ratio"], ["promptImage"]));
        Assert.DoesNotContain("key", RelayFailures.Refused(401, "Bad key key_123", [], []).Text);
        Assert.Equal("THIRD_PARTY.UNAVAILABLE", RelayFailures.Unavailable().Code);
    }

    [Fact]
    public void A_relay_settings_record_never_prints_its_key()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Relays:up:BaseUrl"] = "https://api.example.com", ["Relays:up:ApiKey"] = "key_secret_value", ["Relays:up:Models:gen4.5"] = "gen4.5-pro",
        }).Build();
        var relay = Assert.Single(RelayOptions.All(config));
        Assert.DoesNotContain("key_secret_value", relay.ToString());
        Assert.Equal(("gen4.5-pro", "gen4"), (relay.UpstreamModel("gen4.5"), relay.UpstreamModel("gen4")));
        Assert.Equal((4, 2.0, 300.0), (relay.MaxConcurrent, relay.PollInterval.TotalSeconds, relay.Timeout.TotalSeconds));
    }

    [Fact]
    public void The_catalog_refuses_a_relay_engine_that_names_no_configured_relay()
    {
        var file = JsonNode.Parse(File.ReadAllText(Path.Combine(Infrastructure.TestPaths.RepositoryRoot, "src/Reelay.Server/Features/Catalog/default-catalog.json")))!;
        foreach (var model in file["models"]!.AsArray())
            if ((string?)model!["id"] == "gen4.5") model["engine"] = "relay:main";
        Assert.Equal(["model 'gen4.5': engine 'relay:main' names the relay 'main', which is not configured (Relays:main:BaseUrl and its other settings)"],
            ModelCatalog.Parse(file, new HashSet<string> { "other" }).Problems);
        Assert.Empty(ModelCatalog.Parse(file, new HashSet<string> { "main" }).Problems);
    }
}

/// <summary>The pure decisions added with fallback, breaker, RunBlob dialect, uploads and margin.</summary>
public sealed class RelayChainRuleTests
{
    private static readonly string[] Chain = ["relay:a", "relay:b", "preview"];

    [Fact]
    public void A_task_goes_to_the_first_engine_whose_breaker_is_not_open_and_a_local_engine_is_never_skipped()
    {
        Assert.Equal("relay:a", RelayChain.Pick(Chain, _ => false));
        Assert.Equal("relay:b", RelayChain.Pick(Chain, e => e == "relay:a"));
        Assert.Equal("preview", RelayChain.Pick(Chain, e => e.StartsWith("relay:")));
        // Nothing left to fall back to: the first keeps trying to its deadline.
        Assert.Equal("relay:a", RelayChain.Pick(["relay:a", "relay:b"], _ => true));
    }

    [Fact]
    public void After_an_unavailable_engine_the_next_one_not_skipped_is_tried_and_the_last_relay_is_tried_even_when_open()
    {
        Assert.Equal("relay:b", RelayChain.Next(Chain, "relay:a", _ => false));
        Assert.Equal("preview", RelayChain.Next(Chain, "relay:a", e => e == "relay:b"));
        Assert.Equal("relay:b", RelayChain.Next(["relay:a", "relay:b"], "relay:a", _ => true));
        Assert.Null(RelayChain.Next(["relay:a", "relay:b"], "relay:b", _ => false));
        Assert.True(RelayChain.HasFallback(Chain, "relay:b"));
        Assert.False(RelayChain.HasFallback(Chain, "preview"));
    }

    [Fact]
    public void The_loop_of_the_picked_relay_claims_and_the_first_relay_claims_for_a_local_fallback()
    {
        Assert.True(RelayChain.Claims(Chain, "relay:a", _ => false));
        Assert.False(RelayChain.Claims(Chain, "relay:b", _ => false));
        Assert.True(RelayChain.Claims(Chain, "relay:b", e => e == "relay:a"));
        Assert.True(RelayChain.Claims(Chain, "relay:a", e => e.StartsWith("relay:")));
        Assert.False(RelayChain.Claims(Chain, "relay:b", e => e.StartsWith("relay:")));
    }

    [Fact]
    public void The_catalog_reads_an_engines_list_and_refuses_lists_it_cannot_serve()
    {
        var relays = new HashSet<string> { "a", "b" };
        Assert.Equal(["relay:a", "relay:b", "preview"], Read(new JsonArray("relay:a", "relay:b", "preview"), relays, out var problems).Engines);
        Assert.Empty(problems);
        Read(new JsonArray("preview", "relay:a"), relays, out problems);
        Assert.Contains("model 'gen4.5': engine 'preview' may only come last in \"engines\" (before it: relay:NAME engines to fall back from)", problems);
        Read(new JsonArray("relay:a", "pool:gpu"), relays, out problems);
        Assert.Contains("model 'gen4.5': a worker pool ('pool:gpu') serves a model alone, not as a fallback", problems);
        Read(new JsonArray("relay:a", "relay:a"), relays, out problems);
        Assert.Contains("model 'gen4.5': \"engines\" names an engine twice", problems);
        Read(new JsonArray("relay:a", "relay:c"), relays, out problems);
        Assert.Contains(problems, p => p.Contains("names the relay 'c', which is not configured"));
        Read(new JsonArray(), relays, out problems);
        Assert.Contains("model 'gen4.5': \"engines\" must list 1 to 8 engines in priority order", problems);
    }

    private static ModelDefinition Read(JsonArray engines, IReadOnlySet<string> relays, out List<string> problems)
    {
        var file = JsonNode.Parse(File.ReadAllText(Path.Combine(Infrastructure.TestPaths.RepositoryRoot, "src/Reelay.Server/Features/Catalog/default-catalog.json")))!;
        foreach (var model in file["models"]!.AsArray())
            if ((string?)model!["id"] == "gen4.5")
            {
                model.AsObject().Remove("engine");
                model["engines"] = engines;
            }
        var (models, found) = ModelCatalog.Parse(file, relays);
        problems = found;
        return models.Single(m => m.Id == "gen4.5");
    }

    [Fact]
    public void A_stored_sora_request_becomes_runblobs_body_and_its_answers_our_words()
    {
        var core = new JsonObject { ["promptText"] = "a fox", ["ratio"] = "1280:720", ["duration"] = 15, ["imageBase64"] = "data:image/png;base64,AAAA" };
        Assert.Equal("""{"prompt":"a fox","orientation":"16:9","duration":15,"image_base64":"AAAA","callback_url":"https://gw/cb"}""",
            RunBlobUpstream.Body("sora_generate", core, "https://gw/cb").ToJsonString());
        Assert.Equal("""{"prompt":"x","orientation":"9:16"}""", RunBlobUpstream.Body("sora_generate", new JsonObject { ["promptText"] = "x", ["ratio"] = "720:1280" }, null).ToJsonString());
        var veo = new JsonObject { ["model"] = "veo-3-fast", ["promptText"] = "a fox at dawn", ["ratio"] = "720:1280", ["seed"] = 7,
            ["startFrame"] = "data:image/png;base64,AA==", ["endFrame"] = "data:image/png;base64,AQ==", ["referenceImages"] = new JsonArray("data:image/jpeg;base64,Ag==") };
        Assert.Equal("""{"prompt":"a fox at dawn","model":"veo-3-fast","aspect_ratio":"9:16","seed":7,"start_frame":"AA==","end_frame":"AQ==","reference_images":["Ag=="]}""",
            RunBlobUpstream.Body("runblob_veo3", veo, null).ToJsonString());
        Assert.Equal(("failed", "SAFETY.INPUT.TEXT"), (RunBlobUpstream.ReadTask(JsonNode.Parse("""{"status":"failed","error":{"message":"UNSAFE_CONTENT"}}""")!.AsObject()) is var v ? (v.Status, v.FailureCode) : default));
        Assert.Equal(12, RunBlobUpstream.Credits("0.1200"));
        Assert.Null(RunBlobUpstream.Credits("free"));
        var done = RunBlobUpstream.ReadTask(JsonNode.Parse("""{"status":"completed","video_url":"https://up/v.mp4","progress_pct":null}""")!.AsObject());
        Assert.Equal(("succeeded", "https://up/v.mp4"), (done.Status, done.Outputs.Single()));
        var failed = RunBlobUpstream.ReadTask(JsonNode.Parse($$"""{"status":"failed","error_message":"{{Reelay.Server.Features.RunBlob.RunBlobMapping.PhotorealisticPeople}}"}""")!.AsObject());
        Assert.Equal(("failed", "SAFETY.INPUT.IMAGE"), (failed.Status, failed.FailureCode));
        Assert.Equal(0.4, RunBlobUpstream.ReadTask(JsonNode.Parse("""{"status":"processing","progress_pct":40}""")!.AsObject()).Progress, 3);
    }

    [Fact]
    public void Stored_kling_nano_banana_and_chatgpt_requests_become_their_familys_body_on_the_path_their_model_picks()
    {
        Assert.Equal(["kling", "kling/o1-video", "kling/o3-video", "kling/o3-photo", "gemini", "chatgpt-images"],
            new[] { ("runblob_kling_video", "kling_3"), ("runblob_kling_video", "kling_o1_video"), ("runblob_kling_video", "kling_o3_pro"),
                ("runblob_kling_image", "kling_o3_photo"), ("runblob_nano_banana", "nano_banana_2"), ("runblob_chatgpt_images", "chatgpt-2.5") }
            .Select(e => RunBlobBodies.Family(e.Item1, e.Item2).Path));
        Assert.Equal("v1/kling/generations/g1", RunBlobBodies.StatusPath(RunBlobBodies.Family("runblob_kling_video", "kling_3"), "g1"));
        Assert.Equal("""{"prompt":"x","model":"kling_2.6","duration":"10","aspect_ratio":"1:1"}""",
            RunBlobUpstream.Body("runblob_kling_video", new JsonObject { ["model"] = "kling_2.6", ["promptText"] = "x", ["duration"] = 10, ["ratio"] = "1:1" }, null).ToJsonString());
        Assert.Equal("""{"prompt":"x","model":"kling_3","duration":12}""",
            RunBlobUpstream.Body("runblob_kling_video", new JsonObject { ["model"] = "kling_3", ["promptText"] = "x", ["duration"] = 12 }, null).ToJsonString());
        Assert.Equal("""{"prompt":"x","duration":"5","aspect_ratio":"9:16","images_base64":["AA==","AQ=="],"keep_original_sound":false}""",
            RunBlobUpstream.Body("runblob_kling_video", new JsonObject { ["model"] = "kling_o1_video", ["promptText"] = "x", ["duration"] = 5, ["ratio"] = "9:16",
                ["imagesUrls"] = new JsonArray("data:image/png;base64,AA=="), ["imagesBase64"] = new JsonArray("AQ=="), ["keepOriginalSound"] = false }, null).ToJsonString());
        Assert.Equal("""{"prompt":"x","model":"pro","quality":"4k","aspect_ratio":"16:9","images":["data:image/png;base64,AA=="],"callback_url":"https://gw/cb"}""",
            RunBlobUpstream.Body("runblob_nano_banana", new JsonObject { ["model"] = "nano_banana_pro", ["promptText"] = "x", ["resolution"] = "4k", ["ratio"] = "16:9",
                ["imagesUrl"] = new JsonArray("data:image/png;base64,AA==") }, "https://gw/cb").ToJsonString());
        Assert.Equal("standard", RunBlobUpstream.Body("runblob_nano_banana", new JsonObject { ["model"] = "nano_banana", ["promptText"] = "x", ["resolution"] = "1k" }, null)["quality"]!.ToString());
        var image = RunBlobUpstream.ReadTask(JsonNode.Parse("""{"task_uuid":"t","status":"completed","result_image_url":"https://up/i.png","message":null}""")!.AsObject(), FailureCodes.Generic);
        Assert.Equal(("succeeded", "https://up/i.png", null), (image.Status, image.Outputs.Single(), image.FailureCode));
        var kling = RunBlobUpstream.ReadTask(JsonNode.Parse("""{"status":"failed","image_url":null,"message":"CONTENT_POLICY_VIOLATION"}""")!.AsObject(), FailureCodes.Kling);
        Assert.Equal(("failed", "SAFETY.INPUT.TEXT", "CONTENT_POLICY_VIOLATION"), (kling.Status, kling.FailureCode, kling.Failure));
        Assert.Equal("ASSET.INVALID", RunBlobUpstream.FailureCode("IMAGE_INACCESSIBLE", FailureCodes.Kling));
        Assert.Equal("INTERNAL", RunBlobUpstream.FailureCode("TIMEOUT", FailureCodes.Kling));
    }

    [Fact]
    public void Inputs_above_the_threshold_are_uploaded_when_the_dialect_can()
    {
        Assert.True(UpstreamInputs.Uploads(3_000_001, 3_000_000, dialectUploads: true));
        Assert.False(UpstreamInputs.Uploads(3_000_000, 3_000_000, dialectUploads: true));
        Assert.False(UpstreamInputs.Uploads(50_000_000, 3_000_000, dialectUploads: false));
    }

    [Fact]
    public void The_margin_window_defaults_to_thirty_days_to_today_and_refuses_bad_dates()
    {
        var now = new DateTime(2026, 3, 31, 12, 0, 0, DateTimeKind.Utc);
        Assert.Equal((new DateOnly(2026, 3, 2), new DateOnly(2026, 3, 31), (string?)null), RelayMargin.Window(null, null, now));
        Assert.NotNull(RelayMargin.Window("2026-04-02", "2026-04-01", now).Error);
        Assert.NotNull(RelayMargin.Window("2025-01-01", "2026-03-01", now).Error);
        Assert.NotNull(RelayMargin.Window("31/03/2026", null, now).Error);
    }

    [Fact]
    public void The_breaker_settings_are_read_and_checked()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Relays:up:BaseUrl"] = "https://api.example.com", ["Relays:up:ApiKey"] = "k",
            ["Relays:up:Breaker:MinimumThroughput"] = "3", ["Relays:up:Breaker:BreakSeconds"] = "2.5",
        }).Build();
        var breaker = Assert.Single(RelayOptions.All(config)).Breaker;
        Assert.Equal((0.5, 3, 30.0, 2.5), (breaker.FailureRatio, breaker.MinimumThroughput, breaker.Sampling.TotalSeconds, breaker.Break.TotalSeconds));
        var bad = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Relays:up:BaseUrl"] = "https://api.example.com", ["Relays:up:ApiKey"] = "k", ["Relays:up:Breaker:FailureRatio"] = "2",
        }).Build();
        Assert.Equal("Relays:up:Breaker:FailureRatio must be a number above 0 and at most 1.", Assert.Throws<InvalidOperationException>(() => RelayOptions.All(bad)).Message);
    }
}
