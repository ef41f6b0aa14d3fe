using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Portal;

/// <summary>The request history's live tail, in a real headless Chromium: new requests appear without the user reloading.</summary>
public class PortalLiveTailTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly ReelayApi _api = fixture.Api;

    [Fact]
    public async Task A_live_history_page_shows_a_request_made_after_it_was_opened_and_keeps_its_filters()
    {
        var tenant = await _api.NewTenantAsync(name: "live-tail");
        var origin = _api.BaseUrl.ToString().TrimEnd('/');
        await using var browser = await PortalBrowser.LaunchAsync();
        var page = await browser.NewPageAsync();
        await page.GotoAsync(origin + "/portal/sign-in");
        await page.FillAsync("#key", tenant.Key);
        await page.ClickAsync(".signin button[type=submit]");
        await page.WaitForURLAsync("**/portal/history");

        await page.CheckAsync("input[name=live]");
        await page.CheckAsync("input[name=errors]");
        await page.ClickAsync("form.filters button[type=submit]");
        await page.WaitForURLAsync("**/portal/history?errors=1&live=1");
        Assert.Equal("3", await page.GetAttributeAsync("meta[http-equiv=refresh]", "content"));
        Assert.Equal(0, await page.Locator("table.history tbody tr").CountAsync());

        // Made after the page was opened: the page is never navigated by the test, its own refresh finds the request.
        var refused = await _api.PostAsync("/v1/text_to_video", tenant.Key, new { model = "gen4.5", promptText = "live", ratio = "1:1", duration = 2 });
        Assert.Equal(400, refused.Status);
        await page.Locator("table.history tbody tr", new() { HasTextString = "POST /v1/text_to_video" })
            .WaitForAsync(new() { Timeout = 30_000 });
        Assert.Contains("live=1", page.Url);
        Assert.True(await page.IsCheckedAsync("input[name=live]"));

        // Without live=1 there is no refresh.
        await page.GotoAsync(origin + "/portal/history");
        Assert.Equal(0, await page.Locator("meta[http-equiv=refresh]").CountAsync());
    }
}
