using System.Diagnostics;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Api;

/// <summary>Two server processes on one data directory: the same database (SQLite file or PostgreSQL database) and the same blobs.</summary>
public sealed class TwoNodeFixture : IAsyncLifetime
{
    public ServerProcess NodeA { get; private set; } = null!;
    public ServerProcess NodeB { get; private set; } = null!;
    public ReelayApi A { get; private set; } = null!;
    public ReelayApi B { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var dataDirectory = TestPaths.NewTempDirectory("reelay-nodes");
        // One after the other: the first start creates the database, the second finds it ready.
        NodeA = await ServerProcess.StartAsync(dataDirectory);
        NodeB = await ServerProcess.StartAsync(dataDirectory);
        (A, B) = (new ReelayApi(NodeA), new ReelayApi(NodeB));
    }

    public async Task DisposeAsync()
    {
        if (NodeB is not null) await NodeB.DisposeAsync();
        if (NodeA is not null) await NodeA.DisposeAsync();
    }
}

public class MultiNodeTests(TwoNodeFixture nodes) : IClassFixture<TwoNodeFixture>
{
    private static Dictionary<string, object> Models(object limits) => new() { ["gen4.5"] = limits };

    private static Task SetLimitsAsync(ReelayApi api, string orgId, object limits) =>
        api.AdminAsync(HttpMethod.Put, $"/admin/v1/organizations/{orgId}/limits", new { models = Models(limits) });

    /// <summary>The process id inside a lease owner ("{machine}:{pid}:{guid}/{loop}", WorkerPool).</summary>
    private static int OwnerPid(string owner) => int.Parse(owner.Split(':')[^2]);

    /// <summary>Each task's ledger rows of one kind, as (entries, distinct tasks).</summary>
    private static async Task<(long Entries, long Tasks)> LedgerCountAsync(ServerProcess server, string orgId, string kind) =>
        (await TestDatabase.ScalarAsync<long>(server, "SELECT COUNT(*) FROM ledger_entries WHERE org_id = @orgId AND kind = @kind", new { orgId, kind }),
         await TestDatabase.ScalarAsync<long>(server, "SELECT COUNT(DISTINCT task_id) FROM ledger_entries WHERE org_id = @orgId AND kind = @kind", new { orgId, kind }));

    private static async Task SignalAsync(int pid, string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", pid.ToString()]);
        await kill.WaitForExitAsync();
        Assert.Equal(0, kill.ExitCode);
    }

    [Fact]
    public async Task Tasks_created_on_two_nodes_all_succeed_and_are_charged_once_when_one_node_is_killed_mid_run()
    {
        var dataDirectory = TestPaths.NewTempDirectory("reelay-nodes");
        var settings = new Dictionary<string, string> { ["Workers:Concurrency"] = "2", ["Workers:LeaseSeconds"] = "3" };
        await using var nodeA = await ServerProcess.StartAsync(dataDirectory, settings);
        await using var nodeB = await ServerProcess.StartAsync(dataDirectory, settings);
        var (a, b) = (new ReelayApi(nodeA), new ReelayApi(nodeB));
        var tenant = await a.NewTenantAsync(credits: 10_000);
        await SetLimitsAsync(b, tenant.OrgId, new { maxConcurrentGenerations = 50, maxDailyGenerations = 100 });

        var ids = new List<string>();
        for (var i = 0; i < 30; i++)
            ids.Add(await (i % 2 == 0 ? a : b).CreateTextTaskAsync(tenant.Key, simulate: i % 3 == 0 ? "delay=1" : null));

        // Both nodes' workers are running this organization's tasks before one of them dies.
        var runningOn = new HashSet<int>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!(runningOn.Contains(nodeA.ProcessId) && runningOn.Contains(nodeB.ProcessId)))
        {
            Assert.True(DateTime.UtcNow < deadline, $"running tasks were only ever claimed by processes {string.Join(", ", runningOn)}");
            var owners = await TestDatabase.QueryAsync<string>(nodeB,
                "SELECT lease_owner FROM tasks WHERE org_id = @orgId AND status = 'running' AND lease_owner IS NOT NULL", new { orgId = tenant.OrgId });
            runningOn.UnionWith(owners.Select(OwnerPid));
            await Task.Delay(50);
        }
        await nodeA.KillAsync();

        foreach (var id in ids)
            Assert.Equal("SUCCEEDED", (await b.WaitForAsync(tenant.Key, id, ReelayApi.IsTerminal, TimeSpan.FromSeconds(120))).GetProperty("status").GetString());
        foreach (var kind in new[] { "hold", "release", "charge" })
            Assert.Equal((30L, 30L), await LedgerCountAsync(nodeB, tenant.OrgId, kind));
        var org = await b.AdminAsync(HttpMethod.Get, $"/admin/v1/organizations/{tenant.OrgId}");
        Assert.Equal(10_000 - 30 * 24, org.GetProperty("creditBalance").GetInt64());
    }

    [Fact]
    public async Task The_same_idempotency_key_sent_to_two_nodes_creates_one_task_with_one_hold()
    {
        var tenant = await nodes.A.NewTenantAsync();
        var body = new { model = "gen4.5", promptText = "one lighthouse", ratio = "1280:720", duration = 2 };
        Task<ReelayApi.Reply> CreateAsync(ReelayApi api, object json) =>
            api.SendAsync(HttpMethod.Post, "/v1/text_to_video", tenant.Key, json, r => r.Headers.Add("Idempotency-Key", "across-nodes"));

        var first = await CreateAsync(nodes.A, body);
        var replay = await CreateAsync(nodes.B, body);
        Assert.Equal((200, 200), (first.Status, replay.Status));
        var id = first.Body.GetProperty("id").GetString();
        Assert.Equal(id, replay.Body.GetProperty("id").GetString());
        Assert.Equal("true", replay.Response.Headers.GetValues("Idempotent-Replayed").Single());

        var other = await CreateAsync(nodes.B, body with { promptText = "another lighthouse" });
        Assert.Equal(422, other.Status);
        Assert.Equal((1L, 1L), await LedgerCountAsync(nodes.NodeB, tenant.OrgId, "hold"));
        Assert.Equal(1, await TestDatabase.ScalarAsync<long>(nodes.NodeA, "SELECT COUNT(*) FROM tasks WHERE org_id = @orgId", new { orgId = tenant.OrgId }));
    }

    [Fact]
    public async Task The_daily_cap_counts_generations_created_on_every_node()
    {
        var tenant = await nodes.A.NewTenantAsync();
        await SetLimitsAsync(nodes.B, tenant.OrgId, new { maxDailyGenerations = 3 });
        await nodes.A.CreateTextTaskAsync(tenant.Key);
        await nodes.B.CreateTextTaskAsync(tenant.Key);
        await nodes.A.CreateTextTaskAsync(tenant.Key);

        foreach (var api in new[] { nodes.B, nodes.A })
        {
            var refused = await api.PostAsync("/v1/text_to_video", tenant.Key, new { model = "gen4.5", promptText = "one too many", ratio = "1280:720", duration = 2 });
            Assert.Equal(429, refused.Status);
            Assert.True(refused.Response.Headers.RetryAfter?.Delta > TimeSpan.Zero, "429 without Retry-After");
        }
        Assert.Equal(3, await TestDatabase.ScalarAsync<long>(nodes.NodeA, "SELECT COUNT(*) FROM tasks WHERE org_id = @orgId", new { orgId = tenant.OrgId }));
    }

    [Fact]
    public async Task Concurrent_requests_with_one_idempotency_key_on_both_nodes_create_one_task_with_one_hold()
    {
        var tenant = await nodes.A.NewTenantAsync();
        var body = new { model = "gen4.5", promptText = "one lighthouse, many retries", ratio = "1280:720", duration = 2 };
        using var start = new SemaphoreSlim(0);
        var sends = Enumerable.Range(0, 16).Select(async i =>
        {
            await start.WaitAsync();
            return await (i % 2 == 0 ? nodes.A : nodes.B).SendAsync(HttpMethod.Post, "/v1/text_to_video", tenant.Key, body,
                r => r.Headers.Add("Idempotency-Key", "burst-across-nodes"));
        }).ToList();
        start.Release(sends.Count);
        var replies = await Task.WhenAll(sends);

        // Every answer is the one task (first or replayed) or "still in progress, retry" — never a second task.
        Assert.All(replies, r => Assert.True(r.Status is 200 or 409, $"unexpected {r.Status}: {r.Body}"));
        var ids = replies.Where(r => r.Status == 200).Select(r => r.Body.GetProperty("id").GetString()).Distinct().ToList();
        Assert.Single(ids);
        Assert.Equal(1, await TestDatabase.ScalarAsync<long>(nodes.NodeA, "SELECT COUNT(*) FROM tasks WHERE org_id = @orgId", new { orgId = tenant.OrgId }));
        Assert.Equal((1L, 1L), await LedgerCountAsync(nodes.NodeB, tenant.OrgId, "hold"));
    }

    [Fact]
    public async Task Concurrent_creates_on_both_nodes_never_exceed_the_daily_cap()
    {
        var tenant = await nodes.A.NewTenantAsync();
        await SetLimitsAsync(nodes.B, tenant.OrgId, new { maxConcurrentGenerations = 50, maxDailyGenerations = 5 });
        using var start = new SemaphoreSlim(0);
        var sends = Enumerable.Range(0, 20).Select(async i =>
        {
            await start.WaitAsync();
            return await (i % 2 == 0 ? nodes.A : nodes.B).PostAsync("/v1/text_to_video", tenant.Key,
                new { model = "gen4.5", promptText = $"racer {i}", ratio = "1280:720", duration = 2 });
        }).ToList();
        start.Release(sends.Count);
        var replies = await Task.WhenAll(sends);

        Assert.Equal(5, replies.Count(r => r.Status == 200));
        Assert.Equal(15, replies.Count(r => r.Status == 429));
        Assert.Equal(5, await TestDatabase.ScalarAsync<long>(nodes.NodeA, "SELECT COUNT(*) FROM tasks WHERE org_id = @orgId", new { orgId = tenant.OrgId }));
        Assert.Equal((5L, 5L), await LedgerCountAsync(nodes.NodeB, tenant.OrgId, "hold"));
    }

    [Fact]
    public async Task Throttled_tasks_submitted_to_alternating_nodes_run_one_at_a_time_in_submission_order()
    {
        var tenant = await nodes.A.NewTenantAsync();
        await SetLimitsAsync(nodes.A, tenant.OrgId, new { maxConcurrentGenerations = 1 });
        var ids = new List<string>();
        for (var i = 0; i < 3; i++) ids.Add(await (i % 2 == 0 ? nodes.A : nodes.B).CreateTextTaskAsync(tenant.Key, simulate: "delay=1"));
        foreach (var id in ids)
            Assert.Equal("SUCCEEDED", (await nodes.B.WaitForAsync(tenant.Key, id, ReelayApi.IsTerminal)).GetProperty("status").GetString());

        var runs = new List<(long Started, long Finished)>();
        foreach (var id in ids)
            runs.Add((await TestDatabase.ScalarAsync<long>(nodes.NodeA, "SELECT started_at FROM tasks WHERE id = @id", new { id }),
                      await TestDatabase.ScalarAsync<long>(nodes.NodeA, "SELECT finished_at FROM tasks WHERE id = @id", new { id })));
        for (var i = 1; i < runs.Count; i++)
            Assert.True(runs[i].Started >= runs[i - 1].Finished, $"task {i} started at {runs[i].Started}, before task {i - 1} finished at {runs[i - 1].Finished}");
    }

    [Fact]
    public async Task An_output_url_signed_by_one_node_downloads_from_the_other()
    {
        // Outputs live in the shared blob directory and are signed with the key kept in the shared database.
        var tenant = await nodes.A.NewTenantAsync();
        var id = await nodes.A.CreateTextTaskAsync(tenant.Key);
        var task = await nodes.A.WaitForAsync(tenant.Key, id, ReelayApi.IsTerminal);
        Assert.Equal("SUCCEEDED", task.GetProperty("status").GetString());
        var signedByA = new Uri(task.GetProperty("output")[0].GetString()!);
        Assert.Equal(nodes.A.BaseUrl.Port, signedByA.Port);
        var onB = new UriBuilder(signedByA) { Port = nodes.B.BaseUrl.Port }.Uri;
        Assert.NotEmpty(await ReelayApi.DownloadAsync(onB.ToString()));
    }

    [Fact]
    public async Task A_node_paused_past_its_lease_cannot_complete_a_task_another_node_took_over()
    {
        var dataDirectory = TestPaths.NewTempDirectory("reelay-nodes");
        // One worker each and no webhook loops: while paused, a node runs only the task's heartbeat, so it is
        // (almost) never caught holding a database lock that the other node needs to take the task over.
        var settings = new Dictionary<string, string> { ["Workers:Concurrency"] = "1", ["Workers:LeaseSeconds"] = "2", ["Webhooks:Concurrency"] = "0" };
        await using var first = await ServerProcess.StartAsync(dataDirectory, settings);
        await using var second = await ServerProcess.StartAsync(dataDirectory, settings);
        var api = new ReelayApi(first);
        var tenant = await api.NewTenantAsync(credits: 1000);
        var id = await api.CreateTextTaskAsync(tenant.Key, simulate: "delay=6");

        // Whichever node claimed it is the one that stalls.
        string? owner = null;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (owner is null)
        {
            Assert.True(DateTime.UtcNow < deadline, "the task was never claimed");
            owner = (await TestDatabase.QueryAsync<string>(first, "SELECT lease_owner FROM tasks WHERE id = @id AND status = 'running'", new { id })).SingleOrDefault();
            if (owner is null) await Task.Delay(50);
        }
        var (stalled, survivor) = OwnerPid(owner) == first.ProcessId ? (first, second) : (second, first);
        Assert.Equal(stalled.ProcessId, OwnerPid(owner));

        await SignalAsync(stalled.ProcessId, "STOP");
        var pausedAt = DateTime.UtcNow;
        try
        {
            // The lease runs out, the other node returns the task to the queue and runs it again.
            deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (true)
            {
                Assert.True(DateTime.UtcNow < deadline, "the other node never took the task over");
                var current = (await TestDatabase.QueryAsync<string>(survivor, "SELECT lease_owner FROM tasks WHERE id = @id AND status = 'running'", new { id })).SingleOrDefault();
                if (current is not null && OwnerPid(current) == survivor.ProcessId) break;
                await Task.Delay(100);
            }
            var paused = DateTime.UtcNow - pausedAt;
            if (paused < TimeSpan.FromSeconds(4.5)) await Task.Delay(TimeSpan.FromSeconds(4.5) - paused); // more than two leases
        }
        finally
        {
            await SignalAsync(stalled.ProcessId, "CONT");
        }

        var done = await new ReelayApi(survivor).WaitForAsync(tenant.Key, id, ReelayApi.IsTerminal);
        Assert.Equal("SUCCEEDED", done.GetProperty("status").GetString());
        // The woken node notices it lost the lease and throws its work away instead of finishing the task again.
        deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!stalled.Output.Contains($"Task {id} stopped: it was cancelled or its lease was taken over")
               && !stalled.Output.Contains($"Task {id} finished rendering after losing its lease"))
        {
            Assert.True(DateTime.UtcNow < deadline, "the paused node never reported that it discarded its run:\n" + stalled.Output);
            await Task.Delay(100);
        }
        await Task.Delay(500); // a wrong second completion would land now
        Assert.Equal("succeeded", await TestDatabase.ScalarAsync<string>(survivor, "SELECT status FROM tasks WHERE id = @id", new { id }));
        Assert.Equal(2, await TestDatabase.ScalarAsync<long>(survivor, "SELECT attempts FROM tasks WHERE id = @id", new { id }));
        foreach (var kind in new[] { "hold", "release", "charge" })
            Assert.Equal((1L, 1L), await LedgerCountAsync(survivor, tenant.OrgId, kind));
        var org = await api.AdminAsync(HttpMethod.Get, $"/admin/v1/organizations/{tenant.OrgId}");
        Assert.Equal(1000 - 24, org.GetProperty("creditBalance").GetInt64());
    }
}
