using System.Text.Json;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Relays;

/// <summary>A gateway Reelay relaying gen4.5 to a second, real Reelay speaking the Runway dialect.</summary>
public sealed class RelayLifecycleTests
{
    private const long Gen45TwoSeconds = 24;

    [Fact]
    public async Task Text_and_image_to_video_through_the_official_sdk_are_relayed_and_the_gateway_keeps_its_own_copy()
    {
        await using var pair = await RelayPair.StartAsync();
        var tenant = await pair.GatewayApi.NewTenantAsync(credits: 1000);
        foreach (var scenario in new[] { "text-to-video", "image-to-video" })
        {
            var result = await SdkScenario.RunAsync(pair.Gateway.BaseUrl, scenario, tenant.Key);
            Assert.True(result.TryGetProperty("status", out var status) && status.GetString() == "SUCCEEDED", $"{scenario}: {result}\n{pair.GatewayOutput}");
            var id = result.GetProperty("id").GetString()!;
            var output = result.GetProperty("output")[0].GetString()!;
            Assert.StartsWith(pair.Gateway.BaseUrl.GetLeftPart(UriPartial.Authority), output);

            var (engine, upstreamId, cost) = await pair.RelayedAsync(id);
            Assert.Equal("relay:up", engine);
            Assert.Equal(Gen45TwoSeconds, cost);
            var upstreamTask = await pair.UpstreamApi.GetTaskAsync(pair.UpstreamTenant.Key, upstreamId!);
            Assert.Equal("SUCCEEDED", upstreamTask.Body.GetProperty("status").GetString());
            // The provider's copy goes; ours stays.
            Assert.Equal(204, (await pair.UpstreamApi.DeleteTaskAsync(pair.UpstreamTenant.Key, upstreamId!)).Status);
            Assert.Equal(404, (await pair.UpstreamApi.GetTaskAsync(pair.UpstreamTenant.Key, upstreamId!)).Status);

            var file = Path.Combine(TestPaths.NewTempDirectory("reelay-relay-out"), "out.mp4");
            await File.WriteAllBytesAsync(file, await ReelayApi.DownloadAsync(output));
            var facts = Media.Probe(file);
            Assert.Equal(("h264", 1280, 720), (facts.Codec, facts.Width, facts.Height));
            Assert.InRange(facts.Duration, 1.8, 2.3);
        }
        Assert.Equal(2 * Gen45TwoSeconds, await pair.UpstreamCreditsUsedAsync());
        Assert.Equal(2 * Gen45TwoSeconds, await pair.UpstreamChargedAsync());
        Assert.Equal(1000 - 2 * Gen45TwoSeconds, await pair.GatewayBalanceAsync(tenant.OrgId));
        await pair.AssertKeyNeverLoggedAsync();
    }

    [Fact]
    public async Task An_upstream_failure_passes_through_with_its_code_and_text_and_is_charged_by_the_rule()
    {
        await using var pair = await RelayPair.StartAsync();
        var tenant = await pair.GatewayApi.NewTenantAsync(credits: 1000);
        // The sandbox instruction travels with the task to the upstream, where the generation happens.
        var id = await pair.GatewayApi.CreateTextTaskAsync(tenant.Key, simulate: "fail=SAFETY.INPUT.TEXT");
        var task = await pair.GatewayApi.WaitForAsync(tenant.Key, id, ReelayApi.IsTerminal);
        Assert.Equal(("FAILED", "SAFETY.INPUT.TEXT"), (task.GetProperty("status").GetString(), task.GetProperty("failureCode").GetString()));
        Assert.Equal("The prompt text did not pass our content moderation. Please modify your prompt and try again.", task.GetProperty("failure").GetString());
        // Safety failures are charged, upstream and here alike.
        Assert.Equal(Gen45TwoSeconds, await pair.UpstreamCreditsUsedAsync());
        Assert.Equal(1000 - Gen45TwoSeconds, await pair.GatewayBalanceAsync(tenant.OrgId));
        await pair.AssertKeyNeverLoggedAsync();
    }

    [Fact]
    public async Task A_gateway_killed_mid_flight_follows_the_same_upstream_task_after_its_restart()
    {
        await using var pair = await RelayPair.StartAsync();
        var tenant = await pair.GatewayApi.NewTenantAsync(credits: 1000);
        var ids = new List<string>();
        for (var i = 0; i < 3; i++) ids.Add(await pair.GatewayApi.CreateTextTaskAsync(tenant.Key, simulate: "delay=6"));
        var upstreamIds = new List<string>();
        foreach (var id in ids) upstreamIds.Add(await pair.WaitForUpstreamIdAsync(id));

        await pair.CrashAndRestartGatewayAsync();
        foreach (var (id, upstreamId) in ids.Zip(upstreamIds))
        {
            var task = await pair.GatewayApi.WaitForAsync(tenant.Key, id, ReelayApi.IsTerminal);
            Assert.Equal("SUCCEEDED", task.GetProperty("status").GetString());
            Assert.Equal(upstreamId, (await pair.RelayedAsync(id)).UpstreamTaskId);
        }
        Assert.Contains("resumes following upstream task", pair.Gateway.Output);
        // One upstream task per gateway task, one charge each side.
        Assert.Equal(3 * Gen45TwoSeconds, await pair.UpstreamChargedAsync());
        Assert.Equal(1000 - 3 * Gen45TwoSeconds, await pair.GatewayBalanceAsync(tenant.OrgId));
        await pair.AssertKeyNeverLoggedAsync();
    }

    [Fact]
    public async Task Cancelling_a_relayed_task_cancels_its_upstream_task()
    {
        await using var pair = await RelayPair.StartAsync();
        var tenant = await pair.GatewayApi.NewTenantAsync(credits: 1000);
        var id = await pair.GatewayApi.CreateTextTaskAsync(tenant.Key, simulate: "delay=20");
        var upstreamId = await pair.WaitForUpstreamIdAsync(id);
        await pair.UpstreamApi.WaitForAsync(pair.UpstreamTenant.Key, upstreamId, s => s == "RUNNING");

        Assert.Equal(204, (await pair.GatewayApi.DeleteTaskAsync(tenant.Key, id)).Status);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            var upstream = await pair.UpstreamApi.GetTaskAsync(pair.UpstreamTenant.Key, upstreamId);
            if (upstream.Status == 404 || upstream.Body.GetProperty("status").GetString() == "CANCELLED") break;
            Assert.True(DateTime.UtcNow < deadline, $"The upstream task is still {upstream.Body}\n{pair.GatewayOutput}");
            await Task.Delay(200);
        }
        Assert.Equal(0, await pair.UpstreamChargedAsync());
        Assert.Equal(1000, await pair.GatewayBalanceAsync(tenant.OrgId));
    }

    [Fact]
    public async Task An_upstream_that_stays_unreachable_ends_the_task_third_party_unavailable_and_releases_its_credits()
    {
        // A port nothing listens on: every attempt is refused until the relay's deadline.
        var closed = new Uri("http://127.0.0.1:9/");
        await using var gateway = await ServerProcess.StartAsync(settings: RelayPair.GatewaySettings(closed, "key_unreachable_upstream_secret",
            new Dictionary<string, string> { ["Relays:up:Timeout"] = "3" }));
        var api = new ReelayApi(gateway);
        var tenant = await api.NewTenantAsync(credits: 1000);
        var id = await api.CreateTextTaskAsync(tenant.Key);
        var task = await api.WaitForAsync(tenant.Key, id, ReelayApi.IsTerminal);
        Assert.Equal(("FAILED", "THIRD_PARTY.UNAVAILABLE"), (task.GetProperty("status").GetString(), task.GetProperty("failureCode").GetString()));
        Assert.Equal(1000, (await api.AdminAsync(HttpMethod.Get, $"/admin/v1/organizations/{tenant.OrgId}")).GetProperty("creditBalance").GetInt64());
        Assert.DoesNotContain("key_unreachable_upstream_secret", gateway.Output);
        // The node stays ready: an upstream being down is the tasks' news, not the node's.
        Assert.Equal(200, (int)(await ReelayApi.Client.GetAsync(new Uri(gateway.BaseUrl, "/readyz"))).StatusCode);
        var relays = await api.AdminAsync(HttpMethod.Get, "/admin/v1/relays");
        var up = relays.GetProperty("data")[0];
        Assert.Equal(("up", "failing"), (up.GetProperty("name").GetString(), up.GetProperty("health").GetString()));
        Assert.DoesNotContain("key_unreachable_upstream_secret", relays.GetRawText());
    }
}
