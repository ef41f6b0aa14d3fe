using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Reelay.Tests.Client;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Relays;

/// <summary>
/// A model with several engines: gen4.5 on relay:up (a proxy in front of the upstream that can be "down") then
/// relay:second (a second account on the same upstream Reelay), or relay:up then the local preview engine.
/// </summary>
public sealed class RelayFallbackTests
{
    private const long OurPrice = 40; // gen4.5 priced at 20 credits a second here, 2 s
    private const long UpstreamPrice = 24; // the upstream's default 12 a second

    [Fact]
    public async Task A_task_falls_back_to_the_second_account_while_the_first_is_down_and_the_first_gets_tasks_again_once_its_breaker_closes()
    {
        var down = new StrongBox<bool>(true);
        FlakyProxy? proxy = null;
        ReelayApi.Tenant? second = null;
        await using var pair = await RelayPair.StartAsync(
            upstreamUrl: async upstream =>
            {
                proxy = await FlakyProxy.StartAsync(upstream, (_, _) => Volatile.Read(ref down.Value) ? new FlakyProxy.Answer(503) : new FlakyProxy.Forward());
                return proxy.BaseUrl;
            },
            relaySettings: new Dictionary<string, string>
            {
                ["Relays:up:Timeout"] = "60",
                ["Relays:up:Breaker:MinimumThroughput"] = "2",
                ["Relays:up:Breaker:SamplingSeconds"] = "30",
                ["Relays:up:Breaker:BreakSeconds"] = "3",
            },
            moreSettings: async upstream =>
            {
                second = await new ReelayApi(upstream).NewTenantAsync(credits: 100_000, name: "second account");
                return new Dictionary<string, string>
                {
                    ["Relays:second:BaseUrl"] = upstream.BaseUrl.ToString(),
                    ["Relays:second:ApiKey"] = second.Key,
                    ["Relays:second:PollSeconds"] = "0.2",
                };
            },
            catalog: c =>
            {
                TestCatalogs.Serve(c, "gen4.5", "relay:up", "relay:second");
                Gen45TextPrice(c)["perSecond"] = 20;
            });
        await using var _ = proxy!;
        var tenant = await pair.GatewayApi.NewTenantAsync(credits: 1000);

        // The first engine is down: its breaker opens and the task goes to the second account instead of failing.
        var first = await pair.GatewayApi.CreateTextTaskAsync(tenant.Key);
        var task = await pair.GatewayApi.WaitForAsync(tenant.Key, first, ReelayApi.IsTerminal, TimeSpan.FromSeconds(120));
        Assert.True(task.GetProperty("status").GetString() == "SUCCEEDED", $"{task}\n{pair.GatewayOutput}");
        Assert.Equal("relay:second", (await pair.RelayedAsync(first)).Engine);
        var up = await RelayAsync(pair, "up");
        Assert.True(up.GetProperty("breakerOpenings").GetInt32() >= 1, up.ToString());
        Assert.Equal(0, proxy!.Requests.Count(r => r.Method == "GET"));
        Assert.Equal(UpstreamPrice, 100_000 - await UpstreamBalanceAsync(pair, second!.OrgId));
        Assert.Equal(0, await pair.UpstreamChargedAsync());

        // Back up: once the break is over the next task probes the first engine, succeeds there and closes the breaker.
        Volatile.Write(ref down.Value, false);
        await WaitAsync(async () => !(await RelayAsync(pair, "up")).GetProperty("skipped").GetBoolean(), pair);
        var again = await pair.GatewayApi.CreateTextTaskAsync(tenant.Key);
        task = await pair.GatewayApi.WaitForAsync(tenant.Key, again, ReelayApi.IsTerminal, TimeSpan.FromSeconds(120));
        Assert.True(task.GetProperty("status").GetString() == "SUCCEEDED", $"{task}\n{pair.GatewayOutput}");
        Assert.Equal("relay:up", (await pair.RelayedAsync(again)).Engine);
        up = await RelayAsync(pair, "up");
        Assert.Equal(("closed", false), (up.GetProperty("breaker").GetString(), up.GetProperty("skipped").GetBoolean()));
        Assert.Equal(JsonValueKind.String, up.GetProperty("breakerClosedAt").ValueKind);
        Assert.Equal(UpstreamPrice, await pair.UpstreamChargedAsync());

        // Which engine served each task, in the admin's task list; the margin per day and model, per engine.
        var recent = (await pair.GatewayApi.AdminAsync(HttpMethod.Get, "/admin/v1/relays/tasks?model=gen4.5")).GetProperty("data").EnumerateArray()
            .ToDictionary(t => t.GetProperty("id").GetString()!, t => t.GetProperty("engine").GetString());
        Assert.Equal(("relay:second", "relay:up"), (recent[first], recent[again]));
        var margin = (await pair.GatewayApi.AdminAsync(HttpMethod.Get, "/admin/v1/relays/margin")).GetProperty("data").EnumerateArray()
            .Single(r => r.GetProperty("model").GetString() == "gen4.5");
        Assert.Equal(DateTime.UtcNow.ToString("yyyy-MM-dd"), margin.GetProperty("date").GetString());
        Assert.Equal((2L, 2 * OurPrice, 2 * UpstreamPrice, 2 * (OurPrice - UpstreamPrice)),
            (margin.GetProperty("tasks").GetInt64(), margin.GetProperty("chargedCredits").GetInt64(), margin.GetProperty("upstreamCredits").GetInt64(), margin.GetProperty("marginCredits").GetInt64()));
        Assert.Equal(["relay:second", "relay:up"], margin.GetProperty("engines").EnumerateArray().Select(e => e.GetProperty("engine").GetString()));
        Assert.Equal(1000 - 2 * OurPrice, await pair.GatewayBalanceAsync(tenant.OrgId));
        await pair.AssertKeyNeverLoggedAsync(second.Key);
    }

    [Fact]
    public async Task A_model_whose_only_relay_is_unreachable_falls_back_to_the_preview_engine_named_last()
    {
        var closed = new Uri("http://127.0.0.1:9/");
        var settings = RelayPair.GatewaySettings(closed, "key_fallback_upstream_secret", new Dictionary<string, string>
        {
            ["Relays:up:Timeout"] = "60",
            ["Relays:up:Breaker:MinimumThroughput"] = "2",
        }, c => TestCatalogs.Serve(c, "gen4.5", "relay:up", "preview"));
        await using var gateway = await ServerProcess.StartAsync(settings: settings);
        var api = new ReelayApi(gateway);
        var tenant = await api.NewTenantAsync(credits: 1000);
        var id = await api.CreateTextTaskAsync(tenant.Key);
        var task = await api.WaitForAsync(tenant.Key, id, ReelayApi.IsTerminal, TimeSpan.FromSeconds(120));
        Assert.True(task.GetProperty("status").GetString() == "SUCCEEDED", $"{task}\n{gateway.Output}");
        Assert.Equal("preview", (await api.AdminAsync(HttpMethod.Get, $"/admin/v1/relays/tasks/{id}")).GetProperty("upstreamEngine").GetString());
        var file = Path.Combine(TestPaths.NewTempDirectory("reelay-fallback-out"), "out.mp4");
        await File.WriteAllBytesAsync(file, await ReelayApi.DownloadAsync(task.GetProperty("output")[0].GetString()!));
        Assert.Equal(("h264", 1280, 720), (Media.Probe(file).Codec, Media.Probe(file).Width, Media.Probe(file).Height));
        Assert.Equal(1000 - 24, (await api.AdminAsync(HttpMethod.Get, $"/admin/v1/organizations/{tenant.OrgId}")).GetProperty("creditBalance").GetInt64());
        Assert.Contains("falls back to the local engine preview", gateway.Output);
        Assert.DoesNotContain("key_fallback_upstream_secret", gateway.Output);
    }

    private static JsonObject Gen45TextPrice(JsonObject catalog) =>
        catalog["models"]!.AsArray().Single(m => (string?)m!["id"] == "gen4.5")!["endpoints"]!["text_to_video"]!["price"]!.AsObject();

    private static async Task<JsonElement> RelayAsync(RelayPair pair, string name) =>
        (await pair.GatewayApi.AdminAsync(HttpMethod.Get, "/admin/v1/relays")).GetProperty("data").EnumerateArray().Single(r => r.GetProperty("name").GetString() == name);

    private static async Task<long> UpstreamBalanceAsync(RelayPair pair, string orgId) =>
        (await pair.UpstreamApi.AdminAsync(HttpMethod.Get, $"/admin/v1/organizations/{orgId}")).GetProperty("creditBalance").GetInt64();

    private static async Task WaitAsync(Func<Task<bool>> condition, RelayPair pair)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition never held.\n" + pair.GatewayOutput);
            await Task.Delay(100);
        }
    }
}
