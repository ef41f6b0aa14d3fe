using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Relays;

/// <summary>
/// The RunBlob families beyond Sora and Veo through a RunBlob-dialect relay to a second Reelay: the gateway's own
/// RunBlob surface takes the family's body, the relay puts the stored request back into the family's words on the
/// family's path (the Kling model picks among the Kling paths, Nano Banana's model and quality are RunBlob's names
/// again), follows the generation by its generation_id or task_uuid and copies the video or image it made.
/// </summary>
[Trait("Database", "independent")] // how each family's request is mapped upstream: the relay's state store is RelayLifecycleTests' subject
public sealed class RelayRunBlobFamiliesTests
{
    public static TheoryData<string, string, string, string, string, string, int, int> Families()
    {
        var frame = Convert.ToBase64String(Media.Image(1280, 720));
        return new()
        {
            // family path, gateway model, id field, output field, body, codec, width, height
            { "kling/o3-video", "kling_o3", "generation_id", "video_url",
                $$"""{"prompt":"a lighthouse at dusk, waves below","model":"kling_o3","duration":"5","aspect_ratio":"16:9","images_base64":["{{frame}}"]}""", "h264", 1280, 720 },
            { "kling", "kling_2.5_turbo", "generation_id", "video_url",
                """{"prompt":"a lighthouse at dusk","model":"kling_2.5_turbo","duration":"5","aspect_ratio":"9:16"}""", "h264", 720, 1280 },
            { "gemini", "nano_banana_pro", "task_uuid", "result_image_url",
                """{"prompt":"a lighthouse at dusk","model":"pro","quality":"2k","aspect_ratio":"16:9"}""", "png", 2560, 1440 },
            { "chatgpt-images", "gpt-5-2", "task_uuid", "result_image_url",
                $$"""{"prompt":"a lighthouse at dusk","aspect_ratio":"1:1","images":["data:image/png;base64,{{frame}}"]}""", "png", 1024, 1024 },
        };
    }

    [Theory]
    [MemberData(nameof(Families))]
    public async Task A_runblob_family_is_relayed_on_its_own_path_and_its_output_copied_to_the_gateway(
        string family, string model, string idField, string urlField, string body, string codec, int width, int height)
    {
        var (relays, account) = await RelayPair.StartRunBlobAsync(model);
        await using var pair = relays;
        var tenant = await pair.GatewayApi.NewTenantAsync(credits: 10_000);
        var created = await pair.GatewayApi.SendAsync(HttpMethod.Post, $"/v1/{family}/generate", tenant.Key, rawBody: body);
        Assert.True(created.Status == 201, $"{created.Status} {created.Body}");
        var id = created.Body.GetProperty(idField).GetString()!;
        var price = (long)Math.Round(decimal.Parse(created.Body.GetProperty("price").GetString()!, CultureInfo.InvariantCulture) * 100);
        var done = await WaitAsync(pair, tenant.Key, $"/v1/{family}/generations/{id}");
        Assert.True(done.GetProperty("status").GetString() == "completed", $"{done}\n{pair.GatewayOutput}");

        var (engine, upstreamId, cost) = await pair.RelayedAsync(id);
        Assert.Equal(("relay:rb", price), (engine, cost));
        var upstream = await pair.UpstreamApi.SendAsync(HttpMethod.Get, $"/v1/{family}/generations/{upstreamId}", account.Key);
        Assert.True(upstream.Status == 200 && upstream.Body.GetProperty("status").GetString() == "completed", $"upstream: {upstream.Status} {upstream.Body}");

        var url = done.GetProperty(urlField).GetString()!;
        Assert.StartsWith(pair.Gateway.BaseUrl.GetLeftPart(UriPartial.Authority), url);
        var ours = await ReelayApi.DownloadAsync(url);
        // The gateway serves the upstream's bytes: copied, not made again.
        Assert.Equal(SHA256.HashData(await ReelayApi.DownloadAsync(upstream.Body.GetProperty(urlField).GetString()!)), SHA256.HashData(ours));
        var file = Path.Combine(TestPaths.NewTempDirectory("reelay-relay-family"), "out" + (codec == "png" ? ".png" : ".mp4"));
        await File.WriteAllBytesAsync(file, ours);
        var facts = Media.Probe(file);
        Assert.Equal((codec, width, height), (facts.Codec, facts.Width, facts.Height));
        Assert.Equal(10_000 - price, await pair.GatewayBalanceAsync(tenant.OrgId));
        Assert.Equal(100_000 - price, (await pair.UpstreamApi.AdminAsync(HttpMethod.Get, $"/admin/v1/organizations/{account.OrgId}")).GetProperty("creditBalance").GetInt64());
        await pair.AssertKeyNeverLoggedAsync(account.Key);
    }

    private static async Task<JsonElement> WaitAsync(RelayPair pair, string key, string path)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(150);
        while (true)
        {
            var reply = await pair.GatewayApi.SendAsync(HttpMethod.Get, path, key);
            Assert.True(reply.Status == 200, $"{path}: {reply.Status} {reply.Body}");
            if (reply.Body.GetProperty("status").GetString() is "completed" or "failed") return reply.Body;
            Assert.True(DateTime.UtcNow < deadline, $"{path} is still {reply.Body}\n{pair.GatewayOutput}");
            await Task.Delay(200);
        }
    }
}
