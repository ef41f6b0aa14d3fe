using Dapper;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.RequestLog;

/// <summary>
/// Retention: every PruneInterval, deletes entries older than RetentionDays in batches of PruneBatch
/// rows, each its own short transaction, so the writer and the API are never blocked for long.
/// </summary>
public sealed class RequestLogPruner(Db db, RequestLogOptions options, ILogger<RequestLogPruner> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Not at the very start: start-up (migrations, bootstrap) comes first.
        var delay = TimeSpan.FromSeconds(Math.Min(30, options.PruneInterval.TotalSeconds));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(delay, stoppingToken);
                delay = options.PruneInterval;
                var cutoff = Clock.NowMs() - (long)TimeSpan.FromDays(options.RetentionDays).TotalMilliseconds;
                var deleted = await PruneAsync(db, cutoff, options.PruneBatch, stoppingToken);
                if (deleted > 0) logger.LogInformation("Request log: pruned {Count} entries older than {Days} days", deleted, options.RetentionDays);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Request log pruning failed; trying again at the next interval");
            }
        }
    }

    /// <summary>Deletes entries that started before cutoffMs, batchSize rows per statement; returns how many.</summary>
    public static async Task<long> PruneAsync(Db db, long cutoffMs, int batchSize, CancellationToken cancellationToken = default)
    {
        long total = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int deleted;
            await using (var connection = await db.OpenAsync(cancellationToken))
            {
                deleted = await connection.ExecuteAsync(
                    "DELETE FROM request_log WHERE id IN (SELECT id FROM request_log WHERE at < @cutoff ORDER BY at LIMIT @limit)",
                    new { cutoff = cutoffMs, limit = batchSize });
            }
            total += deleted;
            if (deleted < batchSize) return total;
            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken); // let queued writers in between batches
        }
    }
}
