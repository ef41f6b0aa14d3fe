using Reelay.Server.Features.Catalog;
using Reelay.Server.Features.Engines;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Queue;

/// <summary>
/// The in-process workers (Workers:Concurrency of them). Each loop promotes throttled tasks, returns
/// expired leases, claims the oldest pending task and runs it with a renewed lease.
/// </summary>
public sealed class WorkerPool(Db db, ModelCatalog catalog, ReelayOptions options, TaskSignal signal, TaskRunner runner, ILogger<WorkerPool> logger)
    : BackgroundService
{
    private readonly string _nodeId = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.WorkerConcurrency == 0)
        {
            logger.LogInformation("Workers:Concurrency is 0: this node accepts tasks but does not run them");
            return Task.CompletedTask;
        }
        logger.LogInformation("Starting {Count} workers on node {Node}", options.WorkerConcurrency, _nodeId);
        return Task.WhenAll(Enumerable.Range(0, options.WorkerConcurrency).Select(i => LoopAsync(i, stoppingToken)));
    }

    private async Task LoopAsync(int index, CancellationToken stoppingToken)
    {
        var owner = $"{_nodeId}/{index}";
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await TaskQueue.ReapExpiredAsync(db, options.MaxAttempts);
                await TaskQueue.PromoteThrottledAsync(db, catalog);
                var task = await TaskQueue.ClaimAsync(db, owner, options.LeaseDuration);
                if (task is null)
                {
                    await signal.WaitAsync(TimeSpan.FromMilliseconds(500), stoppingToken);
                    continue;
                }
                await runner.RunAsync(task, stoppingToken);
                // Finishing frees a slot: let other loops promote and claim without waiting for their poll.
                signal.Pulse(options.WorkerConcurrency);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Worker {Owner} loop failed; retrying in a second", owner);
                await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None);
            }
        }
    }
}
