using System.Text.Json;
using Reelay.Server.Features.Catalog;
using Reelay.Server.Features.Tasks;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Catalog;

/// <summary>
/// What a request to the image and transform endpoints plans and costs: the catalog's validation, real intake of
/// data-URI inputs, the planner and the pricing, as pure functions of the body.
/// </summary>
public sealed class ImageEndpointPlanningTests
{
    private static readonly ModelCatalog Catalog = ModelCatalog.Load(null);
    private static readonly Reelay.Server.Features.Assets.AssetIntake Intake = TestIntake.Create();

    private static string VideoUri(double seconds) => "data:video/mp4;base64," + Convert.ToBase64String(Media.Video(640, 360, seconds));

    private static async Task<CheckedRequest> CheckAsync(string endpoint, object body) =>
        await RequestChecks.CheckAsync(new CoreBody(endpoint, JsonSerializer.SerializeToElement(body)), Catalog, Intake, "org_none", CancellationToken.None);

    /// <summary>The plan and the credits held, with the inputs as the submission would store them.</summary>
    private static async Task<(OutputPlan Plan, TaskPrice Price)> PlanAsync(string endpoint, object body)
    {
        var checkedRequest = await CheckAsync(endpoint, body);
        Assert.True(checkedRequest.Issues.Count == 0, string.Join("; ", checkedRequest.Issues.Select(i => $"{string.Join('.', i.Path)}: {i.Message}")));
        var media = checkedRequest.Assets.Select(a => new MediaInput(a.Input.Index, a.Input.Kind.ToString().ToLowerInvariant(), a.Input.Role,
            string.Join(".", a.Input.Path), "", a.Asset.MediaType, a.Asset.Width, a.Asset.Height, a.Asset.DurationSeconds)).ToList();
        foreach (var (_, asset) in checkedRequest.Assets) asset.DeleteIfTemporary();
        var plan = OutputPlanner.Plan(checkedRequest.Endpoint!, checkedRequest.Body!.Options, media, 1);
        return (plan, Pricing.For(checkedRequest.Endpoint!, checkedRequest.Body.Options, plan));
    }

    [Fact]
    public async Task Gen4_image_costs_five_credits_at_720p_and_eight_at_1080p()
    {
        Assert.Equal(5, (await PlanAsync("text_to_image", new { model = "gen4_image", promptText = "x", ratio = "1280:720" })).Price.HoldCredits);
        Assert.Equal(8, (await PlanAsync("text_to_image", new { model = "gen4_image", promptText = "x", ratio = "1920:1080" })).Price.HoldCredits);
        Assert.Equal(2, (await PlanAsync("text_to_image", new { model = "gen4_image_turbo", promptText = "x", ratio = "1920:1080", referenceImages = new[] { new { uri = Media.DataUri() } } })).Price.HoldCredits);
    }

    [Fact]
    public async Task OutputCount_multiplies_the_price_and_the_files_and_reference_images_add_per_image()
    {
        var (plan, price) = await PlanAsync("text_to_image", new { model = "muse_image", promptText = "x", ratio = "1600:1600", outputCount = 4, outputFormat = "webp" });
        Assert.Equal(("image", 1600, 1600, 4, "webp"), (plan.Kind, plan.Width, plan.Height, plan.Count, plan.Format));
        Assert.Equal(4, price.HoldCredits);
        // grok: 4 a medium 1K image, +2 at 2K, +1 per reference image; three images.
        var refs = new[] { new { uri = Media.DataUri() }, new { uri = Media.DataUri(320, 320) } };
        Assert.Equal(3 * (4 + 2 + 2), (await PlanAsync("text_to_image", new { model = "grok_imagine_image_2", promptText = "x", ratio = "2048:2048", outputCount = 3, referenceImages = refs })).Price.HoldCredits);
        Assert.Equal(2 * (4 - 2), (await PlanAsync("text_to_image", new { model = "grok_imagine_image_2", promptText = "x", ratio = "1024:1024", outputCount = 2, quality = "low" })).Price.HoldCredits);
    }

    [Fact]
    public async Task A_transparent_background_plans_a_png_with_alpha_and_the_default_format_is_png()
    {
        var (transparent, _) = await PlanAsync("text_to_image", new { model = "gpt_image_2", promptText = "x", ratio = "1920:1088", background = "transparent" });
        Assert.Equal(("png", true), (transparent.Format, transparent.Alpha));
        var (opaque, _) = await PlanAsync("text_to_image", new { model = "gemini_2.5_flash", promptText = "x", ratio = "1344:768" });
        Assert.Equal(("png", false, 1344, 768), (opaque.Format, opaque.Alpha, opaque.Width, opaque.Height));
    }

    [Fact]
    public async Task Sizes_beyond_the_preview_bound_keep_their_shape_and_auto_sizes_are_square_without_an_image()
    {
        var (wide, _) = await PlanAsync("text_to_image", new { model = "gemini_image3.1_flash", promptText = "x", ratio = "11264:1408" });
        Assert.Equal((3840, 480), (wide.Width, wide.Height));
        var (auto, _) = await PlanAsync("text_to_image", new { model = "seedream5_pro", promptText = "x", ratio = "auto_2k" });
        Assert.Equal((1440, 1440), (auto.Width, auto.Height));
        var (free, _) = await PlanAsync("text_to_image", new { model = "seedream5_lite", promptText = "x", ratio = "2000:2000" });
        Assert.Equal((2000, 2000), (free.Width, free.Height));
    }

    [Fact]
    public async Task A_free_form_size_outside_the_pixel_bounds_and_a_reused_tag_are_refused()
    {
        var small = await CheckAsync("text_to_image", new { model = "seedream5_lite", promptText = "x", ratio = "1000:1000" });
        Assert.Contains(small.Issues, i => i.Path.SequenceEqual(["ratio"]));
        var tags = await CheckAsync("text_to_image", new { model = "gpt_image_2", promptText = "x", ratio = "auto",
            referenceImages = new[] { new { uri = Media.DataUri(), tag = "fox" }, new { uri = Media.DataUri(), tag = "fox" } } });
        Assert.NotEmpty(tags.Issues);
        var badTag = await CheckAsync("text_to_image", new { model = "gen4_image", promptText = "x", ratio = "1280:720", referenceImages = new[] { new { uri = Media.DataUri(), tag = "1fox" } } });
        Assert.Contains(badTag.Issues, i => i.Code == "invalid_string" && i.Path.SequenceEqual<object>(["referenceImages", 0, "tag"]));
        var edit = await CheckAsync("text_to_image", new { model = "grok_imagine_image_2", promptText = "x", ratio = "1024:1024", edit = true });
        Assert.Contains(edit.Issues, i => i.Message == "edit requires at least one reference image.");
    }

    [Fact]
    public async Task An_image_upscale_multiplies_the_sources_sides_and_refuses_an_output_over_25_3_megapixels()
    {
        var (plan, price) = await PlanAsync("image_upscale", new { model = "magnific_precision_upscaler_v2", imageUri = Media.DataUri(), scaleFactor = 4 });
        Assert.Equal((2560, 1440, 20L), (plan.Width, plan.Height, price.HoldCredits));
        var (defaults, _) = await PlanAsync("image_upscale", new { model = "magnific_precision_upscaler_v2", imageUri = Media.DataUri() });
        Assert.Equal((1280, 720), (defaults.Width, defaults.Height));
        var tooLarge = await CheckAsync("image_upscale", new { model = "magnific_precision_upscaler_v2", imageUri = Media.DataUri(), scaleFactor = 16 });
        Assert.Contains(tooLarge.Issues, i => i.Path.SequenceEqual(["imageUri"]) && i.Message.Contains("25300000 pixels", StringComparison.Ordinal));
        var tooSmall = await CheckAsync("image_upscale", new { model = "magnific_precision_upscaler_v2", imageUri = Media.DataUri(200, 200) });
        Assert.Contains(tooSmall.Issues, i => i.Message.Contains("at least 300px", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Video_transforms_take_their_length_from_the_source_and_their_size_from_resolution_or_the_source()
    {
        var video = VideoUri(3);
        var (upscale, upscalePrice) = await PlanAsync("video_upscale", new { model = "magnific_video_upscaler_creative", videoUri = video, resolution = "720p", fpsBoost = true });
        Assert.Equal((1280, 720, 3.0, 60.0, 30L), (upscale.Width, upscale.Height, upscale.Seconds, upscale.FrameRate, upscalePrice.HoldCredits));
        var (retime, _) = await PlanAsync("video_upscale", new { model = "enhance_frame_rate", videoUri = video, targetFramerate = "29_97" });
        Assert.Equal((640, 360, 3.0), (retime.Width, retime.Height, retime.Seconds));
        Assert.Equal(30000.0 / 1001, retime.FrameRate!.Value, 6);
        var (hdr, hdrPrice) = await PlanAsync("video_to_hdr", new { model = "ruby", videoUri = video });
        Assert.Equal(("hdr10", 640, 360, 60L), (hdr.Format, hdr.Width, hdr.Height, hdrPrice.HoldCredits));
        var (prores, _) = await PlanAsync("video_to_hdr", new { model = "ruby", videoUri = video, outputFormat = "hdr_prores" });
        Assert.Equal("422 HQ", prores.ProresProfile);
        var profile = await CheckAsync("video_to_hdr", new { model = "ruby", videoUri = video, proresProfile = "4444" });
        Assert.Contains(profile.Issues, i => i.Message == "proresProfile is only valid when outputFormat is 'hdr_prores'.");
    }

    [Fact]
    public async Task A_character_performance_lasts_as_long_as_its_reference_and_refuses_one_under_three_seconds()
    {
        var (plan, price) = await PlanAsync("character_performance", new
        {
            model = "act_two", character = new { type = "image", uri = Media.DataUri() }, reference = new { type = "video", uri = VideoUri(4) }, ratio = "960:960",
        });
        Assert.Equal((960, 960, 4.0, 20L), (plan.Width, plan.Height, plan.Seconds, price.HoldCredits));
        var (fromVideo, _) = await PlanAsync("character_performance", new
        {
            model = "act_two", character = new { type = "video", uri = VideoUri(2) }, reference = new { type = "video", uri = VideoUri(3) },
        });
        Assert.Equal((1280, 720, 3.0), (fromVideo.Width, fromVideo.Height, fromVideo.Seconds));
        var shortReference = await CheckAsync("character_performance", new
        {
            model = "act_two", character = new { type = "image", uri = Media.DataUri() }, reference = new { type = "video", uri = VideoUri(2) },
        });
        Assert.Contains(shortReference.Issues, i => i.Path.SequenceEqual<object>(["reference", "uri"]));
    }
}
