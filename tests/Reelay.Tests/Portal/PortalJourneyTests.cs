using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Reelay.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Reelay.Tests.Portal;

/// <summary>The portal as a developer uses it, in a real headless Chromium against a real server.</summary>
public class PortalJourneyTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly ReelayApi _api = fixture.Api;

    [Fact]
    public async Task A_developer_signs_in_finds_a_failed_sdk_request_plays_a_video_creates_and_disables_a_key_and_signs_out()
    {
        var tenant = await _api.NewTenantAsync(name: "journey");
        var bad = await SdkScenario.RunAsync(_api.BaseUrl, "bad-ratio", tenant.Key);
        Assert.Equal(400, bad.GetProperty("status").GetInt32());
        var taskId = await _api.CreateTextTaskAsync(tenant.Key, duration: 2);
        await _api.WaitForAsync(tenant.Key, taskId, s => s == "SUCCEEDED");
        var origin = _api.BaseUrl.ToString().TrimEnd('/');

        await using var browser = await PortalBrowser.LaunchAsync();
        var page = await browser.NewPageAsync();
        // No CDN: every request the pages make goes to this server.
        var elsewhere = new List<string>();
        page.Request += (_, request) => { if (!request.Url.StartsWith(origin + "/", StringComparison.Ordinal) && !request.Url.StartsWith("data:", StringComparison.Ordinal)) elsewhere.Add(request.Url); };

        // Sign in with the key; the browser keeps only an HttpOnly session cookie.
        await page.GotoAsync(origin + "/portal");
        Assert.Contains("/portal/sign-in", page.Url);
        await page.FillAsync("#key", tenant.Key);
        await page.ClickAsync(".signin button[type=submit]");
        await page.WaitForURLAsync("**/portal/history");
        var cookies = await page.Context.CookiesAsync();
        Assert.Contains(cookies, c => c.Name == "reelay_portal" && c.HttpOnly && c.SameSite == SameSiteAttribute.Strict);
        Assert.DoesNotContain(cookies, c => c.Value.Contains(tenant.Key[4..20]));
        Assert.DoesNotContain("reelay_portal", await page.EvaluateAsync<string>("() => document.cookie"));
        Assert.DoesNotContain(tenant.Key, await page.EvaluateAsync<string>("() => JSON.stringify(localStorage) + JSON.stringify(sessionStorage)"));

        // Request History, errors only, this endpoint: the SDK's failed request (written behind, so it may take a moment).
        var row = page.Locator("table.history tbody tr", new() { HasTextString = "POST /v1/image_to_video" });
        for (var attempt = 0; attempt < 50; attempt++)
        {
            await page.GotoAsync(origin + "/portal/history");
            await page.CheckAsync("input[name=errors]");
            await page.SelectOptionAsync("select[name=endpoint]", "POST /v1/image_to_video");
            await page.ClickAsync("form.filters button[type=submit]");
            await Expect(page).ToHaveURLAsync(new Regex(@"/portal/history\?errors=1&endpoint=POST"));
            await Expect(page.Locator("input[name=errors]")).ToBeCheckedAsync();
            if (await row.CountAsync() > 0) break;
            await Task.Delay(200);
        }
        Assert.Equal(1, await row.CountAsync());
        foreach (var status in await page.Locator("table.history tbody tr").EvaluateAllAsync<int[]>("rows => rows.map(r => +r.dataset.status)"))
            Assert.True(status >= 400, $"errors only showed a {status}: {await page.InnerTextAsync("table.history")}");
        // Open the entry through its own link; navigating to the href (rather than clicking) avoids racing
        // the history page's own load, which made this step time out once on a loaded machine.
        var detail = await row.Locator("a").First.GetAttributeAsync("href");
        Assert.Matches(@"^/portal/history/\d+", detail);
        await page.GotoAsync(new Uri(new Uri(origin), detail).ToString());
        await Expect(page.Locator("ul.issues li code.issue-path").First).ToHaveTextAsync("ratio");
        await Expect(page.Locator("ul.issues li .issue-message").First).ToContainTextAsync("Invalid enum value");
        Assert.Equal("/docs/errors#validation", await page.GetAttributeAsync("a.doc-link", "href"));
        // The SDK's data URI is stored as its summary only.
        await Expect(page.Locator("pre.request-body")).ToContainTextAsync("\"redacted\": true");
        Assert.DoesNotContain("iVBORw0KGgo", await page.InnerTextAsync("pre.request-body"));

        // Tasks: the finished task's video loads in the page through its signed URL.
        await page.ClickAsync("nav a[href='/portal/tasks']");
        await page.ClickAsync($"a[href='/portal/tasks/{taskId}']");
        await page.WaitForFunctionAsync("() => { const v = document.querySelector('video'); return v && v.readyState >= 1 && v.duration > 0; }");
        Assert.InRange(await page.EvaluateAsync<double>("() => document.querySelector('video').duration"), 1.5, 2.5);

        // API keys: a new key is shown once, works, and once disabled gets 401.
        await page.ClickAsync("nav a[href='/portal/keys']");
        await page.FillAsync("input[name=name]", "made in the portal");
        await page.ClickAsync("form.filters button[type=submit]");
        var secret = (await page.InnerTextAsync("#new-key-secret")).Trim();
        Assert.Matches("^key_[0-9a-f]{128}$", secret);
        Assert.Equal(1, await page.Locator("button[data-copy='new-key-secret']").CountAsync());
        Assert.Equal(200, (await _api.SendAsync(HttpMethod.Get, "/v1/organization", secret)).Status);
        await page.GotoAsync(origin + "/portal/keys");
        Assert.DoesNotContain(secret, await page.ContentAsync());
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        var keyRow = page.Locator("table.keys tr", new() { HasTextString = "made in the portal" });
        await keyRow.Locator("button.danger").ClickAsync();
        await Expect(keyRow.Locator(".key-state")).ToContainTextAsync("disabled");
        var refused = await _api.SendAsync(HttpMethod.Get, "/v1/organization", secret);
        Assert.Equal(401, refused.Status);

        // Sign out: the session is gone, pages send you back to sign-in.
        await page.ClickAsync("header .who button");
        await page.WaitForURLAsync("**/portal/sign-in?signedOut=1");
        await page.GotoAsync(origin + "/portal/history");
        Assert.Contains("/portal/sign-in", page.Url);
        Assert.Empty(elsewhere);
    }
}
