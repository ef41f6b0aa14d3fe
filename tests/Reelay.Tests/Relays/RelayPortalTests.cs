using Microsoft.Playwright;
using Reelay.Tests.Infrastructure;
using Reelay.Tests.Portal;
using static Microsoft.Playwright.Assertions;

namespace Reelay.Tests.Relays;

/// <summary>
/// The relay in the portal, in a real Chromium: the task page names the engine that served the task and its upstream
/// task, and the operator's margin page shows the day's charge against the upstream's cost, both passing axe-core.
/// </summary>
public sealed class RelayPortalTests
{
    [Fact]
    public async Task The_task_page_names_the_relay_that_served_it_and_the_operator_sees_the_days_margin_per_model()
    {
        await using var pair = await RelayPair.StartAsync();
        var tenant = await pair.GatewayApi.NewTenantAsync(credits: 1000);
        var relayed = await pair.GatewayApi.CreateTextTaskAsync(tenant.Key);
        var localCreate = await pair.GatewayApi.PostAsync("/v1/image_to_video", tenant.Key,
            new { model = "gen4_turbo", promptImage = Infrastructure.Media.DataUri(640, 360), promptText = "slow push in", ratio = "1280:720", duration = 2 });
        Assert.True(localCreate.Status == 200, $"{localCreate.Status} {localCreate.Body}");
        var local = localCreate.Body.GetProperty("id").GetString()!;
        Assert.Equal("SUCCEEDED", (await pair.GatewayApi.WaitForAsync(tenant.Key, relayed, ReelayApi.IsTerminal)).GetProperty("status").GetString());
        Assert.Equal("SUCCEEDED", (await pair.GatewayApi.WaitForAsync(tenant.Key, local, ReelayApi.IsTerminal)).GetProperty("status").GetString());
        var (_, upstreamId, cost) = await pair.RelayedAsync(relayed);
        var origin = pair.Gateway.BaseUrl.ToString().TrimEnd('/');

        await using var browser = await PortalBrowser.LaunchAsync();
        var page = await browser.NewPageAsync(PortalSweep.Context(1280, ColorScheme.Light));
        var console = PortalSweep.WatchConsole(page);
        await SignInAsync(page, origin, tenant.Key);
        await page.GotoAsync($"{origin}/portal/tasks/{relayed}");
        await Expect(page.Locator("dd.task-engine")).ToHaveTextAsync($"relay:up · upstream task {upstreamId}");
        await PortalSweep.CheckAsync(page, "relay-task", accessibility: true, console);
        Assert.DoesNotContain(pair.UpstreamTenant.Key, await page.ContentAsync());
        await page.GotoAsync($"{origin}/portal/tasks/{local}");
        await Expect(page.Locator("dd.task-engine")).ToHaveTextAsync("preview");

        var admin = await browser.NewPageAsync(PortalSweep.Context(390, ColorScheme.Dark));
        var adminConsole = PortalSweep.WatchConsole(admin);
        await SignInAsync(admin, origin, ServerProcess.AdminToken);
        await admin.ClickAsync("nav a[href='/portal/operator/margin']");
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd");
        var row = admin.Locator($"table.margin tbody tr[data-model='gen4.5'][data-date='{today}']");
        await Expect(row.Locator("[data-field=charged]")).ToHaveTextAsync("24");
        await Expect(row.Locator("[data-field=upstream]")).ToHaveTextAsync($"{cost}");
        await Expect(row.Locator("[data-field=margin]")).ToHaveTextAsync($"{24 - cost}");
        // gen4_turbo ran on the catalog's local engine: no relay served it, so it is no part of the margin.
        await Expect(admin.Locator("table.margin tbody tr[data-model='gen4_turbo']")).ToHaveCountAsync(0);
        await PortalSweep.CheckAsync(admin, "relay-margin-390-dark", accessibility: true, adminConsole);
        Assert.DoesNotContain(pair.UpstreamTenant.Key, await admin.ContentAsync());

        await admin.GotoAsync($"{origin}/portal/operator/margin?from={today}&to=2000-01-01");
        await Expect(admin.Locator("[role=alert]")).ToHaveTextAsync("'from' must not be after 'to'.");
        await pair.AssertKeyNeverLoggedAsync();
    }

    private static async Task SignInAsync(IPage page, string origin, string key)
    {
        await page.GotoAsync(origin + "/portal/sign-in");
        await page.FillAsync("#key", key);
        await page.ClickAsync(".signin button[type=submit]");
        await page.WaitForURLAsync("**/portal/history");
    }
}
