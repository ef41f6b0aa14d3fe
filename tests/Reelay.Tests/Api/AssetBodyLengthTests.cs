using System.Text.Json;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Api;

/// <summary>
/// assets.md: "the body's byte count differs from Content-Length" is the size reason, whichever way it differs. On the
/// patient fixture: none of these tests is about the deadline, and a class's first fetch (first TLS handshake and
/// probe of the process) ran past the 2 s one on a busy CI machine.
/// </summary>
public class AssetBodyLengthTests(PatientAssetFixture fixture) : IClassFixture<PatientAssetFixture>
{
    private readonly ReelayApi _api = fixture.Api;
    private readonly AssetServer _assets = fixture.Assets;

    private static string Unique(string name) => $"/{Guid.NewGuid():N}/{name}";

    private async Task<JsonElement> PreflightAsync(string uri, string kind)
    {
        var tenant = await _api.NewTenantAsync();
        var reply = await _api.PostAsync("/v1/assets/check", tenant.Key, new { uri, kind });
        Assert.Equal(200, reply.Status);
        return reply.Body;
    }

    [Fact]
    public async Task An_image_body_shorter_than_its_content_length_exceeds_the_image_limit()
    {
        var path = Unique("short.png");
        var image = Media.Image(640, 360);
        _assets.MapFile(path, image, "image/png", declaredLength: image.Length + 1000);
        var report = await PreflightAsync(fixture.Url(path), "image");
        Assert.Equal("Asset size exceeds 16.0MB.", report.GetProperty("reason").GetString());
        Assert.Equal(image.Length, report.GetProperty("observed").GetProperty("bytesRead").GetInt64());
    }

    [Fact]
    public async Task A_video_body_shorter_than_its_content_length_exceeds_the_video_limit()
    {
        var path = Unique("short.mp4");
        var video = Media.Video(320, 240, 1);
        _assets.MapFile(path, video[..(video.Length / 2)], "video/mp4", declaredLength: video.Length);
        var report = await PreflightAsync(fixture.Url(path), "video");
        Assert.Equal("Asset size exceeds 32.0MB.", report.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task A_valid_image_followed_by_bytes_past_its_content_length_exceeds_the_limit()
    {
        var path = Unique("long.png");
        var image = Media.Image(640, 360);
        // The declared bytes alone are a perfect PNG: only the bytes after them show the server lied.
        _assets.MapFile(path, [.. image, .. new byte[1000]], "image/png", declaredLength: image.Length);
        var report = await PreflightAsync(fixture.Url(path), "image");
        Assert.Equal("rejected", report.GetProperty("verdict").GetString());
        Assert.Equal("Asset size exceeds 16.0MB.", report.GetProperty("reason").GetString());
        Assert.Contains(report.GetProperty("checks").EnumerateArray(), c => c.GetProperty("detail").GetString()?.Contains("ran past it") == true);
    }

    [Fact]
    public async Task A_body_exactly_as_long_as_declared_passes_the_length_check_on_a_closing_http1_server()
    {
        // The raw responder closes with TLS close_notify right after the body: the probe's read past the end sees
        // the end of the stream, so the length passes and the (zero) bytes fail the next check instead.
        var path = Unique("zeros.png");
        _assets.MapHuge(path, 4096, "image/png", 4096);
        var report = await PreflightAsync(fixture.Url(path), "image");
        Assert.Equal("Invalid asset. The content could not be read as image/png.", report.GetProperty("reason").GetString());
        Assert.Contains(report.GetProperty("checks").EnumerateArray(), c => c.GetProperty("detail").GetString() == "4096 bytes, as declared");
    }
}
