using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Reelay.Server.Features.Catalog;
using Reelay.Server.Features.RunBlob;
using Reelay.Server.Features.Tasks;
using Reelay.Server.Features.Webhooks;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.RunBlob;

/// <summary>The pure rules of the RunBlob families: what a body plans and costs, retry schedules, failure codes, labels.</summary>
public class RunBlobRulesTests
{
    private static readonly ModelCatalog Catalog = ModelCatalog.Load(null);
    private static readonly Reelay.Server.Features.Assets.AssetIntake Intake = TestIntake.Create();

    private static RunBlobFamily Family(string path) => RunBlobEndpoints.Families.Single(f => f.Path == path);

    /// <summary>A family body through its mapping, the catalog's validation, the planner and the pricing.</summary>
    private static (OutputPlan Plan, long Credits) Plan(string path, object body)
    {
        var mapped = Family(path).Map(JsonSerializer.SerializeToElement(body), Catalog);
        Assert.True(mapped.Core is not null, $"refused: {mapped.Error}");
        var checkedRequest = RequestChecks.CheckAsync(mapped.Core!, Catalog, Intake, "org_none", CancellationToken.None).GetAwaiter().GetResult();
        Assert.True(checkedRequest.Issues.Count == 0, string.Join("; ", checkedRequest.Issues.Select(i => i.Message)));
        var plan = OutputPlanner.Plan(checkedRequest.Endpoint!, checkedRequest.Body!.Options, [], 1);
        return (plan, Pricing.For(checkedRequest.Endpoint!, checkedRequest.Body.Options, plan).HoldCredits);
    }

    [Fact]
    public void Each_familys_body_plans_the_documented_size_length_audio_and_price()
    {
        Assert.Equal((new OutputPlan("video", 720, 1280, 8, true, "mp4", null, 1), 25L), Plan("veo", new { prompt = "a lighthouse at dusk", aspect_ratio = "9:16", seed = 1 }));
        Assert.Equal(("video", 1920, 1080, 5.0, true, 40L), Summary(Plan("kling", new { prompt = "x", model = "kling_2.6", aspect_ratio = "16:9" })));
        Assert.Equal(("video", 1280, 720, 15.0, false, 60L), Summary(Plan("kling", new { prompt = "x", model = "kling_3", duration = 15 })));
        Assert.Equal(("video", 1080, 1920, 15.0, false, 60L), Summary(Plan("kling/o3-video", new { prompt = "x", model = "kling_o3_pro", duration = "15", aspect_ratio = "9:16" })));
        Assert.Equal(("video", 720, 720, 10.0, false, 60L), Summary(Plan("kling/o1-video", new { prompt = "x", duration = "10", aspect_ratio = "1:1" })));
        Assert.Equal(("image", 2160, 2160, 5.0, false, 5L), Summary(Plan("kling/o3-photo", new { prompt = "x" })));
        Assert.Equal(("image", 1440, 1440, 5.0, false, 3L), Summary(Plan("kling/o1-photo", new { prompt = "x" })));
        Assert.Equal(("image", 3840, 2160, 5.0, false, 4L), Summary(Plan("gemini", new { prompt = "x", model = "pro", quality = "4k", aspect_ratio = "16:9" })));
        Assert.Equal(("image", 1024, 1024, 5.0, false, 2L), Summary(Plan("chatgpt-images", new { prompt = "x" })));
        Assert.Equal("png", Plan("gemini", new { prompt = "x" }).Plan.Format);
    }

    private static (string, int, int, double, bool, long) Summary((OutputPlan Plan, long Credits) p) =>
        (p.Plan.Kind, p.Plan.Width, p.Plan.Height, p.Plan.Seconds, p.Plan.Audio, p.Credits);

    [Fact]
    public void Each_family_retries_on_its_documented_schedule_and_operators_can_override_them()
    {
        var options = new WebhookOptions();
        double[] Delays(string path) => [.. options.RetryDelaysFor(Family(path).Schedule).Select(d => d.TotalSeconds)];
        foreach (var exponential in new[] { "sora", "kling" }) Assert.Equal([30, 60, 120, 240, 480], Delays(exponential));
        foreach (var linear in new[] { "veo", "kling/o1-video", "kling/o3-video", "kling/o1-photo", "kling/o3-photo", "chatgpt-images" })
            Assert.Equal([30, 30, 30, 30], Delays(linear));
        Assert.Equal([30, 30, 30], Delays("gemini"));
        Assert.Equal(TimeSpan.FromSeconds(5), options.AttemptTimeoutFor(Family("gemini").Schedule));
        Assert.Equal(TimeSpan.FromSeconds(30), options.AttemptTimeoutFor(Family("veo").Schedule));

        var configured = WebhookOptions.From(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Webhooks:Schedules:linear"] = "1,2",
            ["Webhooks:RetryDelaysSeconds"] = "5",
        }).Build());
        Assert.Equal([1, 2], configured.RetryDelaysFor(Family("veo").Schedule).Select(d => d.TotalSeconds));
        Assert.Equal([5], configured.RetryDelaysFor(Family("kling").Schedule).Select(d => d.TotalSeconds));
        Assert.Equal([30, 30, 30], configured.RetryDelaysFor(Family("gemini").Schedule).Select(d => d.TotalSeconds));
    }

    [Theory]
    [InlineData("SAFETY.INPUT.IMAGE", "PHOTOREAL_UPLOAD", "CONTENT_POLICY_VIOLATION", "MODERATION_FAILED")]
    [InlineData("SAFETY.INPUT.TEXT", "UNSAFE_CONTENT", "CONTENT_POLICY_VIOLATION", "MODERATION_FAILED")]
    [InlineData("INPUT_PREPROCESSING.SAFETY.TEXT", "UNSAFE_CONTENT", "CONTENT_POLICY_VIOLATION", "MODERATION_FAILED")]
    [InlineData("SAFETY.OUTPUT.VIDEO", "MODERATION_FAILED", "CONTENT_POLICY_VIOLATION", "MODERATION_FAILED")]
    [InlineData("ASSET.INVALID", "INVALID_IMAGE", "INVALID_IMAGE", "INVALID_IMAGE")]
    [InlineData("THIRD_PARTY.UNAVAILABLE", "GOOGLE_DECLINED", "TASK_FAILED", "TASK_FAILED")]
    [InlineData("INTERNAL", "TASK_FAILED", "TASK_FAILED", "TASK_FAILED")]
    [InlineData("INTERNAL.BAD_OUTPUT.CODE01", "TASK_FAILED", "TASK_FAILED", "TASK_FAILED")]
    [InlineData("TIMEOUT", "TIMEOUT", "TIMEOUT", "TIMEOUT")]
    [InlineData("IMAGE_INACCESSIBLE", "IMAGE_INACCESSIBLE", "IMAGE_INACCESSIBLE", "IMAGE_INACCESSIBLE")]
    public void Core_failure_codes_read_in_each_familys_vocabulary(string core, string veo, string kling, string images)
    {
        var row = new TaskRow { Status = TaskStates.Failed, FailureCode = core };
        Assert.Equal((veo, kling, images), (RunBlobMapping.Code(row, FailureCodes.Veo), RunBlobMapping.Code(row, FailureCodes.Kling), RunBlobMapping.Code(row, FailureCodes.Generic)));
    }

    [Fact]
    public void Sora_keeps_its_prose_for_the_same_failures()
    {
        Assert.Contains("photorealistic people", RunBlobMapping.ErrorMessage(new TaskRow { Status = TaskStates.Failed, FailureCode = "SAFETY.INPUT.IMAGE" }));
        Assert.Contains("policy", RunBlobMapping.ErrorMessage(new TaskRow { Status = TaskStates.Failed, FailureCode = "SAFETY.INPUT.TEXT" }));
    }

    [Theory]
    [InlineData("kling_2.5_turbo_pro", "2.5")]
    [InlineData("kling_3", "3")]
    [InlineData("kling_2.1_master", "2.1")]
    [InlineData("kling_1.6", "1.6")]
    public void Kling_versions_come_from_the_model_name(string model, string version) => Assert.Equal(version, RunBlobKling.Version(model));

    [Theory]
    [InlineData("Asset size exceeds 10.0MB.", "IMAGE_TOO_LARGE")]
    [InlineData("Invalid asset. The content could not be read as an image (JPEG, PNG or WebP).", "UNSUPPORTED_IMAGE_FORMAT")]
    [InlineData("Invalid base64 image data.", "INVALID_IMAGE")]
    [InlineData("Invalid asset aspect ratio. width / height ratio must be between 0.5 and 2. Got 0.462.", "INVALID_IMAGE")]
    [InlineData("start_frame and end_frame must be sent together", null)]
    public void Veo_names_image_problems_with_its_error_codes(string reason, string? code) => Assert.Equal(code, RunBlobVeo.ImageCode(reason));

    [Fact]
    public void Every_family_model_is_in_the_catalog_on_its_familys_endpoint()
    {
        var expected = new Dictionary<string, IEnumerable<string>>
        {
            ["runblob_veo3"] = RunBlobVeo.Models,
            ["runblob_kling_video"] = [.. RunBlobKling.Models, RunBlobKlingO1Video.Model, .. RunBlobKlingO3Video.Models],
            ["runblob_kling_image"] = ["kling_o1_photo", "kling_o3_photo"],
            ["runblob_nano_banana"] = RunBlobNanoBanana.Models.Values,
            ["runblob_chatgpt_images"] = RunBlobChatGptImages.Models,
        };
        foreach (var (endpoint, models) in expected)
            Assert.Equal(models.Order(), Catalog.ServingEndpoint(endpoint).Select(m => m.Id).Order());
    }
}
