using System.Text.Json;
using Reelay.Tests.Api;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.RunBlob;

/// <summary>Nano Banana — /v1/gemini: task_uuid, result_image_url, message codes, the list endpoint, three retries.</summary>
[Collection(RunBlobFamilies.Name)]
public sealed class NanoBananaTests(RunBlobFamilyFixture fixture) : FamilyTests(fixture)
{
    public static readonly FamilySpec Spec = new(
        "gemini", "task_uuid", "result_image_url",
        (_, callback) => new { prompt = "a red fox in snow", aspect_ratio = "1:1", temperature = 0.2, callback_url = callback },
        new ExpectedOutput("image", 1024, 1024, Codec: "png"),
        "0.0200")
    {
        StatusKeys = ChatGptImagesTests.Spec.StatusKeys,
        Webhook = ["task_uuid", "status", "result_image_url", "message"],
        ModerationFailure = "MODERATION_FAILED",
    };

    protected override FamilySpec Family => Spec;

    [Fact]
    public async Task Quality_and_image_caps_follow_the_model()
    {
        var tenant = await Fixture.Api.NewTenantAsync();
        await AssertBadRequestAsync(tenant.Key, new { prompt = "x", quality = "2k" }, "quality '2k' is only available on the pro, v2, v2_lite, pro_vip or v2_vip models");
        await AssertBadRequestAsync(tenant.Key, new { prompt = "x", images = Enumerable.Repeat("data:image/png;base64,AAAA", 5) }, "Maximum 4 images allowed for model 'standard', got 5");
        var pro = await CreateAsync(tenant.Key, new { prompt = "x", model = "pro", quality = "4k", images = new[] { Fixture.Serve(Media.Image(320, 320), "image/png"), Media.DataUri(320, 320) } }, "fail=INTERNAL");
        Assert.Equal((201, "0.0400"), (pro.Status, pro.Body.GetProperty("price").GetString()));
        AssertJson("""{"detail":[{"type":"less_than_equal","loc":["body","temperature"],"msg":"Input should be less than or equal to 1","input":2,"ctx":{"le":1}}]}""",
            await CreateAsync(tenant.Key, new { prompt = "x", temperature = 2 }), 422);
    }

    [Fact]
    public async Task The_list_pages_with_limit_and_offset_newest_first_and_holds_only_gemini_tasks()
    {
        var tenant = await Fixture.Api.NewTenantAsync();
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
            ids.Add((await CreateAsync(tenant.Key, new { prompt = $"picture {i}" }, "fail=INTERNAL")).Body.GetProperty("task_uuid").GetString()!);
        await Fixture.Api.CreateTextTaskAsync(tenant.Key, simulate: "fail=INTERNAL"); // another surface's task is not listed
        async Task<List<string>> PageAsync(string query)
        {
            var reply = await Fixture.CallAsync(HttpMethod.Get, "/v1/gemini/generations" + query, tenant.Key);
            Assert.Equal(200, reply.Status);
            Assert.All(reply.Body.EnumerateArray(), g => Assert.Equal(Spec.StatusKeys, g.EnumerateObject().Select(p => p.Name)));
            return [.. reply.Body.EnumerateArray().Select(g => g.GetProperty("task_uuid").GetString()!)];
        }
        Assert.Equal([ids[2], ids[1], ids[0]], await PageAsync(""));
        Assert.Equal([ids[2], ids[1]], await PageAsync("?limit=2"));
        Assert.Equal([ids[0]], await PageAsync("?limit=2&offset=2"));
        Assert.Empty(await PageAsync("?offset=3"));
        AssertJson("""{"detail":[{"type":"greater_than_equal","loc":["query","limit"],"msg":"Input should be greater than or equal to 1","input":"0","ctx":{"ge":1}}]}""",
            await Fixture.CallAsync(HttpMethod.Get, "/v1/gemini/generations?limit=0", tenant.Key), 422);
        AssertJson("""{"detail":[{"type":"less_than_equal","loc":["query","limit"],"msg":"Input should be less than or equal to 100","input":"101","ctx":{"le":100}}]}""",
            await Fixture.CallAsync(HttpMethod.Get, "/v1/gemini/generations?limit=101", tenant.Key), 422);
        AssertJson("""{"detail":[{"type":"int_parsing","loc":["query","offset"],"msg":"Input should be a valid integer, unable to parse string as an integer","input":"x"}]}""",
            await Fixture.CallAsync(HttpMethod.Get, "/v1/gemini/generations?offset=x", tenant.Key), 422);
    }

    [Fact]
    public async Task A_callback_is_retried_three_times_then_marked_failed()
    {
        var tenant = await Fixture.Api.NewTenantAsync();
        var receiver = Fixture.NewReceiver(500, 500, 500, 500, 500, 500);
        var id = (await CreateAsync(tenant.Key, new { prompt = "x", callback_url = receiver.Url }, "fail=INTERNAL")).Body.GetProperty("task_uuid").GetString()!;
        var delivery = await Webhooks.DeliveryAsync(Fixture.Api, tenant.OrgId, id, state => state == "failed");
        Assert.Equal(4, delivery.GetProperty("attempts").GetArrayLength());
        Assert.Equal(4, receiver.Requests.Count);
        var payload = JsonDocument.Parse(receiver.Requests[0].Body).RootElement;
        Assert.Equal(("failed", "TASK_FAILED"), (payload.GetProperty("status").GetString(), payload.GetProperty("message").GetString()));
    }
}
