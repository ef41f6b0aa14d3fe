using Reelay.Server.Features.Blobs;
using Reelay.Server.Features.Catalog;
using Reelay.Server.Features.Engines;
using Reelay.Server.Features.Tasks;
using Reelay.Server.Features.Telemetry;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Queue;

/// <summary>Runs one claimed task on its engine while a heartbeat renews the lease and publishes progress.</summary>
public sealed class TaskRunner(Db db, IBlobStore blobs, ModelCatalog catalog, ReelayOptions options, ILogger<TaskRunner> logger)
{
    /// <summary>Everything stored for a task's outputs lives under this prefix.</summary>
    public static string OutputPrefix(string taskId) => $"outputs/{taskId}";

    /// <summary>One key per lease: a worker that lost its lease can never overwrite its successor's output.</summary>
    public static string OutputKey(string taskId, string leaseToken, string extension = ".mp4", int index = 0) =>
        $"{OutputPrefix(taskId)}/{leaseToken}{(index == 0 ? "" : $"-{index}")}{extension}";

    /// <param name="engine">The local engine to run, when not the model's first (a relayed model's last-resort fallback).</param>
    public async Task RunAsync(ClaimedTask task, CancellationToken stoppingToken, string? engine = null)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["TaskId"] = task.Id, ["OrganizationId"] = task.OrgId });
        using var activity = ReelayTracing.StartFrom("task.run", task.TraceParent, task.Id, task.OrgId);
        activity?.SetTag("reelay.model", task.Model);
        using var work = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var state = new RunProgress();
        var heartbeat = HeartbeatAsync(task, state, work);
        var inputs = new List<LocalBlob>();
        string? output = null;
        try
        {
            var request = GenerationRequest.FromJson(task.Params);
            engine ??= catalog.Find(task.Model)?.Engine ?? "preview";
            var extension = EngineRun.OutputExtension(engine, request);
            output = Path.Combine(options.TempDirectory, $"render-{task.Id}-{task.LeaseToken}{extension}");
            var paths = new Dictionary<int, string>();
            foreach (var input in request.Media)
            {
                var local = await blobs.GetLocalFileAsync(input.BlobKey, options.TempDirectory, work.Token)
                    ?? throw new InvalidOperationException($"Input {input.BlobKey} of task {task.Id} is missing from the blob store.");
                inputs.Add(local);
                paths[input.Index] = local.Path;
            }
            var job = new EngineJob(engine, request, Simulation.FromJson(task.Simulate), i => paths[i.Index], output, options.FfmpegPath);
            var failure = await EngineRun.RunAsync(job, p => state.Value = p, work.Token);
            if (failure is not null)
            {
                if (failure.Detail is not null) logger.LogError("Task {TaskId} render failed: {Error}", task.Id, failure.Detail);
                await TaskQueue.FailAsync(db, task.Id, task.LeaseToken, failure.Code, failure.Text);
                return;
            }
            var keys = new List<string>();
            using var upload = ReelayTracing.Source.StartActivity("task.upload");
            foreach (var (path, index) in EngineRun.OutputPaths(output).Select((p, i) => (p, i)))
            {
                keys.Add(OutputKey(task.Id, task.LeaseToken, extension, index));
                await blobs.PutFileAsync(keys[^1], path, move: true, work.Token);
            }
            if (!await TaskQueue.CompleteAsync(db, task.Id, task.LeaseToken, keys))
            {
                logger.LogWarning("Task {TaskId} finished rendering after losing its lease; result discarded", task.Id);
                foreach (var key in keys) await blobs.DeleteAsync(key, CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            await TaskQueue.ReleaseAsync(db, task.Id, task.LeaseToken);
            logger.LogInformation("Task {TaskId} returned to the queue: the server is stopping", task.Id);
        }
        catch (OperationCanceledException) when (state.Stopped is not null)
        {
            logger.LogInformation("Task {TaskId} stopped: it was cancelled or its lease was taken over", task.Id);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Task {TaskId} failed", task.Id);
            await TaskQueue.FailAsync(db, task.Id, task.LeaseToken, "INTERNAL", Simulation.FailureText("INTERNAL"));
        }
        finally
        {
            await work.CancelAsync();
            await heartbeat;
            foreach (var input in inputs) input.Dispose();
            if (output is not null) foreach (var path in EngineRun.OutputPaths(output)) File.Delete(path);
        }
    }

    private async Task HeartbeatAsync(ClaimedTask task, RunProgress state, CancellationTokenSource work)
    {
        // Often enough that a cancel stops ffmpeg within about a second, and well inside the lease.
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
                logger.LogWarning(ex, "Heartbeat for task {TaskId} failed; will retry", task.Id);
            }
        }
    }
}
