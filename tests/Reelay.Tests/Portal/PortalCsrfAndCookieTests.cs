using System.Net;
using Reelay.Server.Features.Portal;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Portal;

public class PortalCsrfAndCookieTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly ReelayApi _api = fixture.Api;

    private Task<long> KeyCountAsync(string orgId) =>
        TestDatabase.ScalarAsync<long>(fixture.Server, "SELECT COUNT(*) FROM api_keys WHERE org_id = @orgid", new { orgid = orgId });

    [Fact]
    public async Task A_form_post_without_the_csrf_token_or_with_another_sessions_token_is_refused_and_changes_nothing()
    {
        var tenant = await _api.NewTenantAsync();
        using var portal = await PortalClient.SignInAsync(_api.BaseUrl, tenant.Key);
        using var other = await PortalClient.SignInAsync(_api.BaseUrl, tenant.Key);
        await portal.GetAsync("/portal/keys");
        await other.GetAsync("/portal/keys");
        Assert.NotEqual(portal.CsrfToken, other.CsrfToken);

        var missing = await portal.PostAsync("/portal/keys", new() { ["name"] = "forged" }, withToken: false);
        Assert.Equal(HttpStatusCode.Forbidden, missing.StatusCode);
        var foreign = await portal.PostAsync("/portal/keys", new() { ["name"] = "forged", ["_csrf"] = other.CsrfToken! });
        Assert.Equal(HttpStatusCode.Forbidden, foreign.StatusCode);
        var disable = await portal.PostAsync($"/portal/keys/{tenant.KeyId}/disable", [], withToken: false);
        Assert.Equal(HttpStatusCode.Forbidden, disable.StatusCode);
        var signOut = await portal.PostAsync("/portal/sign-out", [], withToken: false);
        Assert.Equal(HttpStatusCode.Forbidden, signOut.StatusCode);
        Assert.Equal(1, await KeyCountAsync(tenant.OrgId));
        Assert.Equal(200, (await _api.SendAsync(HttpMethod.Get, "/v1/organization", tenant.Key)).Status);

        var genuine = await portal.PostAsync("/portal/keys", new() { ["name"] = "genuine" });
        Assert.Equal(HttpStatusCode.OK, genuine.StatusCode);
        Assert.Equal(2, await KeyCountAsync(tenant.OrgId));
    }

    [Fact]
    public async Task The_sign_in_form_needs_its_own_token_so_a_foreign_site_cannot_sign_you_in()
    {
        var tenant = await _api.NewTenantAsync();
        using var portal = new PortalClient(_api.BaseUrl);
        var forged = await portal.PostAsync("/portal/sign-in", new() { ["key"] = tenant.Key, ["_csrf"] = "made-up" });
        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        Assert.DoesNotContain(portal.Cookies.GetAllCookies(), c => c.Name == PortalSessions.CookieName);
    }

    [Fact]
    public async Task The_session_cookie_is_httponly_samesite_strict_scoped_to_the_portal_and_never_holds_the_key()
    {
        var tenant = await _api.NewTenantAsync();
        using var portal = new PortalClient(_api.BaseUrl);
        var response = await portal.SignInResponseAsync(tenant.Key);
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        var session = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(PortalSessions.CookieName + "=", StringComparison.Ordinal));
        Assert.Contains("httponly", session, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", session, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/portal", session, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secure", session, StringComparison.OrdinalIgnoreCase); // plain http here: a Secure cookie would never come back
        Assert.DoesNotContain(tenant.Key[4..], session);
        var (_, page) = await portal.GetAsync("/portal/keys");
        Assert.DoesNotContain(tenant.Key, page);
    }

    [Fact]
    public async Task Behind_an_https_public_url_the_session_cookie_is_also_secure()
    {
        await using var server = await ServerProcess.StartAsync(settings: new Dictionary<string, string> { ["Server:PublicBaseUrl"] = "https://reelay.example" });
        var api = new ReelayApi(server);
        var tenant = await api.NewTenantAsync();
        // Plain HTTP to the server, as from a TLS-terminating proxy: the client would not send Secure cookies back, so this test does.
        using var http = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = api.BaseUrl };
        using var form = await http.GetAsync("/portal/sign-in");
        var signInCookie = form.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(PortalSessions.SignInCookieName + "=", StringComparison.Ordinal));
        Assert.Contains("secure", signInCookie, StringComparison.OrdinalIgnoreCase);
        var token = signInCookie.Split(';')[0].Split('=', 2)[1];
        using var request = new HttpRequestMessage(HttpMethod.Post, "/portal/sign-in")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["key"] = tenant.Key, ["_csrf"] = token }),
        };
        request.Headers.Add("Cookie", $"{PortalSessions.SignInCookieName}={token}");
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        var session = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(PortalSessions.CookieName + "=", StringComparison.Ordinal));
        Assert.Contains("secure", session, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", session, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", session, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Pages_forbid_framing_inline_scripts_and_caching()
    {
        var tenant = await _api.NewTenantAsync();
        using var portal = await PortalClient.SignInAsync(_api.BaseUrl, tenant.Key);
        using var client = new HttpClient(new HttpClientHandler { CookieContainer = portal.Cookies }) { BaseAddress = _api.BaseUrl };
        using var response = await client.GetAsync("/portal/history");
        var policy = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self'", policy);
        Assert.Contains("frame-ancestors 'none'", policy);
        Assert.DoesNotContain("unsafe-inline", policy);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }
}
