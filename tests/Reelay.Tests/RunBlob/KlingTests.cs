using System.Text.Json;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.RunBlob;

/// <summary>Kling main — /v1/kling: the kling_* models, integer or string durations, "Validation error: …" 422s.</summary>
[Collection(RunBlobFamilies.Name)]
public sealed class KlingTests(RunBlobFamilyFixture fixture) : FamilyTests(fixture)
{
    public static readonly FamilySpec Spec = new(
        "kling", "generation_id", "video_url",
        (_, callback) => new { prompt = "a red fox in snow", model = "kling_3", duration = 3, aspect_ratio = "1:1", callback_url = callback },
        new ExpectedOutput("video", 720, 720, 3),
        "0.1200")
    {
        StatusKeys = ["generation_id", "status", "prompt", "video_url", "created_at", "completed_at", "version", "duration"],
        Webhook = ["generation_id", "status", "video_url", "completed_at"],
        FailedWebhook = ["generation_id", "status", "video_url", "completed_at", "message"],
        ModerationFailure = "CONTENT_POLICY_VIOLATION",
        MissingPrompt = """{"detail":"Validation error: prompt is required"}""",
    };

    protected override FamilySpec Family => Spec;

    [Fact]
    public async Task While_processing_there_is_no_video_url_or_completed_at_and_timestamps_end_in_Z()
    {
        var journey = await Fixture.CompletedAsync(Spec);
        var processing = journey.Seen["processing"];
        Assert.Equal(["generation_id", "status", "prompt", "created_at", "version", "duration"], processing.EnumerateObject().Select(p => p.Name));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", journey.Final.GetProperty("created_at").GetString());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", journey.Final.GetProperty("completed_at").GetString());
        Assert.Equal(("3", "3"), (journey.Final.GetProperty("version").GetString(), journey.Final.GetProperty("duration").GetString()));
    }

    [Fact]
    public async Task Durations_are_taken_as_integers_or_strings_and_checked_against_the_models_values()
    {
        var tenant = await Fixture.Api.NewTenantAsync();
        var turbo = await CreateAsync(tenant.Key, new { prompt = "a red fox", duration = "10" }, "fail=INTERNAL");
        Assert.Equal((201, "0.5800"), (turbo.Status, turbo.Body.GetProperty("price").GetString()));
        var id = turbo.Body.GetProperty("generation_id").GetString()!;
        var failed = await Fixture.WaitAsync(Spec, tenant.Key, id);
        Assert.Equal(("2.5", "10", "TASK_FAILED"), (failed.GetProperty("version").GetString(), failed.GetProperty("duration").GetString(), failed.GetProperty("message").GetString()));
        AssertJson("""{"detail":"Validation error: duration must be '5' or '10'"}""", await CreateAsync(tenant.Key, new { prompt = "a red fox", duration = 7 }), 422);
        AssertJson("""{"detail":"Validation error: duration must be an integer from 3 to 15"}""",
            await CreateAsync(tenant.Key, new { prompt = "a red fox", model = "kling_3", duration = "20" }), 422);
        var model = await CreateAsync(tenant.Key, new { prompt = "a red fox", model = "kling_9" });
        Assert.Equal(422, model.Status);
        Assert.StartsWith("Validation error: model: Input should be 'kling_3', 'kling_3_pro',", model.Body.GetProperty("detail").GetString());
        AssertJson("""{"detail":"Validation error: prompt: String should have at most 2500 characters"}""",
            await CreateAsync(tenant.Key, new { prompt = new string('a', 2501) }), 422);
    }

    [Fact]
    public async Task Image_to_video_takes_an_image_url_and_kling_2_1_pro_refuses_text_only()
    {
        var tenant = await Fixture.Api.NewTenantAsync();
        var url = Fixture.Serve(Media.Image(640, 360), "image/png");
        Assert.Equal(201, (await CreateAsync(tenant.Key, new { prompt = "a red fox", model = "kling_2.1_pro", image_url = url }, "fail=INTERNAL")).Status);
        await AssertBadRequestAsync(tenant.Key, new { prompt = "a red fox", model = "kling_2.1_pro" }, "kling_2.1_pro does not support text-to-video: send image_url");
        await AssertBadRequestAsync(tenant.Key, new { prompt = "a red fox", image_url = "http://example.com/a.png" }, "Only HTTPS URLs are allowed.");
    }
}
