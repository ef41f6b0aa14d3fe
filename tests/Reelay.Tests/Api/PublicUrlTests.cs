using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Api;

/// <summary>
/// Absolute URLs carry secrets (the upload token sits next to uploadUrl, output URLs are signed), so their host comes
/// from Server:PublicBaseUrl or a host this server knows as its own — never from whatever Host a request names.
/// </summary>
public class PublicUrlTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private static string Origin(Uri baseUrl) => baseUrl.GetLeftPart(UriPartial.Authority);

    private static async Task<(string UploadUrl, string DocUrl)> UrlsAsync(ReelayApi api, ReelayApi.Tenant tenant, Action<HttpRequestMessage> configure)
    {
        var upload = await api.SendAsync(HttpMethod.Post, "/v1/uploads", tenant.Key, new { filename = "a.png", type = "ephemeral" }, configure);
        Assert.Equal(200, upload.Status);
        var invalid = await api.SendAsync(HttpMethod.Post, "/v1/uploads", tenant.Key, new { filename = "a.png" }, configure);
        return (upload.Body.GetProperty("uploadUrl").GetString()!, invalid.Body.GetProperty("docUrl").GetString()!);
    }

    [Fact]
    public async Task A_forged_host_header_gets_urls_on_the_listening_address()
    {
        var tenant = await fixture.Api.NewTenantAsync();
        var (uploadUrl, docUrl) = await UrlsAsync(fixture.Api, tenant, r => r.Headers.Host = "evil.example");
        Assert.StartsWith(Origin(fixture.Server.BaseUrl) + "/uploads/", uploadUrl);
        Assert.StartsWith(Origin(fixture.Server.BaseUrl) + "/docs/errors#", docUrl);

        var (forwarded, _) = await UrlsAsync(fixture.Api, tenant, r => r.Headers.Add("X-Forwarded-Host", "evil.example"));
        Assert.StartsWith(Origin(fixture.Server.BaseUrl) + "/uploads/", forwarded);
    }

    [Fact]
    public async Task Loopback_names_are_this_servers_own_and_keep_their_port()
    {
        var tenant = await fixture.Api.NewTenantAsync();
        var host = $"localhost:{fixture.Server.BaseUrl.Port}";
        var (uploadUrl, _) = await UrlsAsync(fixture.Api, tenant, r => r.Headers.Host = host);
        Assert.StartsWith($"http://{host}/uploads/", uploadUrl);
    }

    [Fact]
    public async Task Server_public_base_url_is_the_base_of_every_url_whatever_the_host()
    {
        await using var server = await ServerProcess.StartAsync(settings: new Dictionary<string, string> { ["Server:PublicBaseUrl"] = "https://reelay.example/" });
        var api = new ReelayApi(server);
        var tenant = await api.NewTenantAsync();
        var (uploadUrl, docUrl) = await UrlsAsync(api, tenant, r => r.Headers.Host = "evil.example");
        Assert.StartsWith("https://reelay.example/uploads/", uploadUrl);
        Assert.StartsWith("https://reelay.example/docs/errors#", docUrl);
    }

    [Fact]
    public async Task Allowed_hosts_and_trusted_proxies_let_a_proxy_name_the_public_host()
    {
        await using var server = await ServerProcess.StartAsync(settings: new Dictionary<string, string>
        {
            ["Server:AllowedHosts"] = "videos.example,*.cdn.example",
            ["Server:TrustedProxies"] = "127.0.0.1",
        });
        var api = new ReelayApi(server);
        var tenant = await api.NewTenantAsync();
        Assert.StartsWith("http://videos.example/uploads/", (await UrlsAsync(api, tenant, r => r.Headers.Host = "videos.example")).UploadUrl);
        Assert.StartsWith("http://eu.cdn.example/uploads/", (await UrlsAsync(api, tenant, r => r.Headers.Host = "eu.cdn.example")).UploadUrl);
        var proxied = await UrlsAsync(api, tenant, r =>
        {
            r.Headers.Add("X-Forwarded-For", "203.0.113.9");
            r.Headers.Add("X-Forwarded-Host", "videos.example");
            r.Headers.Add("X-Forwarded-Proto", "https");
        });
        Assert.StartsWith("https://videos.example/uploads/", proxied.UploadUrl);
        // Even a trusted proxy forwards whatever Host its client sent: the forwarded host still has to be allowed.
        var forged = await UrlsAsync(api, tenant, r =>
        {
            r.Headers.Add("X-Forwarded-For", "203.0.113.9");
            r.Headers.Add("X-Forwarded-Host", "evil.example");
        });
        Assert.StartsWith(Origin(server.BaseUrl) + "/uploads/", forged.UploadUrl);
    }
}
