using System.Text.Json;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Api;

/// <summary>The unmodified official @runwayml/sdk (npm) against a real server.</summary>
public class RunwaySdkCompatibilityTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly ReelayApi _api = fixture.Api;
    private Task<JsonElement> ScenarioAsync(string scenario, string key, string? simulate = null, string? imageFile = null) =>
        SdkScenario.RunAsync(_api.BaseUrl, scenario, key, simulate, imageFile);

    [Fact]
    public async Task Image_to_video_with_a_data_uri_waits_for_output_and_the_mp4_downloads()
    {
        var tenant = await _api.NewTenantAsync();
        var result = await ScenarioAsync("image-to-video", tenant.Key);
        Assert.Equal("SUCCEEDED", result.GetProperty("status").GetString());
        var file = Path.Combine(TestPaths.NewTempDirectory("reelay-sdk"), "out.mp4");
        await File.WriteAllBytesAsync(file, await ReelayApi.DownloadAsync(result.GetProperty("output")[0].GetString()!));
        var facts = Media.Probe(file);
        Assert.Equal((1280, 720, "h264"), (facts.Width, facts.Height, facts.Codec));
        Assert.InRange(facts.Duration, 1.9, 2.1);
    }

    [Fact]
    public async Task Uploads_create_ephemeral_gives_a_runway_uri_that_image_to_video_accepts()
    {
        var tenant = await _api.NewTenantAsync();
        var file = Path.Combine(TestPaths.NewTempDirectory("reelay-upload"), "photo.png");
        await File.WriteAllBytesAsync(file, Media.Image(640, 360));
        var result = await ScenarioAsync("upload-then-create", tenant.Key, imageFile: file);
        Assert.StartsWith("runway://", result.GetProperty("uri").GetString());
        Assert.True(result.TryGetProperty("status", out var status), result.ToString());
        Assert.Equal("SUCCEEDED", status.GetString());
    }

    [Fact]
    public async Task Sdk_errors_are_typed_bad_request_with_issues_authentication_and_not_found()
    {
        var tenant = await _api.NewTenantAsync();
        var bad = await ScenarioAsync("bad-ratio", tenant.Key);
        Assert.Equal(("BadRequestError", 400), (bad.GetProperty("errorClass").GetString(), bad.GetProperty("status").GetInt32()));
        var issue = bad.GetProperty("body").GetProperty("issues")[0];
        Assert.Equal("invalid_enum_value", issue.GetProperty("code").GetString());
        Assert.Equal("ratio", issue.GetProperty("path")[0].GetString());

        var auth = await ScenarioAsync("wrong-key", tenant.Key);
        Assert.Equal(("AuthenticationError", 401), (auth.GetProperty("errorClass").GetString(), auth.GetProperty("status").GetInt32()));
        var missing = await ScenarioAsync("not-found", tenant.Key);
        Assert.Equal(("NotFoundError", 404), (missing.GetProperty("errorClass").GetString(), missing.GetProperty("status").GetInt32()));
    }

    [Fact]
    public async Task Deleting_a_running_task_through_the_sdk_cancels_it_then_deletes_it()
    {
        var tenant = await _api.NewTenantAsync();
        var result = await ScenarioAsync("delete-running", tenant.Key, simulate: "delay=30");
        Assert.Equal("RUNNING", result.GetProperty("statusBeforeDelete").GetString());
        var first = result.GetProperty("afterFirstDelete");
        Assert.True(first.GetProperty("delete").GetProperty("ok").GetBoolean());
        // "Aborted and deleted tasks will not be able to be fetched again" (the SDK's tasks.delete documentation).
        Assert.Equal("NotFoundError", first.GetProperty("retrieve").GetProperty("errorClass").GetString());
        var second = result.GetProperty("afterSecondDelete");
        Assert.Equal("NotFoundError", second.GetProperty("delete").GetProperty("errorClass").GetString());
    }
}
