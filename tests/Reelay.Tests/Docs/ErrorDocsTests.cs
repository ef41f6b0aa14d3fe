using System.Net;
using Microsoft.AspNetCore.Http;
using Reelay.Server.Features.Assets;
using Reelay.Server.Features.Docs;
using Reelay.Server.Features.Runway;
using Reelay.Server.Features.Tasks;
using Reelay.Server.Infrastructure;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Docs;

/// <summary>
/// /docs/errors and the server say the same thing: every docUrl an error can carry lands on a section of the page,
/// and the limits the page quotes are the ones the checks apply (probed at the limit and one past it).
/// </summary>
[Trait("Database", "independent")] // documents generated from the catalog and the routes: no database in their subject
public class ErrorDocsTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private static IEnumerable<ErrorEntry> Entries(DocAnchor anchor) => ErrorReference.Sections.Single(s => s.Anchor == anchor).Entries;

    private static string Text(DocAnchor anchor) =>
        string.Join("\n", ErrorReference.Sections.Where(s => s.Anchor == anchor).SelectMany(s => s.Entries.Select(e => $"{e.Message} | {e.Cause} | {e.Fix}").Prepend(s.Intro)));

    [Fact]
    public void Every_anchor_a_refusal_or_error_body_can_carry_has_exactly_one_section()
    {
        // DocAnchor's constructor is private, so these instances are every anchor an emitter can pass.
        var sections = ErrorReference.Sections.Select(s => s.Anchor).ToList();
        Assert.Equal(sections.Count, sections.Distinct().Count());
        Assert.Equal(DocAnchor.All.Select(a => a.Id).Order(), sections.Select(a => a.Id).Order());
        foreach (var failure in Enum.GetValues<SubmissionFailure>())
            Assert.Contains(RunwayDialect.Anchor(failure), sections);
    }

    [Fact]
    public async Task The_rendered_page_has_an_element_for_every_anchor_including_idempotency_overloaded_sandbox_daily_limit_and_credits()
    {
        using var response = await ReelayApi.Client.GetAsync(new Uri(fixture.Api.BaseUrl, "/docs/errors"));
        var html = await response.Content.ReadAsStringAsync();
        foreach (var anchor in DocAnchor.All) Assert.Contains($"id=\"{anchor.Id}\"", html);
        // Named here as strings on purpose: these are the docUrls clients already hold.
        foreach (var id in new[] { "idempotency", "overloaded", "sandbox", "daily-limit", "credits", "validation", "request-body", "authentication", "api-version" })
            Assert.Contains($"<h2 id=\"{id}\">", html);
        // The messages of the refusals that point at the new sections are quoted verbatim.
        Assert.Contains(WebUtility.HtmlEncode(Submission.OverloadedMessage), html);
        Assert.Contains(WebUtility.HtmlEncode(Reelay.Server.Features.Idempotency.IdempotencyKeys.MismatchMessage), html);
        Assert.Contains(WebUtility.HtmlEncode(Reelay.Server.Features.Idempotency.IdempotencyKeys.InFlightMessage), html);
    }

    [Fact]
    public async Task The_request_body_cap_quoted_is_the_cap_enforced()
    {
        var refused = await ReadAsync(JsonBody.MaxBytes + 1);
        Assert.Equal(413, refused.Status);
        Assert.Contains(Entries(DocAnchor.RequestBody), e => e.Status == "413" && e.Message == refused.Error);
        Assert.Equal(200, (await ReadAsync(JsonBody.MaxBytes)).Status);
        // Declared too large: refused before reading, with the same words.
        var context = new DefaultHttpContext();
        context.Request.ContentLength = JsonBody.MaxBytes + 1L;
        Assert.Equal(refused.Error, (await JsonBody.ReadAsync(context.Request, CancellationToken.None)).Error?.Message);
    }

    [Theory]
    [InlineData(AssetKind.Image, "image/png")]
    [InlineData(AssetKind.Video, "video/mp4")]
    [InlineData(AssetKind.Audio, "audio/mpeg")]
    public void The_data_uri_limit_quoted_is_the_limit_enforced(AssetKind kind, string mediaType)
    {
        var limit = AssetOptions.DataUriLimit(kind);
        // A parameter pads the header so the base64 payload keeps a length divisible by 4 at any total length.
        string Uri(long length)
        {
            var bare = $"data:{mediaType};p=;base64,".Length;
            var pad = (int)((length - bare) % 4);
            return $"data:{mediaType};p={new string('x', pad)};base64," + new string('A', (int)(length - bare - pad));
        }
        Assert.Null(DataUri.Decode(Uri(limit), kind).Reason);
        var reason = DataUri.Decode(Uri(limit + 1), kind).Reason;
        Assert.Equal(AssetRules.SizeExceeds(limit), reason);
        Assert.Contains($"{AssetRules.Megabytes(limit)} for {(kind == AssetKind.Audio ? "audio" : kind.ToString().ToLowerInvariant() + "s")}", Text(DocAnchor.Assets));
        if (kind == AssetKind.Image) Assert.Contains(Entries(DocAnchor.Assets), e => e.Message == reason);
    }

    [Fact]
    public void The_url_length_image_side_and_upload_limits_quoted_are_the_limits_enforced()
    {
        var assets = Text(DocAnchor.Assets);
        var url = "https://assets.example.com/" + new string('a', AssetRules.MaxHttpsUriChars - "https://assets.example.com/".Length);
        Assert.Null(AddressSafety.CheckUrl(url).Reason);
        Assert.Equal(AssetRules.InvalidUrl, AddressSafety.CheckUrl(url + "a").Reason);
        Assert.Contains($"longer than {AssetRules.MaxHttpsUriChars} characters", assets);

        Assert.Null(AssetRules.CheckImageGeometry(AssetRules.MaxSidePixels, AssetRules.MaxSidePixels / 2, 0.5, 2));
        Assert.NotNull(AssetRules.CheckImageGeometry(AssetRules.MaxSidePixels + 1, AssetRules.MaxSidePixels / 2, 0.5, 2));
        Assert.Contains($"longer than {AssetRules.MaxSidePixels} px", assets);

        Assert.Contains($"up to {AssetRules.Megabytes(AssetOptions.UploadLimit)}", assets);
        Assert.Contains($"older than {Reelay.Server.Features.Uploads.UploadStore.Lifetime.TotalHours} hours", assets);
        Assert.Contains($"{new AssetOptions().FetchTimeout.TotalSeconds} seconds", assets);
    }

    private static async Task<(int Status, string? Error)> ReadAsync(int length)
    {
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream(new byte[length]); // no Content-Length: the cap applies while reading
        var (_, status, error) = await JsonBody.ReadAsync(context.Request, CancellationToken.None);
        return (status, error?.Message);
    }
}
