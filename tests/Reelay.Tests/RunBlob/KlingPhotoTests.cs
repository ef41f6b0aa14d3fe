using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.RunBlob;

/// <summary>Kling O1 photo — /v1/kling/o1-photo: up to 5 images, URLs and base64 mixed, 1k or 2k.</summary>
[Collection(RunBlobFamilies.Name)]
public sealed class KlingO1PhotoTests(RunBlobFamilyFixture fixture) : FamilyTests(fixture)
{
    public static readonly FamilySpec Spec = new(
        "kling/o1-photo", "generation_id", "image_url",
        (f, callback) => new
        {
            prompt = "a red fox in snow", img_resolution = "1k", aspect_ratio = "1:1", callback_url = callback,
            images_url = new[] { f.Serve(Media.Image(320, 320), "image/png") }, images_base64 = new[] { Convert.ToBase64String(Media.Image(320, 240, "jpg")) },
        },
        new ExpectedOutput("image", 1024, 1024, Codec: "png"),
        "0.0300")
    {
        StatusKeys = KlingO3PhotoTests.PhotoStatusKeys,
        Webhook = KlingO3PhotoTests.PhotoWebhookKeys,
        ModerationFailure = "CONTENT_POLICY_VIOLATION",
    };

    protected override FamilySpec Family => Spec;

    [Fact]
    public async Task The_model_label_is_kling_o1_photo_and_a_failed_photo_carries_its_code_in_message()
    {
        var completed = await Fixture.CompletedAsync(Spec);
        Assert.Equal("kling-o1-photo", completed.Final.GetProperty("model").GetString());
        var failed = await Fixture.ModeratedAsync(Spec);
        Assert.Equal(["generation_id", "status", "prompt", "image_url", "model", "message"], failed.Final.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Resolutions_and_image_counts_are_refused_with_400_details()
    {
        var tenant = await Fixture.Api.NewTenantAsync();
        await AssertBadRequestAsync(tenant.Key, new { prompt = "x", img_resolution = "4k" }, "Invalid resolution. Must be 1k or 2k");
        await AssertBadRequestAsync(tenant.Key, new { prompt = "x", images_url = Enumerable.Repeat("https://example.com/a.png", 3), images_base64 = Enumerable.Repeat("a", 3) },
            "Maximum 5 images allowed (URLs + base64 combined)");
    }
}

/// <summary>Kling O3 photo — /v1/kling/o3-photo: up to 10 images never mixed, 1k/2k/4k, the {"success":false} 402.</summary>
[Collection(RunBlobFamilies.Name)]
public sealed class KlingO3PhotoTests(RunBlobFamilyFixture fixture) : FamilyTests(fixture)
{
    public static readonly string[] PhotoStatusKeys = ["generation_id", "status", "prompt", "image_url", "model"];
    public static readonly string[] PhotoWebhookKeys = ["generation_id", "status", "image_url", "model", "message"];

    public static readonly FamilySpec Spec = new(
        "kling/o3-photo", "generation_id", "image_url",
        (_, callback) => new { prompt = "a red fox in snow", img_resolution = "1k", aspect_ratio = "1:1", prefer_multi_shots = true, callback_url = callback },
        new ExpectedOutput("image", 1024, 1024, Codec: "png"),
        "0.0300")
    {
        StatusKeys = PhotoStatusKeys,
        Webhook = PhotoWebhookKeys,
        ModerationFailure = "CONTENT_POLICY_VIOLATION",
        InsufficientCredits = """{"success":false,"message":"INSUFFICIENT_CREDITS"}""",
    };

    protected override FamilySpec Family => Spec;

    [Fact]
    public async Task The_errors_pages_400_details_are_answered_word_for_word_and_4k_is_the_default()
    {
        var tenant = await Fixture.Api.NewTenantAsync();
        await AssertBadRequestAsync(tenant.Key, new { prompt = "x", img_resolution = "8k" }, "Invalid resolution. Must be 1k, 2k, or 4k");
        await AssertBadRequestAsync(tenant.Key, new { prompt = "x", images_url = new[] { "https://example.com/a.png" }, images_base64 = new[] { "a" } },
            "Cannot mix images_url and images_base64 in one request");
        await AssertBadRequestAsync(tenant.Key, new { prompt = "x", images_base64 = Enumerable.Repeat("a", 11) }, "Maximum 10 images allowed (URLs + base64 combined)");
        var fourK = await CreateAsync(tenant.Key, new { prompt = "x", aspect_ratio = "auto" }, "fail=INTERNAL");
        Assert.Equal((201, "0.0500"), (fourK.Status, fourK.Body.GetProperty("price").GetString()));
        var completed = await Fixture.CompletedAsync(Spec);
        Assert.Equal("kling_o3_photo", completed.Final.GetProperty("model").GetString());
    }
}
