using System.Data.Common;
using System.Diagnostics;
using Dapper;
using Reelay.Tests.Infrastructure;

namespace Reelay.Bench.Dispatch;

/// <summary>What one phase of creates measured: client-side round trips and, from the tasks table, create-to-RUNNING.</summary>
public sealed record Phase(int Tasks, TimeSpan Wall, double[] RoundTripMs, double[] CompletedAtMs, long[] ToRunningMs, double DonePerSecond)
{
    public double CreatedPerSecond => Tasks / Wall.TotalSeconds;

    /// <summary>
    /// The creation rate in each quarter of the burst (creates completed ÷ the time the quarter took): a create whose
    /// cost grows with the table shows as a last quarter slower than the first.
    /// </summary>
    public double[] QuarterRates()
    {
        var done = CompletedAtMs.Order().ToArray();
        if (done.Length < 4) return [double.NaN, double.NaN, double.NaN, double.NaN];
        var q = done.Length / 4;
        double[] ends = [0, done[q - 1], done[2 * q - 1], done[3 * q - 1], done[^1]];
        // The last quarter also takes the remainder of an uneven split.
        return [.. Enumerable.Range(1, 4).Select(k => (k == 4 ? done.Length - 3 * q : q) / Math.Max(1e-3, (ends[k] - ends[k - 1]) / 1000))];
    }
}

/// <summary>Creates tasks on the noop model through the Runway surface and reads what the server recorded about them.</summary>
public sealed class DispatchClient(ServerProcess server, CancellationToken cancel)
{
    public const string Model = "noop-model";
    private static readonly object Body = new { model = Model, promptText = "a lighthouse at dusk", ratio = "1280:720", duration = 2 };
    private readonly ReelayApi _api = new(server);

    /// <summary><paramref name="count"/> fresh organizations, for a burst spread over several.</summary>
    public async Task<ReelayApi.Tenant[]> TenantsAsync(int count)
    {
        var tenants = new ReelayApi.Tenant[count];
        for (var i = 0; i < count; i++) tenants[i] = await TenantAsync();
        return tenants;
    }

    /// <summary>A fresh organization per phase: the per-organization checks of a create (balance, daily cap) start from empty each time.</summary>
    public async Task<ReelayApi.Tenant> TenantAsync()
    {
        var tenant = await _api.NewTenantAsync(credits: 1_000_000_000, name: "dispatch bench").WaitAsync(cancel);
        // The catalog's default tier is already high; the organization's own limits are what a create reads, so set them too.
        await _api.AdminAsync(HttpMethod.Put, $"/admin/v1/organizations/{tenant.OrgId}/limits", new
        {
            models = new Dictionary<string, object> { [Model] = new { maxConcurrentGenerations = 1_000_000, maxDailyGenerations = 1_000_000 } },
        }).WaitAsync(cancel);
        return tenant;
    }

    /// <summary>
    /// <paramref name="count"/> creates from <paramref name="clients"/> concurrent clients, spread round-robin over the
    /// organizations (create i in organization i mod n), then waits until every task is done.
    /// </summary>
    public async Task<Phase> BurstAsync(IReadOnlyList<ReelayApi.Tenant> tenants, int count, int clients)
    {
        var roundTrips = new double[count];
        var completedAt = new double[count];
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < count; i = Interlocked.Increment(ref next))
            {
                var sent = clock.Elapsed.TotalMilliseconds;
                await CreateAsync(tenants[i % tenants.Count].Key);
                completedAt[i] = clock.Elapsed.TotalMilliseconds;
                roundTrips[i] = completedAt[i] - sent;
            }
        }, cancel)));
        var wall = clock.Elapsed;
        await using var connection = await TestDatabase.OpenAsync(server);
        foreach (var tenant in tenants) await WaitDoneAsync(connection, tenant.OrgId, TimeSpan.FromMinutes(3));
        var (toRunning, donePerSecond) = await ReadAsync(connection, [.. tenants.Select(t => t.OrgId)], count);
        return new Phase(count, wall, roundTrips, completedAt, toRunning, donePerSecond);
    }

    /// <summary>
    /// One create at a time on an idle server, each waited for until done and followed by a pause, so every
    /// task meets idle workers: what is measured is the wake-up path, not a queue. With <paramref name="jitter"/>
    /// the pause is drawn from 20–520 ms instead of a fixed 50 ms: for a server whose workers find the task by their
    /// 0.5 s poll (another node on SQLite), creates then land at random points of that poll, not always at the same one.
    /// </summary>
    public async Task<Phase> IdleAsync(ReelayApi.Tenant tenant, int count, Random? jitter = null)
    {
        var roundTrips = new double[count];
        var clock = Stopwatch.StartNew();
        await using var connection = await TestDatabase.OpenAsync(server);
        for (var i = 0; i < count; i++)
        {
            var sent = clock.Elapsed.TotalMilliseconds;
            var id = await CreateAsync(tenant.Key);
            roundTrips[i] = clock.Elapsed.TotalMilliseconds - sent;
            // The server's timestamps carry the measurement; this poll only paces the loop (one open connection, 5 ms apart).
            var deadline = Stopwatch.StartNew();
            while (await connection.ExecuteScalarAsync<long?>("SELECT finished_at FROM tasks WHERE id = @id", new { id }) is null)
            {
                if (deadline.Elapsed > TimeSpan.FromSeconds(30)) throw new TimeoutException($"idle task {id} not done after 30 s");
                await Task.Delay(5, cancel);
            }
            // Lets the worker loops and queue upkeep go back to waiting on the signal before the next create.
            await Task.Delay(jitter is null ? 50 : 20 + jitter.Next(500), cancel);
        }
        var wall = clock.Elapsed;
        var (toRunning, donePerSecond) = await ReadAsync(connection, [tenant.OrgId], count);
        return new Phase(count, wall, roundTrips, [], toRunning, donePerSecond);
    }

    private async Task<string> CreateAsync(string key)
    {
        var reply = await _api.PostAsync("/v1/text_to_video", key, Body).WaitAsync(cancel);
        // A bench that counts refusals (429 daily cap, 503 overloaded) as creates measures the wrong thing: stop instead.
        if (reply.Status != 200) throw new InvalidOperationException($"create → {reply.Status}: {reply.Body}");
        return reply.Body.GetProperty("id").GetString()!;
    }

    private async Task WaitDoneAsync(DbConnection connection, string orgId, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var open = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM tasks WHERE org_id = @orgId AND finished_at IS NULL", new { orgId });
            if (open == 0) return;
            if (deadline.Elapsed > timeout) throw new TimeoutException($"{open} tasks still not done after {timeout.TotalSeconds:0} s");
            await Task.Delay(50, cancel);
        }
    }

    /// <summary>Create-to-RUNNING per task (started_at - created_at, both stamped by the server), and tasks done per second from first create to last finish.</summary>
    private static async Task<(long[] ToRunning, double DonePerSecond)> ReadAsync(DbConnection connection, IReadOnlyList<string> orgIds, int expected)
    {
        var rows = new List<(long CreatedAt, long StartedAt, long FinishedAt, string Status)>();
        foreach (var orgId in orgIds)
            rows.AddRange(await connection.QueryAsync<(long CreatedAt, long StartedAt, long FinishedAt, string Status)>(
                "SELECT created_at, started_at, finished_at, status FROM tasks WHERE org_id = @orgId", new { orgId }));
        if (rows.Count != expected) throw new InvalidOperationException($"expected {expected} tasks, the database has {rows.Count}");
        var bad = rows.FirstOrDefault(r => r.Status != "succeeded");
        if (bad.Status is not null)
            throw new InvalidOperationException($"a noop task ended {bad.Status}: the bench would measure failures");
        var span = rows.Max(r => r.FinishedAt) - rows.Min(r => r.CreatedAt);
        return ([.. rows.Select(r => r.StartedAt - r.CreatedAt)], rows.Count * 1000.0 / Math.Max(1, span));
    }
}

public static class Stats
{
    /// <summary>Nearest-rank percentile (p in 0..1).</summary>
    public static double Percentile(IEnumerable<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    public static double Percentile(IEnumerable<long> values, double p) => Percentile(values.Select(v => (double)v), p);
}
