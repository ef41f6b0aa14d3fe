using Reelay.Server.Features.Catalog;
using Reelay.Server.Features.Queue;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Relays;

/// <summary>
/// The in-process relay workers: for each configured relay, one loop claims pending tasks of the models whose engines
/// pick "relay:NAME" now (<see cref="RelayChain.Claims"/>: the first engine whose breaker is not open) and follows each
/// on the upstream. A relay runs at most MaxConcurrent tasks at once — counted over every node, checked before each
/// claim — and the excess stays PENDING in our queue (not THROTTLED: that state means the organization's own limit,
/// which the queue already applies before a task gets here). A task that falls back to this relay from another one
/// during its run counts too, but is not held back by the check (it is already running).
/// </summary>
public sealed class RelayWorkers(Db db, ModelCatalog catalog, ReelayOptions options, TaskSignal signal, RelayRegistry registry, RelayRunner runner, ILogger<RelayWorkers> logger)
    : BackgroundService
{
    private readonly string _nodeId = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(registry.All.Select(relay => (relay, models: catalog.Models.Where(m => m.Engines.Contains(relay.Options.Engine)).ToList()))
            .Where(r => r.models.Count > 0)
            .Select(r => LoopAsync(r.relay, r.models, stoppingToken)));

    private async Task LoopAsync(Relay relay, IReadOnlyList<ModelDefinition> served, CancellationToken stoppingToken)
    {
        var models = served.Select(m => m.Id).ToList();
        logger.LogInformation("Relay {Engine} serves {Models} (at most {Max} at once, dialect {Dialect})",
            relay.Options.Engine, string.Join(", ", models), relay.Options.MaxConcurrent, relay.Options.Dialect);
        var owner = $"{_nodeId}/{relay.Options.Engine}";
        using var slots = new SemaphoreSlim(relay.Options.MaxConcurrent);
        var running = new List<Task>();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await slots.WaitAsync(stoppingToken);
                var seen = signal.Version;
                var claimable = served.Where(m => RelayChain.Claims(m.Engines, relay.Options.Engine, e => registry.Find(e)?.Resilience.Skipped == true))
                    .Select(m => m.Id).ToList();
                var task = claimable.Count > 0 && await RelayStore.RunningAsync(db, relay.Options.Engine) < relay.Options.MaxConcurrent
                    ? await TaskQueue.ClaimAsync(db, owner, options.LeaseDuration, claimable) : null;
                if (task is null)
                {
                    slots.Release();
                    await signal.WaitAsync(seen, TimeSpan.FromMilliseconds(500), stoppingToken);
                    continue;
                }
                running.RemoveAll(t => t.IsCompleted);
                running.Add(Task.Run(async () =>
                {
                    try { await runner.RunAsync(task, relay, stoppingToken); }
                    finally { slots.Release(); signal.Pulse(); }
                }, CancellationToken.None));
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Relay {Engine} loop failed; retrying in a second", relay.Options.Engine);
                await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None);
            }
        }
        // Graceful stop: each run gives its task back to the queue; wait for that before the host goes.
        await Task.WhenAll(running);
    }
}
