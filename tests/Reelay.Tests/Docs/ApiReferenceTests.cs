using Reelay.Server.Features.Catalog;
using Reelay.Tests.Infrastructure;
using Reelay.Tests.Portal;
using static Microsoft.Playwright.Assertions;

namespace Reelay.Tests.Docs;

/// <summary>/docs is Scalar rendering /openapi/v1.json, in a real Chromium, with nothing loaded from elsewhere.</summary>
[Trait("Database", "independent")] // documents generated from the catalog and the routes: no database in their subject
public class ApiReferenceTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly ReelayApi _api = fixture.Api;

    [Fact]
    public async Task Docs_renders_the_catalog_generated_reference_offline_under_a_nonce_content_security_policy()
    {
        var origin = _api.BaseUrl.ToString().TrimEnd('/');
        await using var browser = await PortalBrowser.LaunchAsync();
        var page = await browser.NewPageAsync();
        var elsewhere = new List<string>();
        var problems = new List<string>();
        page.Request += (_, request) =>
        {
            if (!request.Url.StartsWith(origin + "/", StringComparison.Ordinal) && !request.Url.StartsWith("data:", StringComparison.Ordinal) && !request.Url.StartsWith("blob:", StringComparison.Ordinal))
                elsewhere.Add(request.Url);
        };
        page.Console += (_, message) => { if (message.Type == "error") problems.Add(message.Text); };
        page.PageError += (_, error) => problems.Add(error);

        var response = await page.GotoAsync(origin + "/docs");
        Assert.NotNull(response);
        Assert.EndsWith("/docs/", page.Url);
        var policy = await response.HeaderValueAsync("content-security-policy");
        Assert.NotNull(policy);
        Assert.Contains("script-src 'self' 'nonce-", policy);
        Assert.Contains("connect-src 'self'", policy);
        Assert.DoesNotContain("unsafe-eval", policy);

        // Scalar fetched the document and rendered it: the info block, an operation, and a model of the catalog.
        await Expect(page.GetByText("A self-hosted generative-video API").First).ToBeVisibleAsync();
        await Expect(page.GetByText("/v1/image_to_video").First).ToBeAttachedAsync();
        // The request body is the catalog's oneOf: the first model's member is shown with its price line.
        var first = ModelCatalog.Load(null).ServingEndpoint("image_to_video")[0];
        await Expect(page.GetByText($"{first.Id} on image_to_video: {first.Endpoints["image_to_video"].Price.PerSecond} credits per second").First).ToBeAttachedAsync();
        Assert.Equal(0, await page.GetByText("Deploy .NET").CountAsync()); // no toolbar linking to Scalar's services

        Assert.Empty(elsewhere);
        Assert.True(problems.Count == 0, "console errors:\n" + string.Join('\n', problems));
    }

    [Fact]
    public async Task Docs_errors_stays_the_error_reference_and_links_the_api_reference()
    {
        using var response = await ReelayApi.Client.GetAsync(new Uri(_api.BaseUrl, "/docs/errors"));
        Assert.Equal(200, (int)response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<h1>Errors and troubleshooting</h1>", html);
        Assert.Contains("href=\"/docs\"", html);
        Assert.Contains("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
    }
}
