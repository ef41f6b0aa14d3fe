using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Reelay.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Reelay.Tests.Portal;

/// <summary>
/// Every portal page in a real headless Chromium at 1280 px and 390 px, light and dark, with axe-core; and the two
/// journeys of the issue: a developer chasing a failed request by task id, and an operator setting up an organization.
/// </summary>
public class PortalBrowserTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly ReelayApi _api = fixture.Api;
    private string Origin => _api.BaseUrl.ToString().TrimEnd('/');

    private static readonly (int Width, ColorScheme Scheme, bool Axe)[] Looks =
        [(1280, ColorScheme.Light, true), (1280, ColorScheme.Dark, false), (390, ColorScheme.Light, false), (390, ColorScheme.Dark, true)];

    private async Task SignInAsync(IPage page, string key)
    {
        await page.GotoAsync(Origin + "/portal/sign-in");
        await page.FillAsync("#key", key);
        await page.ClickAsync(".signin button[type=submit]");
        await page.WaitForURLAsync("**/portal/history");
    }

    /// <summary>The request log is written behind the requests: reloads a history search until a row with the text shows.</summary>
    private static async Task<ILocator> WaitForRowAsync(IPage page, string url, string text)
    {
        var row = page.Locator("table.history tbody tr", new() { HasTextString = text });
        for (var attempt = 0; attempt < 100; attempt++)
        {
            await page.GotoAsync(url);
            if (await row.CountAsync() > 0) return row;
            await page.WaitForTimeoutAsync(200);
        }
        throw new TimeoutException($"no history row with '{text}' at {url}");
    }

    [Fact]
    public async Task Every_page_fits_a_phone_and_a_desktop_in_light_and_dark_without_serious_accessibility_findings()
    {
        var tenant = await _api.NewTenantAsync(name: "sweep <org>");
        var video = await _api.CreateTextTaskAsync(tenant.Key, duration: 2);
        var image = await _api.PostAsync("/v1/image_to_video", tenant.Key,
            new { model = "gen4_turbo", promptImage = Reelay.Tests.Infrastructure.Media.DataUri(640, 360), promptText = "a long prompt " + new string('w', 300), ratio = "1280:720", duration = 2 });
        Assert.Equal(200, image.Status);
        var withInput = image.Body.GetProperty("id").GetString()!;
        await _api.WaitForAsync(tenant.Key, video, s => s == "SUCCEEDED");
        await _api.WaitForAsync(tenant.Key, withInput, s => s == "SUCCEEDED");
        var failed = await _api.PostAsync("/v1/text_to_video", tenant.Key, new { model = "gen4.5", promptText = "x", ratio = "999:1", duration = 99 });
        Assert.Equal(400, failed.Status);
        var operatorOrg = (await _api.AdminAsync(HttpMethod.Post, "/admin/v1/organizations", new { name = "Sweep operator view", credits = 10 })).GetProperty("id").GetString()!;

        await using var browser = await PortalBrowser.LaunchAsync();
        var setup = await browser.NewPageAsync();
        await SignInAsync(setup, tenant.Key);
        var failedRow = await WaitForRowAsync(setup, Origin + "/portal/history?errors=1", "POST /v1/text_to_video");
        var detail = await failedRow.Locator("a").First.GetAttributeAsync("href");
        var organizationPages = new[]
        {
            ("history", "/portal/history"), ("history-entry", detail!), ("tasks", "/portal/tasks"), ("task-video", "/portal/tasks/" + video),
            ("task-input", "/portal/tasks/" + withInput), ("keys", "/portal/keys"), ("usage", "/portal/usage"), ("assets", "/portal/assets"),
        };
        var operatorPages = new[] { ("operator-history", "/portal/history"), ("organizations", "/portal/organizations"), ("organization", "/portal/organizations/" + operatorOrg),
            ("relay-margin", "/portal/operator/margin") };

        foreach (var (width, scheme, axe) in Looks)
        {
            var look = $"{width}-{scheme.ToString().ToLowerInvariant()}";
            var page = await browser.NewPageAsync(PortalSweep.Context(width, scheme));
            var console = PortalSweep.WatchConsole(page);
            await page.GotoAsync(Origin + "/portal/sign-in");
            await PortalSweep.CheckAsync(page, $"sign-in-{look}", axe, console);
            await SignInAsync(page, tenant.Key);
            foreach (var (name, path) in organizationPages)
            {
                await page.GotoAsync(Origin + path);
                await PortalSweep.CheckAsync(page, $"{name}-{look}", axe, console);
            }
            var admin = await browser.NewPageAsync(PortalSweep.Context(width, scheme));
            var adminConsole = PortalSweep.WatchConsole(admin);
            await SignInAsync(admin, ServerProcess.AdminToken);
            foreach (var (name, path) in operatorPages)
            {
                await admin.GotoAsync(Origin + path);
                await PortalSweep.CheckAsync(admin, $"{name}-{look}", axe, adminConsole);
            }
            await page.Context.CloseAsync();
            await admin.Context.CloseAsync();
        }
        Assert.True(File.Exists(Path.Combine(PortalSweep.ScreenshotDirectory, "history-390-dark.png")));
    }

    [Fact]
    public async Task A_developer_finds_a_failed_request_by_task_id_reads_its_issues_reruns_it_as_curl_and_plays_the_task_video()
    {
        var tenant = await _api.NewTenantAsync(name: "curl journey");
        var taskId = await _api.CreateTextTaskAsync(tenant.Key, duration: 2);
        var done = await _api.WaitForAsync(tenant.Key, taskId, s => s == "SUCCEEDED");
        var outputUrl = done.GetProperty("output")[0].GetString()!;
        // The developer feeds the task's video into another request and gets the ratio wrong.
        var bad = await _api.PostAsync("/v1/video_to_video", tenant.Key, new { model = "gen4_aleph", videoUri = outputUrl, promptText = "make it rain", ratio = "999:1" });
        Assert.Equal(400, bad.Status);

        await using var browser = await PortalBrowser.LaunchAsync();
        var page = await browser.NewPageAsync(new() { Permissions = ["clipboard-read", "clipboard-write"] });
        var console = PortalSweep.WatchConsole(page);
        await SignInAsync(page, tenant.Key);

        // Search by the task id: its create (linked to the task) and the failed request that names it; its status polls are hidden.
        await WaitForRowAsync(page, Origin + "/portal/history?q=" + taskId, "POST /v1/video_to_video");
        await page.GotoAsync(Origin + "/portal/history");
        await page.FillAsync("input[name=q]", taskId);
        await page.ClickAsync("form.filters button[type=submit]");
        await Expect(page).ToHaveURLAsync(new Regex(@"/portal/history\?q=" + taskId + "$"));
        await Expect(page.Locator("input[name=q]")).ToHaveValueAsync(taskId);
        var failedRow = page.Locator("table.history tbody tr", new() { HasTextString = "POST /v1/video_to_video" });
        await Expect(failedRow).ToHaveCountAsync(1);
        await Expect(failedRow.Locator(".row-error")).ToContainTextAsync("ratio");
        var createRow = page.Locator("table.history tbody tr", new() { HasTextString = "POST /v1/text_to_video" });
        await Expect(createRow.Locator("a.task-link")).ToHaveAttributeAsync("href", "/portal/tasks/" + taskId);
        await Expect(page.Locator("table.history tbody tr", new() { HasTextString = "GET /v1/tasks/" })).ToHaveCountAsync(0);

        // Its issues, then copy as curl and run the copied command: the same answer, without the key in the command.
        await failedRow.Locator("a").First.ClickAsync();
        await Expect(page.Locator("ul.issues li code.issue-path").First).ToHaveTextAsync("ratio");
        await page.ClickAsync("button:text('Copy as curl')");
        await Expect(page.Locator("button:text('Copied')")).ToHaveCountAsync(1);
        var curl = await page.EvaluateAsync<string>("() => navigator.clipboard.readText()");
        Assert.StartsWith("curl -X POST '" + Origin + "/v1/video_to_video'", curl);
        Assert.DoesNotContain(tenant.Key, curl);
        var (exit, output) = await RunShellAsync(curl, tenant.Key);
        Assert.True(exit == 0, $"curl exited {exit}: {output}");
        Assert.Contains("\"ratio\"", output);
        Assert.Contains("Validation of body failed", output);

        // Open its task and play the video.
        await page.GoBackAsync();
        await page.ClickAsync($"a.task-link[href='/portal/tasks/{taskId}']");
        await page.WaitForURLAsync("**/portal/tasks/" + taskId);
        await Expect(page.Locator("table.params")).ToContainTextAsync("1280:720");
        await page.EvaluateAsync("() => { const v = document.querySelector('video.output'); v.muted = true; return v.play(); }");
        await page.WaitForFunctionAsync("() => document.querySelector('video.output').currentTime > 0.2");
        Assert.DoesNotContain(console, m => m.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task An_operator_creates_an_organization_and_a_key_and_grants_credits_that_the_key_then_spends()
    {
        await using var browser = await PortalBrowser.LaunchAsync();
        var page = await browser.NewPageAsync();
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        await SignInAsync(page, ServerProcess.AdminToken);
        await page.ClickAsync("nav a[href='/portal/organizations']");
        var name = "Operator journey " + Guid.NewGuid().ToString("N")[..6];
        await page.FillAsync("form.create-org input[name=name]", name);
        await page.ClickAsync("form.create-org button[type=submit]");
        await page.WaitForURLAsync(new Regex(@"/portal/organizations/org_[0-9a-f]+\?created=1$"));
        await Expect(page.Locator("h1")).ToHaveTextAsync(name);
        var orgId = new Uri(page.Url).AbsolutePath.Split('/')[^1];

        await page.FillAsync("form.create-key input[name=name]", "first key");
        await page.ClickAsync("form.create-key button[type=submit]");
        var secret = (await page.InnerTextAsync("#new-key-secret")).Trim();
        Assert.Matches("^key_[0-9a-f]{128}$", secret);

        await page.FillAsync("form.grant-credits input[name=credits]", "1500");
        await page.FillAsync("form.grant-credits input[name=reason]", "welcome credits");
        await page.ClickAsync("form.grant-credits button[type=submit]");
        await Expect(page.Locator(".notice.good")).ToContainTextAsync("Granted 1,500 credits");
        await Expect(page.Locator(".balance-value")).ToHaveTextAsync("1,500");
        Assert.DoesNotContain(secret, await page.ContentAsync()); // shown once, in the answer to the form only

        var organization = await _api.SendAsync(HttpMethod.Get, "/v1/organization", secret);
        Assert.Equal(200, organization.Status);
        Assert.Equal(1500, organization.Body.GetProperty("creditBalance").GetInt64());

        // The operator's history names the organization and filters by it with a select.
        await WaitForRowAsync(page, Origin + "/portal/history?org=" + orgId, "GET /v1/organization");
        await Expect(page.Locator("select[name=org] option[selected]")).ToHaveTextAsync(name);
        await Expect(page.Locator("table.history tbody tr").First).ToContainTextAsync(name);

        // Disabling the key from the organization page refuses it at once.
        await page.GotoAsync(Origin + "/portal/organizations/" + orgId);
        await page.Locator("table.keys tr", new() { HasTextString = "first key" }).Locator("button.danger").ClickAsync();
        await Expect(page.Locator("table.keys tr", new() { HasTextString = "first key" }).Locator(".key-state")).ToContainTextAsync("disabled");
        Assert.Equal(401, (await _api.SendAsync(HttpMethod.Get, "/v1/organization", secret)).Status);
    }

    /// <summary>Runs a copied command in bash with the key in the environment, as a developer's shell has it.</summary>
    private static async Task<(int Exit, string Output)> RunShellAsync(string command, string key)
    {
        var start = new ProcessStartInfo("bash", ["-c", command]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["RUNWAYML_API_SECRET"] = key;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        await stderr; // curl's progress meter
        return (process.ExitCode, await stdout);
    }
}
