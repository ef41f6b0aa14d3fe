using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Api;

/// <summary>
/// The counters a create maintains next to its rows (org_balances, the running balance; task_counts, the hourly
/// creates the daily cap reads) against their definitions, the sums over the ledger and the tasks, after concurrent
/// randomized creates and cancels that a crash interrupts.
/// </summary>
public class TaskCounterTests
{
    private const string Model = "gen4.5";

    [Fact]
    public async Task After_concurrent_randomized_creates_and_cancels_a_crash_and_a_restart_every_counter_equals_its_sum()
    {
        var seed = Environment.TickCount;
        var dataDirectory = TestPaths.NewTempDirectory("reelay-counters");
        var settings = new Dictionary<string, string> { ["Workers:Concurrency"] = "2", ["Workers:LeaseSeconds"] = "3" };
        ReelayApi.Tenant[] tenants;
        const int cap = 6;
        await using (var server = await ServerProcess.StartAsync(dataDirectory, settings))
        {
            var api = new ReelayApi(server);
            tenants = [await api.NewTenantAsync(credits: 100_000), await api.NewTenantAsync(credits: 100_000), await api.NewTenantAsync(credits: 24 * 5)];
            // One organization throttles (one slot), one has a small daily cap, one runs out of credits.
            await LimitsAsync(api, tenants[0], concurrent: 1, daily: 1000);
            await LimitsAsync(api, tenants[1], concurrent: 4, daily: cap);
            await RandomRoundAsync(api, tenants, new Random(seed), clients: 6, operations: 10);
            // A crash while creates and cancels are in flight: whatever committed must have committed whole.
            var inFlight = RandomRoundAsync(api, tenants, new Random(seed + 1), clients: 6, operations: 10);
            await Task.Delay(200);
            await server.KillAsync();
            await inFlight;
        }

        await using var restarted = await ServerProcess.StartAsync(dataDirectory, settings);
        var again = new ReelayApi(restarted);
        await RandomRoundAsync(again, tenants, new Random(seed + 2), clients: 4, operations: 6);
        // The capped organization is refused once its day is full, however its creates were interrupted.
        for (var i = 0; i < cap + 2; i++) await again.PostAsync("/v1/text_to_video", tenants[1].Key, Body);
        Assert.True(await TaskCountAsync(restarted, tenants[1].OrgId) == cap, $"seed {seed}: the capped organization has {await TaskCountAsync(restarted, tenants[1].OrgId)} tasks, cap {cap}");
        await WaitSettledAsync(restarted, tenants);

        foreach (var tenant in tenants) await AssertCountersMatchAsync(restarted, tenant.OrgId, $"seed {seed}");
    }

    /// <summary>Every counter of the organization equals its definition: the running balance, the hourly creates, and each task's hold and release.</summary>
    internal static async Task AssertCountersMatchAsync(ServerProcess server, string orgId, string context)
    {
        var running = await TestDatabase.ScalarAsync<long>(server, "SELECT COALESCE((SELECT balance FROM org_balances WHERE org_id = @orgId), 0)", new { orgId });
        var summed = await TestDatabase.ScalarAsync<long>(server, "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM ledger_entries WHERE org_id = @orgId", new { orgId });
        Assert.True(running == summed, $"{context}: running balance {running} != ledger sum {summed} ({orgId})");

        var counted = (await TestDatabase.QueryAsync<(string Model, long Hour, long Created)>(server,
            "SELECT model, hour, created FROM task_counts WHERE org_id = @orgId ORDER BY model, hour", new { orgId })).ToList();
        var tasks = (await TestDatabase.QueryAsync<(string Model, long Hour, long Created)>(server,
            "SELECT model, created_at / 3600000, COUNT(*) FROM tasks WHERE org_id = @orgId GROUP BY model, created_at / 3600000 ORDER BY model, 2", new { orgId })).ToList();
        Assert.True(counted.SequenceEqual(tasks), $"{context}: hourly counters [{string.Join(", ", counted)}] != tasks [{string.Join(", ", tasks)}] ({orgId})");

        // A hold per task, and a release per finished task: the balance moved exactly once each way.
        var unbalanced = await TestDatabase.QueryAsync<(string Id, string Status, long Holds, long Releases)>(server,
            """
            SELECT t.id, t.status,
                   (SELECT COUNT(*) FROM ledger_entries l WHERE l.task_id = t.id AND l.kind = 'hold'),
                   (SELECT COUNT(*) FROM ledger_entries l WHERE l.task_id = t.id AND l.kind = 'release')
            FROM tasks t WHERE t.org_id = @orgId
            """, new { orgId });
        foreach (var t in unbalanced)
        {
            Assert.True(t.Holds == 1, $"{context}: task {t.Id} ({t.Status}) has {t.Holds} holds");
            var finished = t.Status is "succeeded" or "failed" or "cancelled";
            Assert.True(t.Releases == (finished ? 1 : 0), $"{context}: task {t.Id} ({t.Status}) has {t.Releases} releases");
        }
    }

    private static readonly object Body = new { model = Model, promptText = "counted", ratio = "1280:720", duration = 2 };

    private static Task LimitsAsync(ReelayApi api, ReelayApi.Tenant tenant, int concurrent, int daily) =>
        api.AdminAsync(HttpMethod.Put, $"/admin/v1/organizations/{tenant.OrgId}/limits",
            new { models = new Dictionary<string, object> { [Model] = new { maxConcurrentGenerations = concurrent, maxDailyGenerations = daily } } });

    /// <summary>
    /// Concurrent clients, each creating (finishing at once, failing, running a second, or held throttled) or cancelling
    /// one of its earlier tasks at random; a server that went away only ends the client early.
    /// </summary>
    private static Task RandomRoundAsync(ReelayApi api, ReelayApi.Tenant[] tenants, Random seeded, int clients, int operations)
    {
        var seeds = Enumerable.Range(0, clients).Select(_ => seeded.Next()).ToList();
        return Task.WhenAll(seeds.Select(s => Task.Run(async () =>
        {
            var random = new Random(s);
            var mine = new List<(ReelayApi.Tenant Tenant, string Id)>();
            try
            {
                for (var i = 0; i < operations; i++)
                {
                    if (mine.Count > 0 && random.Next(4) == 0)
                    {
                        var (tenant, id) = mine[random.Next(mine.Count)];
                        await api.DeleteTaskAsync(tenant.Key, id);
                        continue;
                    }
                    var owner = tenants[random.Next(tenants.Length)];
                    string?[] simulations = [null, null, "fail=INTERNAL", "delay=1", "throttle=2"];
                    var reply = await api.PostAsync("/v1/text_to_video", owner.Key, Body, simulate: simulations[random.Next(simulations.Length)]);
                    if (reply.Status == 200) mine.Add((owner, reply.Body.GetProperty("id").GetString()!));
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                // The server was killed under this client.
            }
        })));
    }

    private static Task<long> TaskCountAsync(ServerProcess server, string orgId) =>
        TestDatabase.ScalarAsync<long>(server, "SELECT COUNT(*) FROM tasks WHERE org_id = @orgId", new { orgId });

    /// <summary>Until no task of these organizations is waiting or running (the killed server's leases expire and are rerun).</summary>
    private static async Task WaitSettledAsync(ServerProcess server, IEnumerable<ReelayApi.Tenant> tenants)
    {
        foreach (var tenant in tenants)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
            while (await TestDatabase.ScalarAsync<long>(server,
                       "SELECT COUNT(*) FROM tasks WHERE org_id = @orgId AND status IN ('queued', 'throttled', 'running')", new { orgId = tenant.OrgId }) > 0)
            {
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"tasks of {tenant.OrgId} still active after 120 s");
                await Task.Delay(200);
            }
        }
    }
}
