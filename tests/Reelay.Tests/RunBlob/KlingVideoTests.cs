using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.RunBlob;

/// <summary>Kling O1 video — /v1/kling/o1-video: required duration and aspect_ratio, images_base64 | images_urls, "0.30" prices.</summary>
[Collection(RunBlobFamilies.Name)]
public sealed class KlingO1VideoTests(RunBlobFamilyFixture fixture) : FamilyTests(fixture)
{
    public static readonly FamilySpec Spec = new(
        "kling/o1-video", "generation_id", "video_url",
        (_, callback) => new { prompt = "a red fox in snow", duration = "3", aspect_ratio = "1:1", images_base64 = new[] { Convert.ToBase64String(Media.Image(320, 320)) }, callback_url = callback },
        new ExpectedOutput("video", 720, 720, 3),
        "0.18")
    {
        StatusKeys = KlingO3VideoTests.VideoStatusKeys,
        Webhook = KlingO3VideoTests.VideoWebhookKeys,
        ModerationFailure = "CONTENT_POLICY_VIOLATION",
        MissingPrompt = """{"detail":[{"type":"missing","loc":["body","prompt"],"msg":"Field required","input":{}},{"type":"missing","loc":["body","duration"],"msg":"Field required","input":{}},{"type":"missing","loc":["body","aspect_ratio"],"msg":"Field required","input":{}}]}""",
    };

    protected override FamilySpec Family => Spec;

    [Fact]
    public async Task The_model_label_is_kling_o1_video_and_prices_have_two_decimals()
    {
        var journey = await Fixture.CompletedAsync(Spec);
        Assert.Equal("kling_o1_video", journey.Final.GetProperty("model").GetString());
        var tenant = await Fixture.Api.NewTenantAsync();
        var text = await CreateAsync(tenant.Key, new { prompt = "a red fox", duration = "5", aspect_ratio = "16:9" }, "fail=INTERNAL");
        Assert.Equal((201, "0.30"), (text.Status, text.Body.GetProperty("price").GetString()));
    }

    [Fact]
    public async Task Images_and_durations_are_refused_with_400_details()
    {
        var tenant = await Fixture.Api.NewTenantAsync();
        await AssertBadRequestAsync(tenant.Key, new { prompt = "x", duration = "5", aspect_ratio = "1:1", images_base64 = new[] { "a" }, images_urls = new[] { "https://example.com/a.png" } },
            "Cannot provide both images_base64 and images_urls");
        await AssertBadRequestAsync(tenant.Key, new { prompt = "x", duration = "5", aspect_ratio = "1:1", images_base64 = Enumerable.Repeat("a", 6) }, "Maximum 5 images allowed, got 6");
        await AssertBadRequestAsync(tenant.Key, new { prompt = "x", duration = "3", aspect_ratio = "1:1" }, "Duration must be 5 or 10 seconds without images");
        await AssertBadRequestAsync(tenant.Key, new { prompt = "x", duration = "11", aspect_ratio = "1:1" }, "Duration must be 3, 4, 5, 6, 7, 8, 9, or 10 seconds");
        AssertJson("""{"detail":[{"type":"bool_parsing","loc":["body","keep_original_sound"],"msg":"Input should be a valid boolean, unable to interpret input","input":"maybe"}]}""",
            await CreateAsync(tenant.Key, new { prompt = "x", duration = "5", aspect_ratio = "1:1", keep_original_sound = "maybe" }), 422);
    }
}

/// <summary>Kling O3 video — /v1/kling/o3-video: kling_o3 | kling_o3_pro, 5/10/15 s, the documented 400 texts.</summary>
[Collection(RunBlobFamilies.Name)]
public sealed class KlingO3VideoTests(RunBlobFamilyFixture fixture) : FamilyTests(fixture)
{
    public static readonly string[] VideoStatusKeys = ["generation_id", "status", "prompt", "video_url", "model"];
    public static readonly string[] VideoWebhookKeys = ["generation_id", "status", "video_url", "model", "message"];

    public static readonly FamilySpec Spec = new(
        "kling/o3-video", "generation_id", "video_url",
        (_, callback) => new { prompt = "a red fox in snow", duration = "5", aspect_ratio = "1:1", callback_url = callback },
        new ExpectedOutput("video", 720, 720, 5),
        "0.1500")
    {
        StatusKeys = VideoStatusKeys,
        Webhook = VideoWebhookKeys,
        ModerationFailure = "CONTENT_POLICY_VIOLATION",
    };

    protected override FamilySpec Family => Spec;

    [Fact]
    public async Task The_model_label_encodes_duration_and_tier()
    {
        var journey = await Fixture.CompletedAsync(Spec);
        Assert.Equal("kling-o3-video-5s", journey.Final.GetProperty("model").GetString());
        var tenant = await Fixture.Api.NewTenantAsync();
        var pro = await CreateAsync(tenant.Key, new { prompt = "a red fox", model = "kling_o3_pro", duration = "10" }, "fail=INTERNAL");
        Assert.Equal((201, "0.4000"), (pro.Status, pro.Body.GetProperty("price").GetString()));
        var failed = await Fixture.WaitAsync(Spec, tenant.Key, pro.Body.GetProperty("generation_id").GetString()!);
        Assert.Equal(("kling-o3-video-10s-pro", "TASK_FAILED"), (failed.GetProperty("model").GetString(), failed.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task The_errors_pages_400_details_are_answered_word_for_word()
    {
        var tenant = await Fixture.Api.NewTenantAsync();
        await AssertBadRequestAsync(tenant.Key, new { prompt = "x", images_url = Enumerable.Repeat("https://example.com/a.png", 3), images_base64 = Enumerable.Repeat("a", 3) },
            "Cannot provide both images_base64 and images_url");
        await AssertBadRequestAsync(tenant.Key, new { prompt = "x", images_url = Enumerable.Repeat("https://example.com/a.png", 6) }, "Maximum 5 images allowed, got 6");
        await AssertBadRequestAsync(tenant.Key, new { prompt = "x", duration = "7" }, "Duration must be 5, 10, or 15 seconds");
        await AssertBadRequestAsync(tenant.Key, new { prompt = "x", model = "kling_o2" }, "Model must be 'kling_o3' or 'kling_o3_pro'");
        var url = Fixture.Serve(Media.Image(640, 360), "image/png");
        Assert.Equal(201, (await CreateAsync(tenant.Key, new { prompt = "x", images_url = new[] { url } }, "fail=INTERNAL")).Status);
    }
}
