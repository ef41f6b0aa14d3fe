using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Relays;

/// <summary>
/// sora-2 on the gateway relayed to a second Reelay speaking RunBlob (POST /v1/sora/generate), through RunBlob's
/// own flow on the gateway. With callbacks the upstream's webhook (over HTTPS, to the test's TLS server, which hands
/// it to the gateway) tells the relay the generation ended; without them the relay polls.
/// </summary>
public sealed class RelayRunBlobTests
{
    [Fact]
    public async Task A_runblob_relay_learns_of_completion_from_the_upstreams_callback_long_before_its_next_poll()
    {
        var (calls, delivered) = await RunAsync(callbacks: true);
        Assert.True(calls >= 1, "the upstream never called back");
        Assert.True(delivered, "the upstream's delivery log shows no delivered callback");
    }

    [Fact]
    public async Task A_runblob_relay_without_callbacks_follows_the_generation_by_polling()
    {
        var (calls, delivered) = await RunAsync(callbacks: false);
        Assert.Equal(0, calls);
        Assert.False(delivered);
    }

    [Fact]
    public async Task A_veo_generation_is_relayed_to_the_upstreams_veo_family_with_its_frames_as_base64()
    {
        var frame = "data:image/png;base64," + Convert.ToBase64String(Media.Image(1280, 720));
        var (calls, _) = await RunAsync(callbacks: true, family: "veo", model: "veo-3-fast", seconds: 8,
            body: new { prompt = "a lighthouse at dusk, waves below", model = "veo-3-fast", aspect_ratio = "16:9", bytes_image = frame });
        Assert.True(calls >= 1, "the upstream never called back");
    }

    [Theory]
    [InlineData("SAFETY.INPUT.TEXT", true)]
    [InlineData("INTERNAL", false)]
    public async Task A_runblob_upstream_failure_passes_through_with_its_text_and_the_charge_rule_follows_its_code(string code, bool charged)
    {
        var (relays, account) = await RelayPair.StartRunBlobAsync("sora-2");
        await using var pair = relays;
        var tenant = await pair.GatewayApi.NewTenantAsync(credits: 1000);
        // The sandbox instruction travels upstream: the upstream's own generation fails, the gateway only relays it.
        var created = await pair.GatewayApi.SendAsync(HttpMethod.Post, "/v1/sora/generate", tenant.Key, new { prompt = "a lighthouse at dusk", orientation = "16:9", duration = 10 },
            r => r.Headers.Add("X-Reelay-Simulate", $"fail={code}"));
        Assert.True(created.Status == 201, $"{created.Status} {created.Body}");
        var id = created.Body.GetProperty("generation_id").GetString()!;
        var price = RunBlobUpstreamCredits(created.Body);
        var done = await WaitForGenerationAsync(pair, tenant.Key, "sora", id, TimeSpan.FromSeconds(90));
        Assert.True(done.GetProperty("status").GetString() == "failed", $"{done}\n{pair.GatewayOutput}");

        var (engine, upstreamId, _) = await pair.RelayedAsync(id);
        Assert.Equal("relay:rb", engine);
        var upstream = (await pair.UpstreamApi.SendAsync(HttpMethod.Get, $"/v1/sora/generations/{upstreamId}/", account.Key)).Body;
        Assert.Equal("failed", upstream.GetProperty("status").GetString());
        // The same words on both sides, and on the gateway's Runway view the code they stand for.
        Assert.Equal(upstream.GetProperty("error_message").GetString(), done.GetProperty("error_message").GetString());
        var task = (await pair.GatewayApi.GetTaskAsync(tenant.Key, id)).Body;
        Assert.Equal(code, task.GetProperty("failureCode").GetString());
        Assert.Equal(upstream.GetProperty("error_message").GetString(), task.GetProperty("failure").GetString());
        Assert.Equal(charged ? 1000 - price : 1000, await pair.GatewayBalanceAsync(tenant.OrgId));
        Assert.Equal(charged ? 100_000 - price : 100_000, (await pair.UpstreamApi.AdminAsync(HttpMethod.Get, $"/admin/v1/organizations/{account.OrgId}")).GetProperty("creditBalance").GetInt64());
        await pair.AssertKeyNeverLoggedAsync(account.Key);
    }

    private static long RunBlobUpstreamCredits(JsonElement created) =>
        (long)Math.Round(decimal.Parse(created.GetProperty("price").GetString()!, System.Globalization.CultureInfo.InvariantCulture) * 100);

    /// <returns>How many callbacks reached the gateway, and whether the upstream logged one as delivered.</returns>
    private static async Task<(int Calls, bool Delivered)> RunAsync(bool callbacks, string family = "sora", string model = "sora-2", double seconds = 10, object? body = null)
    {
        const string hooks = "hooks.assets.test";
        await using var tls = await AssetServer.StartAsync();
        var gatewayUrl = new StrongBox<Uri?>();
        var calls = 0;
        tls.Map("/relays/v1/callbacks/rb", async context =>
        {
            Interlocked.Increment(ref calls);
            using var content = new StreamContent(context.Request.Body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var answer = await ReelayApi.Client.PostAsync(new Uri(gatewayUrl.Value!, "/relays/v1/callbacks/rb" + context.Request.QueryString), content);
            context.Response.StatusCode = (int)answer.StatusCode;
            await context.Response.WriteAsync(await answer.Content.ReadAsStringAsync());
        });
        var (relays, account) = await RelayPair.StartRunBlobAsync(model, settings =>
        {
            // With callbacks the poll is far off: only the callback can end the task within the test's wait.
            settings["Relays:rb:PollSeconds"] = callbacks ? "300" : "0.3";
            settings["Relays:rb:Callbacks"] = callbacks ? "true" : "false";
            settings["Relays:rb:CallbackBaseUrl"] = $"https://{hooks}:{tls.Port}";
        }, upstreamSettings: new Dictionary<string, string>
        {
            ["Assets:TrustedCaFile"] = TestCertificates.CaPemFile,
            ["Assets:Resolve"] = $"{hooks}=127.0.0.1",
            ["Webhooks:PollMilliseconds"] = "100",
        });
        await using var pair = relays;
        gatewayUrl.Value = pair.Gateway.BaseUrl;
        var tenant = await pair.GatewayApi.NewTenantAsync(credits: 1000);

        var created = await pair.GatewayApi.SendAsync(HttpMethod.Post, $"/v1/{family}/generate", tenant.Key, body ?? new { prompt = "a lighthouse at dusk", orientation = "16:9", duration = 10 });
        Assert.True(created.Status == 201, $"{created.Status} {created.Body}");
        var id = created.Body.GetProperty("generation_id").GetString()!;
        var price = (long)Math.Round(decimal.Parse(created.Body.GetProperty("price").GetString()!, System.Globalization.CultureInfo.InvariantCulture) * 100);
        var done = await WaitForGenerationAsync(pair, tenant.Key, family, id, TimeSpan.FromSeconds(150));
        Assert.True(done.GetProperty("status").GetString() == "completed", $"{done}\n{pair.GatewayOutput}");
        var videoUrl = done.GetProperty("video_url").GetString()!;
        Assert.StartsWith(pair.Gateway.BaseUrl.GetLeftPart(UriPartial.Authority), videoUrl);

        var (engine, upstreamId, cost) = await pair.RelayedAsync(id);
        // The upstream's price (its create's "price") is the recorded cost: the same catalog prices both sides here.
        Assert.Equal(("relay:rb", price), (engine, cost));
        var upstream = await pair.UpstreamApi.SendAsync(HttpMethod.Get, $"/v1/{family}/generations/{upstreamId}/", account.Key);
        Assert.Equal("completed", upstream.Body.GetProperty("status").GetString());

        var file = Path.Combine(TestPaths.NewTempDirectory("reelay-relay-rb"), "out.mp4");
        await File.WriteAllBytesAsync(file, await ReelayApi.DownloadAsync(videoUrl));
        var facts = Media.Probe(file);
        Assert.Equal(("h264", 1280, 720), (facts.Codec, facts.Width, facts.Height));
        Assert.InRange(facts.Duration, seconds - 0.5, seconds + 0.5);
        Assert.Equal(1000 - price, await pair.GatewayBalanceAsync(tenant.OrgId));
        Assert.Equal(100_000 - price, (await pair.UpstreamApi.AdminAsync(HttpMethod.Get, $"/admin/v1/organizations/{account.OrgId}")).GetProperty("creditBalance").GetInt64());
        await pair.AssertKeyNeverLoggedAsync(account.Key);

        var deliveries = (await pair.UpstreamApi.AdminAsync(HttpMethod.Get, $"/admin/v1/organizations/{account.OrgId}/webhook-deliveries?limit=20")).GetProperty("deliveries");
        return (Volatile.Read(ref calls), deliveries.EnumerateArray().Any(d => d.GetProperty("state").GetString() == "delivered"));
    }

    private static async Task<JsonElement> WaitForGenerationAsync(RelayPair pair, string key, string family, string id, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var reply = await pair.GatewayApi.SendAsync(HttpMethod.Get, $"/v1/{family}/generations/{id}/", key);
            Assert.Equal(200, reply.Status);
            if (reply.Body.GetProperty("status").GetString() is "completed" or "failed") return reply.Body;
            Assert.True(DateTime.UtcNow < deadline, $"Generation {id} is still {reply.Body}\n{pair.GatewayOutput}");
            await Task.Delay(200);
        }
    }
}
