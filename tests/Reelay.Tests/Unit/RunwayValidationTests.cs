using System.Text.Json;
using Reelay.Server.Features.Catalog;
using Reelay.Server.Features.Tasks;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Unit;

/// <summary>Each rule of the default catalog, called directly on the pure validator.</summary>
public class RunwayValidationTests
{
    private static readonly ModelCatalog Catalog = ModelCatalog.Load(null);
    private static readonly string Image = Media.DataUri(640, 360);

    private static readonly Reelay.Server.Features.Assets.AssetIntake Intake = TestIntake.Create();

    /// <summary>Shape validation plus asset intake, as the create pipeline runs them.</summary>
    private static List<ValidationIssue> Issues(string endpoint, object body) => Check(endpoint, body).Issues;

    private static CheckedRequest Check(string endpoint, object body) =>
        RequestChecks.CheckAsync(new CoreBody(endpoint, JsonSerializer.SerializeToElement(body)), Catalog, Intake, "org_none", CancellationToken.None)
            .GetAwaiter().GetResult();

    private static string PathOf(ValidationIssue issue) => string.Join(".", issue.Path);

    [Fact]
    public void A_complete_gen4_turbo_request_is_valid_and_defaults_duration_to_ten_seconds()
    {
        var request = Check("image_to_video", new { model = "gen4_turbo", promptImage = Image, ratio = "1280:720" });
        Assert.Empty(request.Issues);
        foreach (var (_, asset) in request.Assets) asset.DeleteIfTemporary();
        var plan = OutputPlanner.Plan(request.Endpoint!, request.Body!.Options, [], 1);
        Assert.Equal((10.0, 1280, 720, 50L), (plan.Seconds, plan.Width, plan.Height, Pricing.For(request.Endpoint!, request.Body.Options, plan).HoldCredits));
    }

    [Fact]
    public void Missing_or_unknown_models_are_reported_on_the_model_path()
    {
        var missing = Assert.Single(Issues("image_to_video", new { ratio = "1280:720" }));
        Assert.Equal(("invalid_type", "model", "Required"), (missing.Code, PathOf(missing), missing.Message));
        var unknown = Assert.Single(Issues("text_to_video", new { model = "gen4_turbo", promptText = "x", ratio = "1280:720" }));
        Assert.Equal("invalid_enum_value", unknown.Code);
        Assert.StartsWith("Invalid enum value. Expected 'gen4.5' | 'veo3.1' | 'veo3.1_fast' | 'hailuo3'", unknown.Message);
        // A model that exists on another endpoint says where it is served.
        Assert.EndsWith("received 'gen4_turbo'. gen4_turbo serves /v1/image_to_video, not /v1/text_to_video.", unknown.Message);
    }

    [Theory]
    [InlineData("gen4_turbo", "image_to_video", "promptImage,ratio")]
    [InlineData("gen4.5", "image_to_video", "duration,promptImage,promptText,ratio")]
    [InlineData("gen4.5", "text_to_video", "duration,promptText,ratio")]
    [InlineData("veo3.1", "image_to_video", "promptImage,ratio")]
    [InlineData("veo3.1_fast", "text_to_video", "promptText,ratio")]
    public void Every_required_field_of_each_model_is_reported_at_once(string model, string endpoint, string required)
    {
        var issues = Issues(endpoint, new { model });
        Assert.All(issues, i => Assert.Equal(("invalid_type", "Required"), (i.Code, i.Message)));
        Assert.Equal(required, string.Join(",", issues.Select(PathOf).Order(StringComparer.Ordinal)));
    }

    [Theory]
    [InlineData("gen4_turbo", "image_to_video", "1584:672", true)]
    [InlineData("gen4_turbo", "image_to_video", "1920:1080", false)]
    [InlineData("gen4.5", "text_to_video", "960:960", false)]
    [InlineData("veo3.1", "text_to_video", "1080:1920", true)]
    public void Ratios_are_checked_against_the_model_and_endpoint(string model, string endpoint, string ratio, bool valid)
    {
        var issues = Issues(endpoint, new { model, promptImage = Image, promptText = "x", ratio, duration = 8 }
            .ToDictionaryWithout(endpoint == "text_to_video" ? "promptImage" : null));
        Assert.Equal(valid, !issues.Any(i => PathOf(i) == "ratio"));
        if (!valid) Assert.Equal("invalid_enum_value", issues.Single(i => PathOf(i) == "ratio").Code);
    }

    [Theory]
    [InlineData("gen4_turbo", 1, "too_small")]
    [InlineData("gen4_turbo", 11, "too_big")]
    [InlineData("gen4.5", 2, null)]
    [InlineData("veo3.1", 5, "invalid_union")]
    [InlineData("veo3.1_fast", 6, null)]
    public void Durations_follow_each_models_range_or_allowed_values(string model, int duration, string? code)
    {
        var issues = Issues("image_to_video", new { model, promptImage = Image, promptText = "x", ratio = "1280:720", duration });
        Assert.Equal(code, issues.SingleOrDefault(i => PathOf(i) == "duration")?.Code);
    }

    [Fact]
    public void Wrong_types_out_of_range_seeds_and_long_prompts_are_all_reported_together()
    {
        var issues = Issues("text_to_video", new { model = "gen4.5", promptText = new string('a', 1001), ratio = 5, duration = 2.5, seed = -1 });
        // Issues follow the schema's field order, as Zod's do, not the body's.
        Assert.Equal("duration:invalid_type promptText:too_big ratio:invalid_type seed:too_small",
            string.Join(" ", issues.Select(i => $"{PathOf(i)}:{i.Code}")));
        Assert.Equal("Expected '1280:720' | '720:1280', received number", issues[2].Message);
        Assert.Single(Issues("text_to_video", new { model = "gen4.5", promptText = "", ratio = "1280:720", duration = 2 }), i => i.Code == "too_small");
        Assert.Single(Issues("text_to_video", new { model = "gen4.5", promptText = "x", ratio = "1280:720", duration = 2, seed = 4294967296 }), i => i.Code == "too_big");
    }

    [Fact]
    public void Unknown_fields_are_unrecognized_keys_and_promptImage_is_unknown_to_text_to_video()
    {
        var issue = Assert.Single(Issues("text_to_video", new { model = "gen4.5", promptText = "x", ratio = "1280:720", duration = 2, promptImage = Image, foo = 1 }));
        Assert.Equal("unrecognized_keys", issue.Code);
        Assert.Equal(["promptImage", "foo"], issue.Keys!);
        Assert.Empty(issue.Path);
    }

    [Fact]
    public void Content_moderation_is_only_accepted_by_models_that_declare_it_and_nested_errors_have_nested_paths()
    {
        var nested = Assert.Single(Issues("image_to_video", new { model = "gen4_turbo", promptImage = Image, ratio = "1280:720", contentModeration = new { publicFigureThreshold = "high" } }));
        Assert.Equal(("invalid_enum_value", "contentModeration.publicFigureThreshold"), (nested.Code, PathOf(nested)));
        var veo = Assert.Single(Issues("image_to_video", new { model = "veo3.1", promptImage = Image, ratio = "1280:720", contentModeration = new { publicFigureThreshold = "low" } }));
        Assert.Equal("unrecognized_keys", veo.Code);
    }

    [Fact]
    public void Prompt_image_arrays_are_checked_item_by_item_with_indexed_paths()
    {
        var issues = Issues("image_to_video", new
        {
            model = "veo3.1", ratio = "1280:720",
            promptImage = new object[] { new { uri = Image, position = "first" }, new { uri = "data:image/png;base64,xx", position = "middle" } },
        });
        Assert.Equal("promptImage.1.position:invalid_enum_value promptImage.1.uri:custom", string.Join(" ", issues.Select(i => $"{PathOf(i)}:{i.Code}")));
        Assert.Equal("Invalid data URI.", issues[1].Message);

        var duplicate = Issues("image_to_video", new
        {
            model = "veo3.1", ratio = "1280:720",
            promptImage = new object[] { new { uri = Image, position = "first" }, new { uri = Image, position = "first" } },
        });
        Assert.Equal(("custom", "promptImage"), (duplicate.Single().Code, PathOf(duplicate.Single())));
        Assert.Equal("too_small", Issues("image_to_video", new { model = "gen4_turbo", ratio = "1280:720", promptImage = Array.Empty<object>() }).Single().Code);
        Assert.Equal("invalid_union", Issues("image_to_video", new { model = "gen4_turbo", ratio = "1280:720", promptImage = 42 }).Single().Code);
    }

    [Theory]
    [InlineData("http://example.com/a.png", "Only HTTPS URLs are allowed.")]
    [InlineData("ftp://example.com/a.png", "Only HTTPS URLs are allowed.")]
    [InlineData("not a url", "Invalid URL")]
    [InlineData("https://127.0.0.1/a.png", "URLs must be hosted on a domain.")]
    [InlineData("runway://abc", "Unknown upload URI. Create an upload with POST /v1/uploads and use the runwayUri it returns.")]
    public void Non_data_uris_get_a_clear_custom_issue(string uri, string message)
    {
        var issue = Assert.Single(Issues("image_to_video", new { model = "gen4_turbo", promptImage = uri, ratio = "1280:720" }));
        Assert.Equal(("custom", "promptImage", message), (issue.Code, PathOf(issue), issue.Message));
    }
}

internal static class AnonymousObjectExtensions
{
    /// <summary>The object's properties as a dictionary, minus one, so one test body can serve two endpoints.</summary>
    public static Dictionary<string, object?> ToDictionaryWithout(this object value, string? without) =>
        value.GetType().GetProperties().Where(p => p.Name != without).ToDictionary(p => p.Name, p => p.GetValue(value));
}
