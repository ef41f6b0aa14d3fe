using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Api;

/// <summary>What a newcomer meets first: the root URL, and a mistyped route.</summary>
public class FrontDoorTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly ReelayApi _api = fixture.Api;

    [Fact]
    public async Task The_root_sends_a_browser_to_the_portal_and_gives_an_api_client_its_links()
    {
        using var browser = new HttpRequestMessage(HttpMethod.Get, new Uri(_api.BaseUrl, "/"));
        browser.Headers.Accept.ParseAdd("text/html,application/xhtml+xml");
        using var handler = new HttpClientHandler { AllowAutoRedirect = false };
        using var client = new HttpClient(handler);
        using var redirect = await client.SendAsync(browser);
        Assert.Equal(("/portal", 302), (redirect.Headers.Location?.ToString(), (int)redirect.StatusCode));

        var api = await _api.SendAsync(HttpMethod.Get, "/", null);
        Assert.Equal(200, api.Status);
        Assert.EndsWith("/docs", api.Body.GetProperty("links").GetProperty("apiReference").GetString());
        Assert.EndsWith("/openapi/v1.json", api.Body.GetProperty("links").GetProperty("openapi").GetString());
    }

    [Fact]
    public async Task A_mistyped_route_suggests_the_nearest_one()
    {
        var tenant = await _api.NewTenantAsync();
        var reply = await _api.PostAsync("/v1/text-to-video", tenant.Key, new { model = "gen4.5" });
        Assert.Equal(404, reply.Status);
        Assert.Equal("No route matches POST /v1/text-to-video. Did you mean POST /v1/text_to_video?", reply.Error);
        var far = await _api.SendAsync(HttpMethod.Get, "/v1/something/else/entirely", tenant.Key);
        Assert.DoesNotContain("Did you mean", far.Error);
    }
}
