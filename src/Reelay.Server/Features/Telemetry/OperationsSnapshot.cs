using Dapper;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Telemetry;

/// <summary>One model's waiting and running tasks, and how long its oldest waiting task has waited.</summary>
public sealed record ModelQueue(string Model, long Queued, long Throttled, long Running, double OldestWaitingSeconds);

/// <summary>Tasks that ended in the recent window, and the 95th percentile of their run time.</summary>
public sealed record RecentWork(double WindowSeconds, long Succeeded, long Failed, long Cancelled, double? P95RunSeconds)
{
    public long Finished => Succeeded + Failed + Cancelled;
    public double TasksPerMinute => WindowSeconds <= 0 ? 0 : Math.Round(Finished * 60 / WindowSeconds, 3);

    /// <summary>Failed among the tasks that ran to an end (a cancel is the owner's choice, not an error).</summary>
    public double ErrorRate => Succeeded + Failed == 0 ? 0 : Math.Round((double)Failed / (Succeeded + Failed), 4);
}

/// <summary>What the database says now, for every node alike: read by the queue gauges and the operator dashboard.</summary>
public sealed record OperationsState(
    long SampledAt, IReadOnlyList<ModelQueue> Queues, RecentWork Recent, long WebhookBacklog, double OldestWebhookDueSeconds, long WorkersSeen)
{
    public static readonly OperationsState Empty = new(0, [], new RecentWork(0, 0, 0, 0, null), 0, 0, 0);

    public const int WindowMinutes = 5;

    /// <summary>A remote worker counts as seen when it asked for work this recently.</summary>
    public static readonly TimeSpan WorkerRecent = TimeSpan.FromMinutes(2);

    public static async Task<OperationsState> ReadAsync(Db db, IReadOnlyCollection<string> models)
    {
        await using var connection = await db.OpenAsync();
        var now = Clock.NowMs();
        var counts = (await connection.QueryAsync<(string Model, string Status, long Count, long? Oldest)>(
            "SELECT model, status, COUNT(*), MIN(created_at) FROM tasks WHERE status IN ('queued', 'throttled', 'running') GROUP BY model, status")).ToList();
        // Every catalog model, idle ones at 0: a drained queue must read 0, not vanish from the graph.
        var queues = models.Concat(counts.Select(c => c.Model)).Distinct().Order(StringComparer.Ordinal).Select(model =>
        {
            var rows = counts.Where(c => c.Model == model).ToList();
            long Count(string status) => rows.Where(c => c.Status == status).Sum(c => c.Count);
            var oldest = rows.Where(c => c.Status != "running" && c.Oldest is not null).Select(c => c.Oldest!.Value).DefaultIfEmpty(now).Min();
            return new ModelQueue(model, Count("queued"), Count("throttled"), Count("running"), Math.Max(0, now - oldest) / 1000.0);
        }).ToList();

        var since = now - WindowMinutes * 60_000L;
        var ended = (await connection.QueryAsync<(string Status, long Count)>(
            "SELECT status, COUNT(*) FROM tasks WHERE finished_at >= @since GROUP BY status", new { since })).ToDictionary(r => r.Status, r => r.Count);
        // Bounded: the percentile of the newest few thousand runs is as good as of all of them.
        var runs = (await connection.QueryAsync<long>(
            "SELECT finished_at - started_at FROM tasks WHERE finished_at >= @since AND started_at IS NOT NULL AND status = 'succeeded' ORDER BY finished_at DESC LIMIT 5000",
            new { since })).ToList();
        var recent = new RecentWork(WindowMinutes * 60, ended.GetValueOrDefault("succeeded"), ended.GetValueOrDefault("failed"),
            ended.GetValueOrDefault("cancelled"), Percentile(runs, 0.95) is { } p ? p / 1000.0 : null);

        var (backlog, oldestDue) = await connection.QuerySingleAsync<(long, long?)>(
            "SELECT COUNT(*), MIN(next_attempt_at) FROM webhook_deliveries WHERE state = 'pending'");
        var workers = await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM workers WHERE last_seen_at >= @cutoff", new { cutoff = now - (long)WorkerRecent.TotalMilliseconds });
        return new OperationsState(now, queues, recent, backlog, oldestDue is { } due ? Math.Max(0, now - due) / 1000.0 : 0, workers);
    }

    /// <summary>The nearest-rank percentile; null for no values.</summary>
    public static long? Percentile(IReadOnlyCollection<long> values, double fraction)
    {
        if (values.Count == 0) return null;
        var sorted = values.Order().ToList();
        var rank = (int)Math.Ceiling(fraction * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }
}

/// <summary>
/// Reads <see cref="OperationsState"/> every Telemetry:SampleSeconds (5 by default), so a Prometheus scrape or a
/// dashboard refresh costs no query and many of them cost no more than one.
/// </summary>
public sealed class OperationsSampler(Db db, Catalog.ModelCatalog catalog, TelemetryOptions options, ILogger<OperationsSampler> logger) : BackgroundService
{
    private OperationsState _latest = OperationsState.Empty;

    public OperationsState Latest => Volatile.Read(ref _latest);

    /// <summary>A fresh read now (the dashboard's "refresh"); also becomes the latest sample.</summary>
    public async Task<OperationsState> SampleAsync()
    {
        var state = await OperationsState.ReadAsync(db, [.. catalog.Models.Select(m => m.Id)]);
        Volatile.Write(ref _latest, state);
        return state;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SampleAsync();
                await Task.Delay(options.SampleInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning("Operations sample failed: {Error}; retrying", ex.Message);
                try { await Task.Delay(options.SampleInterval, stoppingToken); }
                catch (OperationCanceledException) { return; }
            }
        }
    }
}
