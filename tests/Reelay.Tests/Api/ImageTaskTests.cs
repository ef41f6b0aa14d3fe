using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Api;

/// <summary>
/// A task of the image endpoints over real HTTP against a real server: several outputs, each served as what it is
/// with range requests, and the task read back sensibly by the organization's usage, its limits and the request history.
/// </summary>
public class ImageTaskTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly ReelayApi _api = fixture.Api;

    [Fact]
    public async Task A_text_to_image_task_with_two_transparent_images_serves_two_pngs_with_ranges_and_shows_in_usage_and_history()
    {
        var tenant = await _api.NewTenantAsync(credits: 1000);
        var created = await _api.PostAsync("/v1/text_to_image", tenant.Key,
            new { model = "gpt_image_2", promptText = "a glass fox", ratio = "1920:1088", outputCount = 2, background = "transparent" });
        Assert.True(created.Status == 200, created.Body.ToString());
        Assert.Equal(20, created.Body.GetProperty("estimatedCost").GetProperty("credits").GetInt32());
        var id = created.Body.GetProperty("id").GetString()!;

        var task = await _api.WaitForAsync(tenant.Key, id, ReelayApi.IsTerminal);
        Assert.True(task.GetProperty("status").GetString() == "SUCCEEDED", task.ToString());
        Assert.Equal(20, task.GetProperty("cost").GetProperty("credits").GetInt32());
        var urls = task.GetProperty("output").EnumerateArray().Select(u => u.GetString()!).ToList();
        Assert.Equal(2, urls.Count);
        Assert.Contains($"/outputs/{id}.png?", urls[0], StringComparison.Ordinal);
        Assert.Contains($"/outputs/{id}/1.png?", urls[1], StringComparison.Ordinal);

        var files = new List<byte[]>();
        foreach (var url in urls)
        {
            using var whole = await ReelayApi.Client.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
            Assert.Equal("image/png", whole.Content.Headers.ContentType?.MediaType);
            var bytes = await whole.Content.ReadAsByteArrayAsync();
            files.Add(bytes);
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Range = new RangeHeaderValue(0, 7);
            using var partial = await ReelayApi.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
            Assert.Equal($"bytes 0-7/{bytes.Length}", partial.Content.Headers.ContentRange?.ToString());
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, await partial.Content.ReadAsByteArrayAsync());
        }
        Assert.NotEqual(files[0], files[1]);

        var usage = await _api.SendAsync(HttpMethod.Post, "/v1/organization/usage", tenant.Key, new { });
        Assert.Contains("gpt_image_2", usage.Body.GetProperty("models").EnumerateArray().Select(m => m.GetString()));
        var spent = usage.Body.GetProperty("results").EnumerateArray().SelectMany(d => d.GetProperty("usedCredits").EnumerateArray())
            .Where(u => u.GetProperty("model").GetString() == "gpt_image_2").Sum(u => u.GetProperty("amount").GetDouble());
        Assert.Equal(20, spent);
        var organization = await _api.SendAsync(HttpMethod.Get, "/v1/organization", tenant.Key);
        Assert.Equal(1, organization.Body.GetProperty("usage").GetProperty("models").GetProperty("gpt_image_2").GetProperty("dailyGenerations").GetInt32());
        Assert.Equal(980, organization.Body.GetProperty("creditBalance").GetDouble());

        // The request log is written in the background: wait for the create to appear.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        JsonElement entry = default;
        while (DateTime.UtcNow < deadline)
        {
            var history = await _api.SendAsync(HttpMethod.Get, "/v1/requests?limit=100", tenant.Key);
            entry = history.Body.GetProperty("requests").EnumerateArray().FirstOrDefault(r => r.GetProperty("path").GetString() == "/v1/text_to_image");
            if (entry.ValueKind == JsonValueKind.Object) break;
            await Task.Delay(200);
        }
        Assert.True(entry.ValueKind == JsonValueKind.Object, "the create never appeared in the request history");
        Assert.Equal(200, entry.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task A_model_of_another_endpoint_is_refused_with_the_endpoints_own_models_listed()
    {
        var tenant = await _api.NewTenantAsync();
        var reply = await _api.PostAsync("/v1/text_to_image", tenant.Key, new { model = "gen4.5", promptText = "x", ratio = "1024:1024" });
        Assert.Equal(400, reply.Status);
        var issue = reply.Body.GetProperty("issues")[0];
        Assert.Equal("invalid_enum_value", issue.GetProperty("code").GetString());
        Assert.Equal(12, issue.GetProperty("options").GetArrayLength());
        Assert.Contains("gen4.5 serves /v1/image_to_video, /v1/text_to_video, not /v1/text_to_image.", issue.GetProperty("message").GetString(), StringComparison.Ordinal);
        var upscale = await _api.PostAsync("/v1/image_upscale", tenant.Key, new { model = "magnific_precision_upscaler_v2", imageUri = Media.DataUri(), scaleFactor = 3 });
        Assert.Equal(400, upscale.Status);
        Assert.Equal("scaleFactor", upscale.Body.GetProperty("issues")[0].GetProperty("path")[0].GetString());
    }
}
