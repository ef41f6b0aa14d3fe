using Reelay.Server.Features.Blobs;
using Reelay.Server.Features.Catalog;
using Reelay.Server.Features.Engines;
using Reelay.Server.Features.Outputs;
using Reelay.Server.Features.Queue;
using Reelay.Server.Features.Tasks;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Relays;

/// <summary>One upstream: its settings, its client (dialect) and what this node has seen of it.</summary>
public sealed record Relay(RelayOptions Options, IUpstreamClient Client, RelayHealth Health, UpstreamResilience Resilience);

/// <summary>
/// Runs one claimed task on an upstream, crash-safe: the engine chosen and then the upstream's task id are stored
/// (fenced by the lease) before anything else, so a later lease of the same task follows that upstream task instead
/// of making another; the upstream's outputs are copied into our blob store before the task reads SUCCEEDED. A
/// heartbeat renews the lease, publishes the upstream's progress and notices a cancel, which is passed on upstream.
/// A model with several engines falls back to the next while no upstream task exists yet: when a create finds the
/// upstream down (breaker open, or unreachable to the deadline). A local engine last in the list runs here, in
/// the task runner of the in-process workers.
/// </summary>
public sealed class RelayRunner(Db db, IBlobStore blobs, ModelCatalog catalog, RelayRegistry registry, RelayCallbacks callbacks, RelayCallbackUrls callbackUrls, TaskRunner local,
    ReelayOptions options, ILogger<RelayRunner> logger)
{
    public async Task RunAsync(ClaimedTask task, Relay claimedBy, CancellationToken stoppingToken)
    {
        if (await RunRelayedAsync(task, claimedBy, stoppingToken) is { } engine)
        {
            logger.LogInformation("Task {TaskId} falls back to the local engine {Engine}", task.Id, engine);
            await local.RunAsync(task, stoppingToken, engine);
        }
    }

    /// <summary>Null when the task was dealt with; otherwise the local engine it falls back to (run after this lease's heartbeat stopped).</summary>
    private async Task<string?> RunRelayedAsync(ClaimedTask task, Relay claimedBy, CancellationToken stoppingToken)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["TaskId"] = task.Id, ["OrganizationId"] = task.OrgId });
        using var activity = Telemetry.ReelayTracing.StartFrom("task.run", task.TraceParent, task.Id, task.OrgId);
        activity?.SetTag("reelay.relay", claimedBy.Options.Name);
        using var work = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var state = new RunProgress();
        var heartbeat = HeartbeatAsync(task, state, work);
        var engines = catalog.Find(task.Model)?.Engines ?? [claimedBy.Options.Engine];
        var relay = claimedBy;
        string? upstreamId = null;
        try
        {
            var request = GenerationRequest.FromJson(task.Params);
            var known = await RelayStore.FindAsync(db, task.Id);
            var chosen = await ChooseAsync(task, request, engines, known, work.Token);
            if (chosen.Relay is null) return chosen.Local;
            (relay, upstreamId) = (chosen.Relay, chosen.UpstreamId!);
            if (known?.TaskId == upstreamId) logger.LogInformation("Task {TaskId} resumes following upstream task {UpstreamTaskId} on {Engine}", task.Id, upstreamId, relay.Options.Engine);
            var done = await FollowAsync(request, upstreamId, relay, state, work.Token);
            await FinishAsync(task, request, relay, done, state, work.Token);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            await TaskQueue.ReleaseAsync(db, task.Id, task.LeaseToken);
            logger.LogInformation("Task {TaskId} returned to the queue: the server is stopping (its upstream task, if any, is followed again later)", task.Id);
        }
        catch (OperationCanceledException) when (state.Stopped is not null)
        {
            if (state.Stopped == nameof(LeaseState.Cancelled) && upstreamId is not null) await CancelUpstreamAsync(relay, upstreamId);
            logger.LogInformation("Task {TaskId} stopped: {Reason}", task.Id, state.Stopped == nameof(LeaseState.Cancelled) ? "it was cancelled" : "its lease was taken over");
        }
        catch (UpstreamUnavailableException ex)
        {
            logger.LogWarning("Task {TaskId} failed: {Reason}", task.Id, ex.Message);
            var (code, text) = RelayFailures.Unavailable();
            await TaskQueue.FailAsync(db, task.Id, task.LeaseToken, code, text);
            // Our credits are released: an upstream task still running there should not go on to be billed.
            if (upstreamId is not null) await CancelUpstreamAsync(relay, upstreamId, TimeSpan.FromSeconds(5));
        }
        catch (UpstreamRefusedException ex)
        {
            logger.LogError("Task {TaskId}: upstream {Engine} refused to report on it (HTTP {Status}): {Error}", task.Id, relay.Options.Engine, ex.Status, ex.Message);
            await TaskQueue.FailAsync(db, task.Id, task.LeaseToken, "INTERNAL", Simulation.FailureText("INTERNAL"));
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Task {TaskId} failed on {Engine}", task.Id, relay.Options.Engine);
            await TaskQueue.FailAsync(db, task.Id, task.LeaseToken, "INTERNAL", Simulation.FailureText("INTERNAL"));
        }
        finally
        {
            await work.CancelAsync();
            await heartbeat;
        }
        return null;
    }

    /// <summary>
    /// The engine and upstream task this lease follows: the recorded ones after a crash, else a new create on the
    /// engine picked now, falling back along the model's engines while a create finds its upstream down. Relay null:
    /// the run ends here — with Local, the local engine to run; without, the task was dealt with (refused, lease lost).
    /// </summary>
    private async Task<(Relay? Relay, string? UpstreamId, string? Local)> ChooseAsync(ClaimedTask task, GenerationRequest request,
        IReadOnlyList<string> engines, RelayStore.Upstream? known, CancellationToken cancellationToken)
    {
        var engine = known?.Engine is { } recorded && engines.Contains(recorded) ? recorded : registry.Pick(engines);
        if (known?.Engine == engine && known.TaskId is { } followed && registry.Find(engine) is { } following) return (following, followed, null);
        while (true)
        {
            if (registry.Find(engine) is not { } relay)
            {
                if (!EngineRun.LocalEngines.Contains(engine)) throw new InvalidOperationException($"The engine '{engine}' is neither a configured relay nor a local engine.");
                return (null, null, await RelayStore.RecordEngineAsync(db, task.Id, task.LeaseToken, engine) ? engine : null);
            }
            if (!await RelayStore.RecordEngineAsync(db, task.Id, task.LeaseToken, engine)) return (null, null, null);
            try
            {
                return await SubmitAsync(task, request, relay, RelayChain.HasFallback(engines, engine), cancellationToken) is { } created
                    ? (relay, created, null) : (null, null, null);
            }
            catch (UpstreamUnavailableException ex) when (RelayChain.Next(engines, engine, e => registry.Find(e)?.Resilience.Skipped == true) is { } fallback)
            {
                logger.LogWarning("Task {TaskId}: {Reason} Falling back from {Engine} to {Fallback}", task.Id, ex.Message, engine, fallback);
                engine = fallback;
            }
        }
    }

    /// <summary>
    /// POSTs the stored request upstream and stores the upstream's id under the lease. Null when that ended the run: a
    /// lasting refusal (the task fails with what it means) or a lease lost meanwhile (a cancel is passed on).
    /// </summary>
    private async Task<string?> SubmitAsync(ClaimedTask task, GenerationRequest request, Relay relay, bool failFast, CancellationToken cancellationToken)
    {
        var inputs = await UpstreamInputs.PrepareAsync(blobs, relay, options.TempDirectory, task.Id, request, cancellationToken);
        var body = UpstreamRequest.Body(request, relay.Options.UpstreamModel(request.Model), inputs);
        var created = await relay.Client.CreateAsync(new UpstreamCreate(request.Endpoint, body, UpstreamRequest.IdempotencyKey(task.Id, relay.Options.Engine),
            UpstreamRequest.Simulate(Simulation.FromJson(task.Simulate)), failFast, relay.Options.Callbacks ? callbackUrls.For(relay.Options, task.Id) : null), cancellationToken);
        if (created.TaskId is not { } upstreamId)
        {
            logger.LogWarning("Task {TaskId}: upstream {Engine} refused the create (HTTP {Status}): {Error}", task.Id, relay.Options.Engine, created.Status, created.Error);
            var (code, text) = RelayFailures.Refused(created.Status, created.Error, created.IssuePaths ?? [], request.Media.Select(m => m.Path).ToList());
            await TaskQueue.FailAsync(db, task.Id, task.LeaseToken, code, text);
            return null;
        }
        if (!await RelayStore.RecordAsync(db, task.Id, task.LeaseToken, upstreamId, relay.Options.Engine))
        {
            // Cancelled while the create was in flight: the upstream task must not run on unseen.
            if (await TaskQueue.LeaseStateAsync(db, task.Id, task.LeaseToken) == LeaseState.Cancelled) await CancelUpstreamAsync(relay, upstreamId);
            return null;
        }
        if (created.Cost is { } cost) await RelayStore.RecordCostAsync(db, task.Id, cost);
        logger.LogInformation("Task {TaskId} relayed to {Engine} as upstream task {UpstreamTaskId}, {Ms} ms after it was created",
            task.Id, relay.Options.Engine, upstreamId, Clock.NowMs() - await RelayStore.CreatedAtAsync(db, task.Id));
        return upstreamId;
    }

    /// <summary>Polls the upstream task until it ends; its progress becomes ours (the last 10% is the copy).</summary>
    private async Task<UpstreamTask> FollowAsync(GenerationRequest request, string upstreamId, Relay relay, RunProgress state, CancellationToken cancellationToken)
    {
        var model = relay.Options.UpstreamModel(request.Model);
        relay.Health.Started();
        try
        {
            while (true)
            {
                var upstream = await relay.Client.GetAsync(request.Endpoint, model, upstreamId, cancellationToken);
                if (upstream.Status is "succeeded" or "failed" or "cancelled" or "gone") return upstream;
                if (upstream.Status == "running") state.Value = Math.Max(state.Value, 0.9 * Math.Clamp(upstream.Progress, 0, 1));
                // A callback from the upstream (RunBlob) wakes the loop early; the poll is the fallback.
                await callbacks.WaitAsync(relay.Options.Engine, upstreamId, relay.Options.PollInterval, cancellationToken);
            }
        }
        finally
        {
            relay.Health.Ended();
        }
    }

    private async Task FinishAsync(ClaimedTask task, GenerationRequest request, Relay relay, UpstreamTask done, RunProgress state, CancellationToken cancellationToken)
    {
        if (done.Cost is { } cost) await RelayStore.RecordCostAsync(db, task.Id, cost);
        if (done.Status == "failed")
        {
            var (code, text) = RelayFailures.Failed(done.FailureCode, done.Failure);
            await TaskQueue.FailAsync(db, task.Id, task.LeaseToken, code, text);
            return;
        }
        if (done.Status != "succeeded" || done.Outputs.Count == 0)
        {
            logger.LogWarning("Task {TaskId}: upstream task on {Engine} ended {Status} without outputs", task.Id, relay.Options.Engine, done.Status);
            var (code, text) = RelayFailures.Lost();
            await TaskQueue.FailAsync(db, task.Id, task.LeaseToken, code, text);
            return;
        }
        state.Value = 0.9;
        var keys = await CopyOutputsAsync(task, request, relay, done.Outputs, cancellationToken);
        if (!await TaskQueue.CompleteAsync(db, task.Id, task.LeaseToken, keys))
        {
            logger.LogWarning("Task {TaskId} copied its outputs after losing its lease; copy discarded", task.Id);
            foreach (var key in keys) await blobs.DeleteAsync(key, CancellationToken.None);
        }
    }

    /// <summary>Each output into our blob store under this lease's keys; a failed download is retried alone (never a new generation).</summary>
    private async Task<List<string>> CopyOutputsAsync(ClaimedTask task, GenerationRequest request, Relay relay, IReadOnlyList<string> urls, CancellationToken cancellationToken)
    {
        var extension = OutputFormats.Extension(request.Output.Format);
        var keys = new List<string>();
        foreach (var (url, index) in urls.Select((u, i) => (u, i)))
        {
            var path = Path.Combine(options.TempDirectory, $"relay-{task.Id}-{task.LeaseToken}-{index}{extension}");
            try
            {
                await relay.Client.DownloadAsync(url, path, cancellationToken);
                keys.Add(TaskRunner.OutputKey(task.Id, task.LeaseToken, extension, index));
                await blobs.PutFileAsync(keys[^1], path, move: true, cancellationToken);
            }
            finally
            {
                File.Delete(path);
            }
        }
        return keys;
    }

    /// <summary>Best effort, bounded: our task is already cancelled (or failed) whatever the upstream says.</summary>
    private async Task CancelUpstreamAsync(Relay relay, string upstreamId, TimeSpan? within = null)
    {
        using var timeout = new CancellationTokenSource(within ?? TimeSpan.FromSeconds(30));
        try
        {
            await relay.Client.CancelAsync(upstreamId, timeout.Token);
            logger.LogInformation("Upstream task {UpstreamTaskId} on {Engine} cancelled", upstreamId, relay.Options.Engine);
        }
        catch (Exception ex)
        {
            logger.LogWarning("Could not cancel upstream task {UpstreamTaskId} on {Engine}: {Error}", upstreamId, relay.Options.Engine, ex.GetType().Name);
        }
    }

    private async Task HeartbeatAsync(ClaimedTask task, RunProgress state, CancellationTokenSource work)
    {
        var interval = TimeSpan.FromMilliseconds(Math.Min(1000, options.LeaseDuration.TotalMilliseconds / 3));
        while (!work.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, work.Token);
                if (await TaskQueue.HeartbeatAsync(db, task.Id, task.LeaseToken, state.Value, options.LeaseDuration) is var lease and not LeaseState.Held)
                {
                    state.Stopped = lease.ToString();
                    await work.CancelAsync();
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Heartbeat for relayed task {TaskId} failed; will retry", task.Id);
            }
        }
    }
}
