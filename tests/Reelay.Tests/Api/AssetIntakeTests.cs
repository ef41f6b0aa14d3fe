using System.Text.Json;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Api;

/// <summary>One test per row of the reason table in assets.md, against a real local HTTPS server.</summary>
public class AssetIntakeTests(AssetFixture fixture) : IClassFixture<AssetFixture>
{
    private readonly ReelayApi _api = fixture.Api;
    private readonly AssetServer _assets = fixture.Assets;

    private static string Unique(string name) => $"/{Guid.NewGuid():N}/{name}";

    /// <summary>Creates a task with the URI as promptImage and returns the single issue, asserting the shape.</summary>
    private async Task<string> RejectionAsync(string uri, object? pathOverride = null)
    {
        var tenant = await _api.NewTenantAsync();
        var reply = await _api.PostAsync("/v1/image_to_video", tenant.Key, new { model = "gen4_turbo", promptImage = uri, ratio = "1280:720", duration = 2 });
        Assert.True(reply.Status == 400, $"{reply.Status}: {reply.Body}");
        Assert.Equal("Validation of body failed", reply.Error);
        var issue = Assert.Single(reply.Body.GetProperty("issues").EnumerateArray());
        Assert.Equal("custom", issue.GetProperty("code").GetString());
        Assert.Equal("[\"promptImage\"]", issue.GetProperty("path").GetRawText());
        return issue.GetProperty("message").GetString()!;
    }

    [Fact]
    public async Task A_well_served_image_is_fetched_with_head_then_get_and_the_task_renders_from_the_stored_file()
    {
        var path = Unique("photo.png");
        _assets.MapFile(path, Media.Image(640, 360), "image/png");
        var tenant = await _api.NewTenantAsync();
        var created = await _api.PostAsync("/v1/image_to_video", tenant.Key, new { model = "gen4_turbo", promptImage = fixture.Url(path), ratio = "1280:720", duration = 2 });
        Assert.Equal(200, created.Status);
        var task = await _api.WaitForAsync(tenant.Key, created.Body.GetProperty("id").GetString()!, ReelayApi.IsTerminal);
        Assert.Equal("SUCCEEDED", task.GetProperty("status").GetString());
        Assert.Equal([$"HEAD {path}", $"GET {path}"], _assets.RequestLog.Where(l => l.EndsWith(path)).ToList());
    }

    [Fact]
    public async Task An_unparseable_or_too_long_url_is_invalid()
    {
        Assert.Equal("Invalid URL", await RejectionAsync("https://exa mple.com/a.png"));
        Assert.Equal("Invalid URL", await RejectionAsync("https://example.com/" + new string('a', 2040)));
        Assert.Equal("Invalid URL", await RejectionAsync("https://user:pass@example.com/a.png"));
    }

    [Fact]
    public async Task Non_https_schemes_are_refused() => Assert.Equal("Only HTTPS URLs are allowed.", await RejectionAsync($"http://{AssetFixture.Good}:{_assets.Port}/a.png"));

    [Fact]
    public async Task Ip_address_hosts_are_refused() => Assert.Equal("URLs must be hosted on a domain.", await RejectionAsync($"https://127.0.0.1:{_assets.Port}/a.png"));

    [Fact]
    public async Task Names_that_resolve_to_private_addresses_are_refused_without_connecting()
    {
        var before = _assets.AcceptedConnections;
        Assert.Equal("URL resolves to an address that is not public.", await RejectionAsync($"https://loopback.evil.test:{_assets.Port}/a.png"));
        Assert.Equal(before, _assets.AcceptedConnections);
    }

    [Fact]
    public async Task Connection_and_tls_failures_are_failed_fetches()
    {
        const string reason = "Failed to fetch asset. The URL may be incorrect or the server hosting the asset may be down.";
        Assert.Equal(reason, await RejectionAsync($"https://{AssetFixture.Closed}:{fixture.ClosedPort}/a.png"));
        var path = Unique("a.png");
        fixture.UntrustedAssets.MapFile(path, Media.Image(64, 64), "image/png");
        Assert.Equal(reason, await RejectionAsync(fixture.UntrustedAssets.Url(AssetFixture.Untrusted, path)));
    }

    [Theory]
    [InlineData(404)]
    [InlineData(500)]
    [InlineData(403)]
    public async Task A_status_other_than_200_is_reported_with_its_code(int status)
    {
        var path = Unique("a.png");
        _assets.MapFile(path, Media.Image(64, 64), "image/png", status: status);
        Assert.Equal($"Failed to fetch asset. Received HTTP response code \"{status}\".", await RejectionAsync(fixture.Url(path)));
    }

    [Theory]
    [InlineData(301)]
    [InlineData(302)]
    [InlineData(307)]
    public async Task Redirects_are_not_followed(int status)
    {
        var target = Unique("target.png");
        _assets.MapFile(target, Media.Image(64, 64), "image/png");
        var path = Unique("redirect.png");
        _assets.MapRedirect(path, status, fixture.Url(target));
        Assert.Equal($"Failed to fetch asset. Received HTTP response code \"{status}\".", await RejectionAsync(fixture.Url(path)));
        Assert.DoesNotContain(_assets.RequestLog, l => l.EndsWith(target));
    }

    [Fact]
    public async Task A_server_that_is_too_slow_times_out()
    {
        var hang = Unique("hang.png");
        _assets.MapHangHeaders(hang, TimeSpan.FromSeconds(6));
        Assert.Equal("Timeout while fetching asset.", await RejectionAsync(fixture.Url(hang)));
        var drip = Unique("drip.png");
        _assets.MapDrip(drip, Media.Image(640, 360), "image/png", TimeSpan.FromMilliseconds(200), 256);
        Assert.Equal("Timeout while fetching asset.", await RejectionAsync(fixture.Url(drip)));
    }

    [Fact]
    public async Task A_generic_content_type_is_not_approved()
    {
        var path = Unique("a.png");
        _assets.MapFile(path, Media.Image(64, 64), "application/octet-stream");
        Assert.Equal("Assets must use an approved Content-Type response header. We received \"application/octet-stream\", which is not allowed.", await RejectionAsync(fixture.Url(path)));
    }

    [Fact]
    public async Task A_content_type_of_another_kind_is_unsupported_and_extensions_are_ignored()
    {
        var path = Unique("a.png");
        _assets.MapFile(path, "<html></html>"u8.ToArray(), "text/html");
        Assert.Equal("Unsupported Content-Type response header: \"text/html\".", await RejectionAsync(fixture.Url(path)));
        var video = Unique("a.png");
        _assets.MapFile(video, Media.Image(64, 64), "video/mp4");
        Assert.Equal("Unsupported Content-Type response header: \"video/mp4\".", await RejectionAsync(fixture.Url(video)));
    }

    [Fact]
    public async Task A_response_without_content_length_is_refused()
    {
        var path = Unique("a.png");
        _assets.MapFile(path, Media.Image(64, 64), "image/png", declaredLength: -1);
        Assert.Equal("Content-Length not provided", await RejectionAsync(fixture.Url(path)));
    }

    [Fact]
    public async Task Sizes_over_the_limit_or_differing_from_content_length_exceed_the_limit()
    {
        var big = Unique("big.png");
        _assets.MapHuge(big, 17L << 20, "image/png", 17L << 20);
        Assert.Equal("Asset size exceeds 16.0MB.", await RejectionAsync(fixture.Url(big)));
        Assert.True(_assets.BytesWritten(big) < 8L << 20, $"{_assets.BytesWritten(big)} bytes were sent for a refused asset");

        var short_ = Unique("short.png");
        var image = Media.Image(640, 360);
        _assets.MapFile(short_, image, "image/png", declaredLength: image.Length + 1000);
        Assert.Equal("Asset size exceeds 16.0MB.", await RejectionAsync(fixture.Url(short_)));
    }

    [Fact]
    public async Task A_huge_body_behind_a_small_content_length_is_cut_off_at_the_declared_length()
    {
        var path = Unique("huge.png");
        _assets.MapHuge(path, 200L << 20, "image/png", 4096);
        var report = await PreflightAsync(fixture.Url(path));
        Assert.Equal("rejected", report.GetProperty("verdict").GetString());
        Assert.Equal(4096, report.GetProperty("observed").GetProperty("bytesRead").GetInt64());
        // assets.md: a body whose byte count differs from Content-Length is a size failure, more bytes as well as fewer.
        Assert.Equal("Asset size exceeds 16.0MB.", report.GetProperty("reason").GetString());
        await Task.Delay(500);
        Assert.True(_assets.BytesWritten(path) < 32L << 20, $"the server wrote {_assets.BytesWritten(path)} bytes");
    }

    [Fact]
    public async Task Bytes_that_are_not_the_declared_type_cannot_be_read()
    {
        var path = Unique("a.png");
        _assets.MapFile(path, Media.Image(64, 64, "jpg"), "image/png");
        Assert.Equal("Invalid asset. The content could not be read as image/png.", await RejectionAsync(fixture.Url(path)));
    }

    [Fact]
    public async Task Images_wider_than_8000_pixels_are_refused_by_their_header()
    {
        var path = Unique("wide.png");
        _assets.MapFile(path, Media.Image(9000, 600), "image/png");
        Assert.Equal("Invalid asset dimensions. Height and width must not exceed 8000px. Got 9000x600.", await RejectionAsync(fixture.Url(path)));
    }

    [Fact]
    public async Task Images_outside_the_models_aspect_bounds_are_refused()
    {
        var path = Unique("tall.png");
        _assets.MapFile(path, Media.Image(120, 260), "image/png");
        Assert.Equal("Invalid asset aspect ratio. width / height ratio must be between 0.5 and 2. Got 0.462.", await RejectionAsync(fixture.Url(path)));
    }

    [Fact]
    public async Task Array_items_report_their_issues_at_indexed_paths()
    {
        var good = Unique("good.png");
        _assets.MapFile(good, Media.Image(640, 360), "image/png");
        var tenant = await _api.NewTenantAsync();
        var reply = await _api.PostAsync("/v1/image_to_video", tenant.Key, new
        {
            model = "veo3.1", ratio = "1280:720",
            promptImage = new object[] { new { uri = "http://x.example/a.png", position = "first" }, new { uri = fixture.Url(Unique("missing.png")), position = "last" } },
        });
        Assert.Equal(400, reply.Status);
        var issues = reply.Body.GetProperty("issues").EnumerateArray().Select(i => (i.GetProperty("path").GetRawText(), i.GetProperty("message").GetString())).ToList();
        Assert.Equal([("[\"promptImage\",0,\"uri\"]", "Only HTTPS URLs are allowed."), ("[\"promptImage\",1,\"uri\"]", "Failed to fetch asset. Received HTTP response code \"404\".")], issues);

        var ok = await _api.PostAsync("/v1/image_to_video", tenant.Key, new
        {
            model = "veo3.1", ratio = "1280:720", duration = 4,
            promptImage = new object[] { new { uri = fixture.Url(good), position = "first" }, new { uri = Media.DataUri(640, 360), position = "last" } },
        });
        Assert.Equal(200, ok.Status);
    }

    [Fact]
    public async Task A_video_uri_is_fetched_checked_and_restyled_at_its_own_length()
    {
        var path = Unique("clip.mp4");
        _assets.MapFile(path, Media.Video(320, 240, 2), "video/mp4");
        var tenant = await _api.NewTenantAsync();
        var created = await _api.PostAsync("/v1/video_to_video", tenant.Key, new { model = "gen4_aleph", videoUri = fixture.Url(path), promptText = "make it dusk", ratio = "1280:720" });
        Assert.True(created.Status == 200, created.Body.ToString());
        Assert.Equal(30, created.Body.GetProperty("estimatedCost").GetProperty("credits").GetInt32());
        var task = await _api.WaitForAsync(tenant.Key, created.Body.GetProperty("id").GetString()!, ReelayApi.IsTerminal);
        Assert.Equal("SUCCEEDED", task.GetProperty("status").GetString());
        var file = Path.Combine(TestPaths.NewTempDirectory("reelay-v2v"), "out.mp4");
        await File.WriteAllBytesAsync(file, await ReelayApi.DownloadAsync(task.GetProperty("output")[0].GetString()!));
        var facts = Media.Probe(file);
        Assert.Equal((1280, 720), (facts.Width, facts.Height));
        Assert.InRange(facts.Duration, 1.9, 2.1);

        var longPath = Unique("long.mp4");
        _assets.MapFile(longPath, Media.Video(160, 120, 12), "video/mp4");
        var tooLong = await _api.PostAsync("/v1/video_to_video", tenant.Key, new { model = "gen4_aleph", videoUri = fixture.Url(longPath), promptText = "x", ratio = "1280:720" });
        Assert.Equal(400, tooLong.Status);
        Assert.Equal("Invalid asset duration. Video duration must be between 1 and 10 seconds. Got 12.", tooLong.Body.GetProperty("issues")[0].GetProperty("message").GetString());
        var notVideo = Unique("fake.mp4");
        _assets.MapFile(notVideo, Media.Image(64, 64), "video/mp4");
        Assert.Equal("Invalid asset. The content could not be read as video/mp4.",
            (await _api.PostAsync("/v1/video_to_video", tenant.Key, new { model = "gen4_aleph", videoUri = fixture.Url(notVideo), promptText = "x", ratio = "1280:720" }))
                .Body.GetProperty("issues")[0].GetProperty("message").GetString());
    }

    [Fact]
    public async Task The_preflight_reports_every_check_with_what_it_observed()
    {
        var path = Unique("photo.png");
        var image = Media.Image(640, 360);
        _assets.MapFile(path, image, "image/png");
        var report = await PreflightAsync(fixture.Url(path));
        Assert.Equal("accepted", report.GetProperty("verdict").GetString());
        Assert.Equal(JsonValueKind.Null, report.GetProperty("reason").ValueKind);
        var observed = report.GetProperty("observed");
        Assert.Equal(200, observed.GetProperty("status").GetInt32());
        Assert.Equal("image/png", observed.GetProperty("contentType").GetString());
        Assert.Equal(image.Length, observed.GetProperty("contentLength").GetInt64());
        Assert.Equal(image.Length, observed.GetProperty("bytesRead").GetInt64());
        Assert.Equal((640, 360, 1.778), (observed.GetProperty("width").GetInt32(), observed.GetProperty("height").GetInt32(), observed.GetProperty("ratio").GetDouble()));
        Assert.True(report.GetProperty("elapsedMs").GetInt64() >= 0);
        Assert.All(report.GetProperty("checks").EnumerateArray(), c => Assert.True(c.GetProperty("passed").GetBoolean()));

        var missing = await PreflightAsync(fixture.Url(Unique("nope.png")));
        Assert.Equal("rejected", missing.GetProperty("verdict").GetString());
        Assert.Equal("Failed to fetch asset. Received HTTP response code \"404\".", missing.GetProperty("reason").GetString());
        Assert.False(missing.GetProperty("checks").EnumerateArray().Last().GetProperty("passed").GetBoolean());
    }

    private async Task<JsonElement> PreflightAsync(string uri, string kind = "image")
    {
        var tenant = await _api.NewTenantAsync();
        var reply = await _api.PostAsync("/v1/assets/check", tenant.Key, new { uri, kind });
        Assert.True(reply.Status == 200, $"{reply.Status}: {reply.Body}");
        return reply.Body;
    }

    [Fact]
    public async Task Every_hostile_url_form_is_refused_and_none_reaches_the_local_listener()
    {
        var tenant = await _api.NewTenantAsync();
        var before = _assets.AcceptedConnections;
        var refusals = new List<string>();
        foreach (var template in AddressSafetyCorpus.Urls)
        {
            var url = template.Replace("{port}", _assets.Port.ToString());
            var reply = await _api.PostAsync("/v1/assets/check", tenant.Key, new { uri = url });
            Assert.Equal(200, reply.Status);
            Assert.True(reply.Body.GetProperty("verdict").GetString() == "rejected", $"{url} was accepted");
            refusals.Add(reply.Body.GetProperty("reason").GetString()!);
        }
        Assert.True(AddressSafetyCorpus.Urls.Length >= 30);
        Assert.All(refusals, r => Assert.Contains(r, new[] { "URLs must be hosted on a domain.", "URL resolves to an address that is not public.", "Invalid URL", "Only HTTPS URLs are allowed." }));
        Assert.Equal(before, _assets.AcceptedConnections);
    }
}

/// <summary>URL forms that must never be fetched; {port} is the local HTTPS listener's port.</summary>
public static class AddressSafetyCorpus
{
    public static readonly string[] Urls =
    [
        "https://127.0.0.1:{port}/a.png", "https://2130706433:{port}/a.png", "https://0x7f000001:{port}/a.png", "https://0x7f.1:{port}/a.png",
        "https://0177.0.0.1:{port}/a.png", "https://127.1:{port}/a.png", "https://127.0.0.1.:{port}/a.png", "https://017700000001:{port}/a.png",
        "https://[::1]:{port}/a.png", "https://[::ffff:127.0.0.1]:{port}/a.png", "https://[::ffff:7f00:1]:{port}/a.png", "https://[0:0:0:0:0:ffff:7f00:1]:{port}/a.png",
        "https://[::]:{port}/a.png", "https://0.0.0.0:{port}/a.png", "https://0:{port}/a.png", "https://%31%32%37.0.0.1:{port}/a.png",
        "https://localhost:{port}/a.png", "https://loopback.evil.test:{port}/a.png", "https://loopback6.evil.test:{port}/a.png",
        "https://private10.evil.test:{port}/a.png", "https://private172.evil.test:{port}/a.png", "https://private192.evil.test:{port}/a.png",
        "https://linklocal.evil.test:{port}/a.png", "https://metadata.evil.test:{port}/latest/meta-data/", "https://169.254.169.254/latest/meta-data/",
        "https://cgnat.evil.test:{port}/a.png", "https://zero.evil.test:{port}/a.png", "https://ula.evil.test:{port}/a.png", "https://mapped.evil.test:{port}/a.png",
        "https://nat64.evil.test:{port}/a.png", "https://sixtofour.evil.test:{port}/a.png", "https://multicast.evil.test:{port}/a.png",
        "https://user:pass@good.assets.test:{port}/a.png", "https://good.assets.test:{port}@127.0.0.1:{port}/a.png",
        "http://good.assets.test:{port}/a.png", "ftp://good.assets.test/a.png", "file:///etc/passwd", "gopher://127.0.0.1:{port}/", "javascript:alert(1)",
    ];
}
