using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Reelay.Server.Features.Catalog;
using Reelay.Server.Features.Engines;
using Reelay.Server.Features.Relays;
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
