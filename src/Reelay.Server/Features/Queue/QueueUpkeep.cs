using Reelay.Server.Features.Catalog;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Queue;

/// <summary>
/// On every node, whether or not it runs tasks itself: returns expired leases to the queue (a dead worker's tasks,
/// local or remote) and promotes THROTTLED tasks as slots free up. It wakes on the task signal (a finish, a create,
/// a cancel announced by any node) and otherwise every half second.
/// </summary>
public sealed class QueueUpkeep(Db db, ModelCatalog catalog, ReelayOptions options, TaskSignal signal, ILogger<QueueUpkeep> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan Coalesce = TimeSpan.FromMilliseconds(25);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var seen = signal.Version;
                var changed = await TaskQueue.ReapExpiredAsync(db, options.MaxAttempts) + await TaskQueue.PromoteThrottledAsync(db, catalog);
                // What it changed was announced (NOTIFY on PostgreSQL); on this node, wake the waiters directly.
                if (changed > 0) signal.Pulse();
                var before = DateTime.UtcNow;
                await signal.WaitAsync(changed > 0 ? signal.Version : seen, Interval, stoppingToken);
                // Woken early by a burst of creates: gather the burst into one pass instead of one per task.
                if (DateTime.UtcNow - before < Interval) await Task.Delay(Coalesce, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Queue upkeep failed; retrying in a second");
                await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None);
            }
        }
    }
}
