using Reelay.Tests.Client;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Relays;

/// <summary>Large inputs through the upstream's upload flow, and several kill -9 rounds with relayed tasks in flight.</summary>
public sealed class RelayRoundsTests
{
    private const long Gen45TwoSeconds = 24;

    [Fact]
    public async Task An_input_above_the_upload_threshold_goes_through_the_upstreams_upload_flow_instead_of_a_data_uri()
    {
        FlakyProxy? proxy = null;
        await using var pair = await RelayPair.StartAsync(async upstream =>
        {
            proxy = await FlakyProxy.StartAsync(upstream, (_, _) => new FlakyProxy.Forward());
            return proxy.BaseUrl;
        }, new Dictionary<string, string> { ["Relays:up:UploadAboveBytes"] = "0" });
        await using var _ = proxy!;
        var tenant = await pair.GatewayApi.NewTenantAsync(credits: 1000);
        var result = await SdkScenario.RunAsync(pair.Gateway.BaseUrl, "image-to-video", tenant.Key);
        Assert.True(result.TryGetProperty("status", out var status) && status.GetString() == "SUCCEEDED", $"{result}\n{pair.GatewayOutput}");
        // One upload asked for, then the create that names it (the form itself goes to the upstream's uploadUrl).
        Assert.Single(proxy!.To("POST", "/v1/uploads"));
        Assert.Single(proxy.To("POST", "/v1/image_to_video"));
        Assert.Equal(Gen45TwoSeconds, await pair.UpstreamChargedAsync());
        await pair.AssertKeyNeverLoggedAsync();
    }

    [Fact]
    public async Task Three_kill_rounds_with_relayed_tasks_in_flight_end_every_task_once_with_one_upstream_task_each_and_a_balanced_ledger()
    {
        await using var pair = await RelayPair.StartAsync();
        var tenant = await pair.GatewayApi.NewTenantAsync(credits: 1000);
        var ids = new List<string>();

        // Round 1: killed right after the creates, before (or while) the relay submits them.
        for (var i = 0; i < 2; i++) ids.Add(await pair.GatewayApi.CreateTextTaskAsync(tenant.Key, simulate: "delay=3"));
        await pair.CrashAndRestartGatewayAsync();
        // Round 2: killed once the upstream ids are stored, mid-generation.
        var round2 = new List<string>();
        for (var i = 0; i < 2; i++) round2.Add(await pair.GatewayApi.CreateTextTaskAsync(tenant.Key, simulate: "delay=4"));
        foreach (var id in round2) await pair.WaitForUpstreamIdAsync(id);
        ids.AddRange(round2);
        await pair.CrashAndRestartGatewayAsync();
        // Round 3: killed when an upstream task has just succeeded (the copy may be under way).
        var round3 = await pair.GatewayApi.CreateTextTaskAsync(tenant.Key);
        ids.Add(round3);
        var upstream3 = await pair.WaitForUpstreamIdAsync(round3);
        await pair.UpstreamApi.WaitForAsync(pair.UpstreamTenant.Key, upstream3, s => s == "SUCCEEDED");
        await pair.CrashAndRestartGatewayAsync();

        var upstreamIds = new List<string>();
        foreach (var id in ids)
        {
            var task = await pair.GatewayApi.WaitForAsync(tenant.Key, id, ReelayApi.IsTerminal, TimeSpan.FromSeconds(120));
            Assert.True(task.GetProperty("status").GetString() == "SUCCEEDED", $"{id}: {task}\n{pair.GatewayOutput}");
            upstreamIds.Add((await pair.RelayedAsync(id)).UpstreamTaskId!);
        }
        // One upstream task per gateway task: distinct ids, and the upstream charged exactly that many.
        Assert.Equal(ids.Count, upstreamIds.Distinct().Count());
        Assert.Equal(ids.Count * Gen45TwoSeconds, await pair.UpstreamChargedAsync());
        Assert.Equal(ids.Count * Gen45TwoSeconds, await pair.UpstreamCreditsUsedAsync());

        // Each task ended once: one hold, one release of it and one charge each; the balance is the ledger's sum.
        var entries = await TestDatabase.QueryAsync<(string TaskId, string Kind, long Count)>(pair.Gateway,
            "SELECT task_id, kind, COUNT(*) FROM ledger_entries WHERE task_id IS NOT NULL GROUP BY task_id, kind");
        foreach (var id in ids)
            Assert.Equal([("charge", 1L), ("hold", 1L), ("release", 1L)], entries.Where(e => e.TaskId == id).Select(e => (e.Kind, e.Count)).OrderBy(e => e.Kind));
        var balance = await pair.GatewayBalanceAsync(tenant.OrgId);
        Assert.Equal(1000 - ids.Count * Gen45TwoSeconds, balance);
        Assert.Equal(balance, await TestDatabase.ScalarAsync<long>(pair.Gateway,
            "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM ledger_entries WHERE org_id = @org", new { org = tenant.OrgId }));
        await pair.AssertKeyNeverLoggedAsync();
    }
}
