using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.RunBlob;

/// <summary>ChatGPT Images — /v1/chatgpt-images: task_uuid, images as URL, data URI or bare base64, chatgpt-2.5's options.</summary>
[Collection(RunBlobFamilies.Name)]
public sealed class ChatGptImagesTests(RunBlobFamilyFixture fixture) : FamilyTests(fixture)
{
    public static readonly FamilySpec Spec = new(
        "chatgpt-images", "task_uuid", "result_image_url",
        (_, callback) => new { prompt = "a red fox in snow", aspect_ratio = "1:1", images = new[] { Convert.ToBase64String(Media.Image(320, 320, "jpg")) }, callback_url = callback },
        new ExpectedOutput("image", 1024, 1024, Codec: "png"),
        "0.0200")
    {
        StatusKeys = ["task_uuid", "status", "prompt", "result_image_url", "message"],
        ModerationFailure = "MODERATION_FAILED",
    };

    protected override FamilySpec Family => Spec;

    [Fact]
    public async Task Quality_and_background_belong_to_chatgpt_2_5_and_eight_images_is_the_cap()
    {
        var tenant = await Fixture.Api.NewTenantAsync();
        await AssertBadRequestAsync(tenant.Key, new { prompt = "x", quality = "flare" }, "quality is only available on chatgpt-2.5");
        await AssertBadRequestAsync(tenant.Key, new { prompt = "x", background = "transparent" }, "background is only available on chatgpt-2.5");
        await AssertBadRequestAsync(tenant.Key, new { prompt = "x", images = Enumerable.Repeat("AAAA", 9) }, "Maximum 8 images allowed, got 9");
        var full = await CreateAsync(tenant.Key, new { prompt = "x", model = "chatgpt-2.5", quality = "sunburst", background = "transparent", aspect_ratio = "21:9" }, "fail=INTERNAL");
        Assert.Equal(201, full.Status);
        AssertJson("""{"detail":[{"type":"enum","loc":["body","aspect_ratio"],"msg":"Input should be '1:1', '4:3', '3:4', '3:2', '2:3', '16:9', '9:16', '21:9' or '4:5'","input":"5:4","ctx":{"expected":"'1:1', '4:3', '3:4', '3:2', '2:3', '16:9', '9:16', '21:9' or '4:5'"}}]}""",
            await CreateAsync(tenant.Key, new { prompt = "x", aspect_ratio = "5:4" }), 422);
    }

    [Fact]
    public async Task There_is_no_list_endpoint()
    {
        var tenant = await Fixture.Api.NewTenantAsync();
        var reply = await Fixture.CallAsync(HttpMethod.Get, "/v1/chatgpt-images/generations", tenant.Key);
        Assert.Equal(404, reply.Status);
        Assert.StartsWith("No route matches", reply.Body.GetProperty("detail").GetString());
    }
}
