using Reelay.Server.Features.Catalog;
using Reelay.Server.Features.Engines;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Queue;

/// <summary>
/// The in-process workers (Workers:Concurrency of them). Each loop claims the oldest pending task of a model whose
/// engine runs here (preview, noop) and runs it with a renewed lease; models served by a worker pool
/// ("engine": "pool:NAME") are left to remote workers.
/// </summary>
public sealed class WorkerPool(Db db, ModelCatalog catalog, ReelayOptions options, TaskSignal signal, TaskRunner runner, ILogger<WorkerPool> logger)
    : BackgroundService
{
    private readonly string _nodeId = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var models = catalog.Models.Where(m => EngineRun.LocalEngines.Contains(m.Engine)).Select(m => m.Id).ToList();
        if (options.WorkerConcurrency == 0 || models.Count == 0)
        {
            logger.LogInformation("No in-process workers on this node (Workers:Concurrency {Concurrency}, {Count} local models): it accepts tasks and leaves them to other workers",
                options.WorkerConcurrency, models.Count);
            return Task.CompletedTask;
        }
        logger.LogInformation("Starting {Count} workers on node {Node}", options.WorkerConcurrency, _nodeId);
        return Task.WhenAll(Enumerable.Range(0, options.WorkerConcurrency).Select(i => LoopAsync(i, models, stoppingToken)));
    }

    private async Task LoopAsync(int index, IReadOnlyCollection<string> models, CancellationToken stoppingToken)
    {
        var owner = $"{_nodeId}/{index}";
        var busy = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var seen = signal.Version;
                // Right after a task, claim without the idle probe: in a burst the next task is already waiting.
                var task = await TaskQueue.ClaimAsync(db, owner, options.LeaseDuration, models, probe: !busy);
                busy = task is not null;
                if (task is null)
                {
                    await signal.WaitAsync(seen, TimeSpan.FromMilliseconds(500), stoppingToken);
                    continue;
                }
                await runner.RunAsync(task, stoppingToken);
                // Finishing frees a slot: queue upkeep promotes the next throttled task without waiting for its poll.
                signal.Pulse();
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
