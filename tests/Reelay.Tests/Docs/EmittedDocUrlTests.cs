using System.Text.RegularExpressions;
using Reelay.Server.Features.Docs;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Docs;

/// <summary>
/// The docUrls the running server actually sends: every error a client can provoke over HTTP is collected, and each
/// link must land on a section of the served /docs/errors page (the `#idempotency` / `#overloaded` kind of dead link).
/// </summary>
[Trait("Database", "independent")] // documents generated from the catalog and the routes: no database in their subject
public partial class EmittedDocUrlTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly ReelayApi _api = fixture.Api;

    private static readonly object Valid = new { model = "gen4.5", promptText = "docs", ratio = "1280:720", duration = 2 };

    [GeneratedRegex("id=\"([a-z0-9-]+)\"")]
    private static partial Regex HtmlId();

    [Fact]
    public async Task Every_doc_url_the_server_emits_points_at_a_section_of_the_errors_page()
    {
        var tenant = await _api.NewTenantAsync();
        var broke = await _api.NewTenantAsync(credits: 0);
        var capped = await _api.NewTenantAsync();
        await _api.AdminAsync(HttpMethod.Put, $"/admin/v1/organizations/{capped.OrgId}/limits", new { models = new Dictionary<string, object> { ["gen4.5"] = new { maxDailyGenerations = 1 } } });
        await _api.CreateTextTaskAsync(capped.Key);
        var key = tenant.Key;
        var idempotent = "docs-" + Guid.NewGuid();
        Assert.Equal(200, (await _api.SendAsync(HttpMethod.Post, "/v1/text_to_video", key, Valid, r => r.Headers.Add("Idempotency-Key", idempotent))).Status);

        // (what is provoked, the reply, the section its docUrl must name)
        var provoked = new List<(string What, ReelayApi.Reply Reply, DocAnchor Expected)>
        {
            ("no key", await _api.SendAsync(HttpMethod.Get, "/v1/organization", null), DocAnchor.Authentication),
            ("two spaces after Bearer", await _api.SendAsync(HttpMethod.Get, "/v1/organization", " " + key), DocAnchor.Authentication),
            ("no version header", await _api.SendAsync(HttpMethod.Get, "/v1/organization", key, configure: r => r.Headers.Remove("X-Runway-Version")), DocAnchor.ApiVersion),
            ("broken JSON", await _api.SendAsync(HttpMethod.Post, "/v1/text_to_video", key, rawBody: "{\"model\": "), DocAnchor.RequestBody),
            ("a bad ratio", await _api.PostAsync("/v1/text_to_video", key, new { model = "gen4.5", promptText = "x", ratio = "1:1", duration = 2 }), DocAnchor.Validation),
            ("a model on the wrong endpoint", await _api.PostAsync("/v1/text_to_video", key, new { model = "gen4_aleph", promptText = "x", ratio = "1280:720" }), DocAnchor.Validation),
            ("an http asset", await _api.PostAsync("/v1/image_to_video", key, new { model = "gen4_turbo", promptImage = "http://example.com/a.png", ratio = "1280:720" }), DocAnchor.Validation),
            ("no credits", await _api.PostAsync("/v1/text_to_video", broke.Key, Valid), DocAnchor.Credits),
            ("the daily cap", await _api.PostAsync("/v1/text_to_video", capped.Key, Valid), DocAnchor.DailyLimit),
            ("a reused Idempotency-Key", await _api.SendAsync(HttpMethod.Post, "/v1/text_to_video", key, new { model = "gen4.5", promptText = "other", ratio = "1280:720", duration = 2 },
                r => r.Headers.Add("Idempotency-Key", idempotent)), DocAnchor.Idempotency),
            ("a bad sandbox header", await _api.PostAsync("/v1/text_to_video", key, Valid, simulate: "explode=1"), DocAnchor.Sandbox),
            ("a task id that is not a uuid", await _api.SendAsync(HttpMethod.Get, "/v1/tasks/nope", key), DocAnchor.Validation),
            ("a bad task list query", await _api.SendAsync(HttpMethod.Get, "/v1/tasks?limit=0", key), DocAnchor.Validation),
            ("an upload without a filename", await _api.PostAsync("/v1/uploads", key, new { type = "ephemeral" }), DocAnchor.Validation),
            ("a usage body that is not an object", await _api.SendAsync(HttpMethod.Post, "/v1/organization/usage", key, rawBody: "[]"), DocAnchor.RequestBody),
        };

        using var page = await ReelayApi.Client.GetAsync(new Uri(_api.BaseUrl, "/docs/errors"));
        var ids = HtmlId().Matches(await page.Content.ReadAsStringAsync()).Select(m => m.Groups[1].Value).ToHashSet();
        foreach (var (what, reply, expected) in provoked)
        {
            Assert.True(reply.Status is >= 400 and < 500, $"{what}: {reply.Status}");
            Assert.True(reply.Body.TryGetProperty("docUrl", out var docUrl), $"{what}: no docUrl in {reply.Body}");
            var url = new Uri(docUrl.GetString()!);
            Assert.Equal(new Uri(_api.BaseUrl, "/docs/errors").GetLeftPart(UriPartial.Path), url.GetLeftPart(UriPartial.Path));
            var anchor = url.Fragment.TrimStart('#');
            Assert.True(ids.Contains(anchor), $"{what}: docUrl #{anchor} has no section on /docs/errors");
            Assert.True(anchor == expected.Id, $"{what}: docUrl #{anchor}, expected #{expected.Id}");
        }
    }

    [Fact]
    public async Task The_errors_page_lists_upload_route_runblob_and_video_errors_with_the_texts_the_server_sends()
    {
        var key = (await _api.NewTenantAsync()).Key;
        using var page = await ReelayApi.Client.GetAsync(new Uri(_api.BaseUrl, "/docs/errors"));
        var html = System.Net.WebUtility.HtmlDecode(await page.Content.ReadAsStringAsync());
        foreach (var id in new[] { "uploads", "routes", "runblob" }) Assert.Contains($"<h2 id=\"{id}\">", html);

        var route = await _api.SendAsync(HttpMethod.Post, "/v1/text-to-video", key, Valid);
        Assert.Equal(404, route.Status);
        Assert.Equal("No route matches POST /v1/text-to-video. Did you mean POST /v1/text_to_video?", route.Error);
        Assert.Contains(route.Error!, html); // the page's example is the server's own sentence

        var runBlob = await _api.SendAsync(HttpMethod.Get, $"/v1/sora/generations/{Guid.NewGuid()}", key);
        Assert.Equal(404, runBlob.Status);
        Assert.Contains(runBlob.Body.GetProperty("detail").GetString()!, html);

        var upload = await _api.PostAsync("/v1/uploads", key, new { filename = "a.png", type = "ephemeral" });
        var form = await ReelayApi.Client.PostAsync(upload.Body.GetProperty("uploadUrl").GetString(), new StringContent("x"));
        var formError = System.Text.Json.JsonDocument.Parse(await form.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString()!;
        Assert.Contains(formError, html);

        Assert.Contains("Invalid asset duration. Video duration must be between", html);
    }
}
