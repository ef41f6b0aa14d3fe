using System.Net;
using System.Text.RegularExpressions;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Portal;

/// <summary>The pages that are not part of the browser journey, over plain HTTP with a session cookie.</summary>
public class PortalPagesTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly ReelayApi _api = fixture.Api;

    [Fact]
    public async Task Usage_shows_the_balance_large_one_line_per_task_and_a_server_drawn_chart_of_charged_credits()
    {
        var tenant = await _api.NewTenantAsync(credits: 5000);
        var task = await _api.CreateTextTaskAsync(tenant.Key, duration: 2);
        await _api.WaitForAsync(tenant.Key, task, s => s == "SUCCEEDED");
        using var portal = await PortalClient.SignInAsync(_api.BaseUrl, tenant.Key);
        var (status, html) = await portal.GetAsync("/portal/usage?days=7");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("class=\"balance-value\">4,976</strong> credits", html); // 5000 - 2 s × 12 credits
        // Hold, release and charge of the task are one line, charged; the initial grant is another.
        Assert.Equal(1, Regex.Count(html, $"<tr data-outcome=\"charged\">"));
        Assert.Equal(2, Regex.Count(html, "<tr data-outcome="));
        Assert.Contains("24 of 24 held", html);
        Assert.Contains("<svg class=\"usage-chart\"", html);
        Assert.Contains("gen4.5: 24 credits", html);
        Assert.Contains($"/portal/tasks/{task}", html);
        Assert.DoesNotContain("<script>", html);
    }

    [Fact]
    public async Task The_asset_checker_runs_the_preflight_on_a_uri_or_an_uploaded_file_and_shows_its_report()
    {
        var tenant = await _api.NewTenantAsync();
        using var portal = await PortalClient.SignInAsync(_api.BaseUrl, tenant.Key);
        await portal.GetAsync("/portal/assets");
        var accepted = await portal.PostAsync("/portal/assets", new() { ["uri"] = Media.DataUri(640, 360), ["kind"] = "image", ["model"] = "gen4_turbo" });
        var acceptedHtml = WebUtility.HtmlDecode(await accepted.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Contains("<strong>accepted</strong>", acceptedHtml);
        Assert.Contains("640 × 360", acceptedHtml);

        var tooWide = await portal.PostAsync("/portal/assets", new() { ["uri"] = Media.DataUri(1600, 300), ["kind"] = "image" });
        var tooWideHtml = WebUtility.HtmlDecode(await tooWide.Content.ReadAsStringAsync());
        Assert.Contains("<strong>rejected</strong>", tooWideHtml);
        Assert.Contains("class=\"fail\"", tooWideHtml);

        using var multipart = new MultipartFormDataContent
        {
            { new StringContent(portal.CsrfToken!), "_csrf" },
            { new StringContent("image"), "kind" },
        };
        var file = new ByteArrayContent(Media.Image(320, 320));
        file.Headers.ContentType = new("image/png");
        multipart.Add(file, "file", "square.png");
        using var http = new HttpClient(new HttpClientHandler { CookieContainer = portal.Cookies }) { BaseAddress = _api.BaseUrl };
        using var uploaded = await http.PostAsync("/portal/assets", multipart);
        var uploadedHtml = WebUtility.HtmlDecode(await uploaded.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, uploaded.StatusCode);
        Assert.Contains("<strong>accepted</strong>", uploadedHtml);
        Assert.Contains("320 × 320", uploadedHtml);
    }

    [Fact]
    public async Task A_wrong_key_is_refused_with_the_api_message_and_a_disabled_key_ends_its_session()
    {
        var tenant = await _api.NewTenantAsync();
        using var wrong = new PortalClient(_api.BaseUrl);
        var refused = await wrong.SignInResponseAsync("key_" + new string('0', 128));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("The API key is not valid", await refused.Content.ReadAsStringAsync());

        using var portal = await PortalClient.SignInAsync(_api.BaseUrl, tenant.Key + "\n");
        Assert.Equal(HttpStatusCode.OK, (await portal.GetAsync("/portal/tasks")).Status);
        await _api.AdminAsync(HttpMethod.Post, $"/admin/v1/keys/{tenant.KeyId}/disable");
        var (status, _) = await portal.GetAsync("/portal/tasks");
        Assert.Equal(HttpStatusCode.SeeOther, status);
    }

    [Fact]
    public async Task Portal_and_docs_requests_stay_out_of_the_request_log_and_api_requests_without_a_key_have_no_organization()
    {
        var anonymous = await _api.SendAsync(HttpMethod.Get, "/v1/tasks/" + Guid.NewGuid(), key: null);
        Assert.Equal(401, anonymous.Status);
        var entry = await RequestLogDb.WaitForAsync(fixture.Server, anonymous.Response.Headers.GetValues("X-Request-Id").Single());
        Assert.Null(entry.OrgId);
        Assert.Null(entry.KeyPrefix);
        Assert.Equal("GET /v1/tasks/{id}", entry.Endpoint);
        Assert.Contains("No API key was provided", entry.ResponseBody);

        using var docs = await ReelayApi.Client.GetAsync(new Uri(_api.BaseUrl, "/docs/errors"));
        var docsId = docs.Headers.GetValues("X-Request-Id").Single();
        await Task.Delay(500);
        await Assert.ThrowsAsync<TimeoutException>(() => RequestLogDb.WaitForAsync(fixture.Server, docsId, TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task An_organization_sees_its_own_mistyped_routes_and_wrong_methods_and_no_one_elses()
    {
        var tenant = await _api.NewTenantAsync();
        var other = await _api.NewTenantAsync();
        var notFound = await _api.SendAsync(HttpMethod.Get, "/v1/text-to-video-typo", tenant.Key);
        Assert.Equal(404, notFound.Status);
        var wrongMethod = await _api.SendAsync(HttpMethod.Put, "/v1/organization", tenant.Key);
        Assert.Equal(405, wrongMethod.Status);
        var entry = await RequestLogDb.WaitForAsync(fixture.Server, notFound.Response.Headers.GetValues("X-Request-Id").Single());
        Assert.Equal(tenant.OrgId, entry.OrgId);
        await RequestLogDb.WaitForAsync(fixture.Server, wrongMethod.Response.Headers.GetValues("X-Request-Id").Single());

        using var portal = await PortalClient.SignInAsync(_api.BaseUrl, tenant.Key);
        var (_, html) = await portal.GetAsync("/portal/history?errors=1");
        Assert.Contains("GET /v1/text-to-video-typo", html);
        Assert.Contains("PUT /v1/organization", html);
        Assert.Contains("class=\"row-error\"", html);
        using var elsewhere = await PortalClient.SignInAsync(_api.BaseUrl, other.Key);
        Assert.DoesNotContain("/v1/text-to-video-typo", (await elsewhere.GetAsync("/portal/history?errors=1")).Html);
    }

    [Fact]
    public async Task A_create_is_logged_with_its_task_so_a_search_by_task_id_finds_it_and_links_to_the_task()
    {
        var tenant = await _api.NewTenantAsync();
        var task = await _api.CreateTextTaskAsync(tenant.Key, duration: 2);
        var poll = await _api.GetTaskAsync(tenant.Key, task);
        // Written in order, behind the requests: once the poll is in the log, so is the create.
        await RequestLogDb.WaitForAsync(fixture.Server, poll.Response.Headers.GetValues("X-Request-Id").Single());
        using var portal = await PortalClient.SignInAsync(_api.BaseUrl, tenant.Key);
        var html = (await portal.GetAsync("/portal/history?q=" + task)).Html;
        Assert.Contains("POST /v1/text_to_video", html);
        Assert.Contains($"href=\"/portal/tasks/{task}\"", html);
        Assert.DoesNotContain($"GET /v1/tasks/{task}", html); // the poll is hidden by default
        var withPolling = (await portal.GetAsync($"/portal/history?q={task}&polling=1")).Html;
        Assert.Contains($"GET /v1/tasks/{task}", withPolling);
    }
}
