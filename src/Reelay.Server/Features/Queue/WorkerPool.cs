using Reelay.Server.Features.Catalog;
using Reelay.Server.Features.Engines;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Queue;

/// <summary>
/// The in-process workers: one pool per local engine, sized by what the engine costs. Preview renders run ffmpeg and
/// take the CPU, so Workers:Concurrency of them; noop tasks use no CPU, only database round trips, so
/// Workers:NoopConcurrency of them (one pool of 2 could not keep up with a burst of creates on PostgreSQL).
/// Each loop claims the oldest pending task of its pool's models and runs it with a renewed lease; models served by
/// a worker pool ("engine": "pool:NAME") are left to remote workers. Workers:Concurrency=0 runs no workers at all.
/// </summary>
public sealed class WorkerPool(Db db, ModelCatalog catalog, ReelayOptions options, TaskSignal signal, TaskRunner runner, ILogger<WorkerPool> logger)
    : BackgroundService
{
    private readonly string _nodeId = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var pools = catalog.Models.Where(m => EngineRun.LocalEngines.Contains(m.Engine))
            .GroupBy(m => m.Engine, m => m.Id)
            .Select(g => new Pool(g.Key, g.ToList(), g.Key == "noop" ? options.NoopWorkerConcurrency : options.WorkerConcurrency))
            .ToList();
        if (options.WorkerConcurrency == 0 || pools.Count == 0)
        {
            logger.LogInformation("No in-process workers on this node (Workers:Concurrency {Concurrency}, {Count} local models): it accepts tasks and leaves them to other workers",
                options.WorkerConcurrency, pools.Sum(p => p.Models.Count));
            return Task.CompletedTask;
        }
        foreach (var pool in pools) logger.LogInformation("Starting {Count} {Engine} workers on node {Node}", pool.Size, pool.Engine, _nodeId);
        return Task.WhenAll(pools.SelectMany(pool => Enumerable.Range(0, pool.Size).Select(i => LoopAsync($"{_nodeId}/{pool.Engine}/{i}", pool, stoppingToken))));
    }

    private async Task LoopAsync(string owner, Pool pool, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var task = await LookAsync(owner, pool, stoppingToken);
                // Right after a task, claim without the idle probe: in a burst the next task is already waiting.
                while (task is not null)
                {
                    await runner.RunAsync(task, stoppingToken);
                    // Finishing frees a slot: queue upkeep promotes the next throttled task without waiting for its poll.
                    signal.Pulse();
                    task = await TaskQueue.ClaimAsync(db, owner, options.LeaseDuration, pool.Models, probe: false);
                }
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

    /// <summary>
    /// An idle worker waits for work. One idle worker of a pool at a time looks (counts the waiting tasks, or waits for
    /// a pulse): a pulse wakes one looker, not the whole pool, so each create costs one read whatever the pool's size.
    /// When more tasks wait than the pool's lookers are already claiming, the looker hands the look on before it claims,
    /// so several idle workers claim in the same write (on SQLite, the same group commit) instead of one after another.
    /// </summary>
    private async Task<ClaimedTask> LookAsync(string owner, Pool pool, CancellationToken stoppingToken)
    {
        while (true)
        {
            await pool.Looking.WaitAsync(stoppingToken);
            var handedOn = false;
            try
            {
                var seen = signal.Version;
                if (await TaskQueue.WaitingAsync(db, pool.Models, pool.Size) > Volatile.Read(ref pool.Claiming))
                {
                    Interlocked.Increment(ref pool.Claiming);
                    pool.Looking.Release();
                    handedOn = true;
                    try
                    {
                        if (await TaskQueue.ClaimAsync(db, owner, options.LeaseDuration, pool.Models, probe: false) is { } task) return task;
                    }
                    finally
                    {
                        Interlocked.Decrement(ref pool.Claiming);
                    }
                    continue;
                }
                await signal.WaitAsync(seen, TimeSpan.FromMilliseconds(500), stoppingToken);
            }
            finally
            {
                if (!handedOn) pool.Looking.Release();
            }
        }
    }

    /// <summary>The workers of one local engine: its models, how many loops, and the turn to look for work while idle.</summary>
    private sealed record Pool(string Engine, IReadOnlyCollection<string> Models, int Size)
    {
        public SemaphoreSlim Looking { get; } = new(1, 1);

        /// <summary>Lookers that have handed the look on and are claiming.</summary>
        public int Claiming;
    }
}
