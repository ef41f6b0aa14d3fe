using System.Text.Json;
using Microsoft.Playwright;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Portal;

/// <summary>
/// What every portal page must satisfy in a real Chromium: no horizontal overflow (scrollWidth ≤ innerWidth), no
/// Content-Security-Policy violation, no serious or critical axe-core finding; and a screenshot for review.
/// </summary>
public static class PortalSweep
{
    public static readonly string ScreenshotDirectory = Path.Combine(AppContext.BaseDirectory, "portal-screenshots");

    private static readonly Lazy<string> Axe = new(() =>
    {
        var path = Path.Combine(TestPaths.RepositoryRoot, "tests", "portal-a11y", "node_modules", "axe-core", "axe.min.js");
        Assert.True(File.Exists(path), $"{path} is missing: run (cd tests/portal-a11y && npm ci)");
        return File.ReadAllText(path);
    });

    public static BrowserNewContextOptions Context(int width, ColorScheme scheme) => new()
    {
        ViewportSize = new ViewportSize { Width = width, Height = width < 600 ? 844 : 900 },
        ColorScheme = scheme,
        IsMobile = width < 600,
        HasTouch = width < 600,
        DeviceScaleFactor = 1,
    };

    /// <summary>Console errors of the page (CSP violations among them), collected from the moment this is called.</summary>
    public static List<string> WatchConsole(IPage page)
    {
        var errors = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") errors.Add(message.Text); };
        return errors;
    }

    /// <summary>Checks the page now shown; name is the screenshot's file name.</summary>
    public static async Task CheckAsync(IPage page, string name, bool accessibility, List<string> console)
    {
        var widths = await page.EvaluateAsync<JsonElement>("() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth })");
        var (scroll, inner) = (widths.GetProperty("scroll").GetInt32(), widths.GetProperty("inner").GetInt32());
        if (scroll > inner)
        {
            var culprits = await page.EvaluateAsync<string>(
                "() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)" +
                ".slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).join('; ')");
            Assert.Fail($"{name}: the page is {scroll} px wide in a {inner} px window ({culprits})");
        }
        Directory.CreateDirectory(ScreenshotDirectory);
        await page.ScreenshotAsync(new() { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = true });
        Assert.DoesNotContain(console, m => m.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase));
        if (!accessibility) return;
        // Evaluated through the DevTools protocol, so the page's own CSP (no inline script) stays as it is.
        await page.EvaluateAsync(Axe.Value);
        var violations = await page.EvaluateAsync<JsonElement>(
            "async () => (await axe.run(document, { resultTypes: ['violations'] })).violations" +
            ".filter(v => v.impact === 'serious' || v.impact === 'critical')" +
            ".map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))");
        Assert.True(violations.GetArrayLength() == 0, $"{name}: axe-core found {violations}");
    }
}
