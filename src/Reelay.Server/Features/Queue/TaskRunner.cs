using Reelay.Server.Features.Engines;
using Reelay.Server.Features.Engines.Preview;
using Reelay.Server.Features.Tasks;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Queue;

/// <summary>Runs one claimed task on its engine while a heartbeat renews the lease and publishes progress.</summary>
public sealed class TaskRunner(Db db, BlobStore blobs, ReelayOptions options, ILogger<TaskRunner> logger)
{
    public static string OutputKey(string taskId) => $"outputs/{taskId}.mp4";

    public async Task RunAsync(ClaimedTask task, CancellationToken stoppingToken)
    {
        using var work = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var state = new RunState();
        var heartbeat = HeartbeatAsync(task, state, work);
        try
        {
            var parameters = TaskParams.FromJson(task.Params);
            var simulation = Simulation.FromJson(task.Simulate);
            if (simulation is { DelaySeconds: > 0 })
                await SimulateDelayAsync(simulation.DelaySeconds, state, work.Token);
            if (simulation?.FailureCode is { } code)
            {
                await TaskQueue.FailAsync(db, task.Id, task.LeaseToken, code, Simulation.FailureText(code));
                return;
            }
            var offset = state.Progress;
            var video = parameters.PromptImages.FirstOrDefault(i => i.Position == "video");
            var image = parameters.PromptImages.Where(i => i.Position != "video").OrderBy(i => i.Position == "first" ? 0 : 1).FirstOrDefault();
            var request = new PreviewRenderRequest(
                parameters.Width, parameters.Height, parameters.Duration, parameters.Seed,
                image is null ? null : blobs.PathFor(image.BlobKey), parameters.PromptText,
                blobs.PathFor(OutputKey(task.Id)), options.FfmpegPath,
                video is null ? null : blobs.PathFor(video.BlobKey));
            Directory.CreateDirectory(Path.GetDirectoryName(request.OutputPath)!);
            await PreviewRenderer.RenderAsync(request, p => state.Progress = offset + (1 - offset) * p, work.Token);
            if (!await TaskQueue.CompleteAsync(db, task.Id, task.LeaseToken, OutputKey(task.Id)))
                logger.LogWarning("Task {TaskId} finished rendering after losing its lease; result discarded", task.Id);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            await TaskQueue.ReleaseAsync(db, task.Id, task.LeaseToken);
            logger.LogInformation("Task {TaskId} returned to the queue: the server is stopping", task.Id);
        }
        catch (OperationCanceledException) when (state.LeaseLost)
        {
            logger.LogInformation("Task {TaskId} stopped: it was cancelled or its lease was taken over", task.Id);
        }
        catch (PreviewRenderException ex)
        {
            logger.LogError("Task {TaskId} render failed: {Error}", task.Id, ex.Message);
            await TaskQueue.FailAsync(db, task.Id, task.LeaseToken, "INTERNAL.BAD_OUTPUT.CODE01", Simulation.FailureText("INTERNAL.BAD_OUTPUT.CODE01"));
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
        }
    }

    private async Task HeartbeatAsync(ClaimedTask task, RunState state, CancellationTokenSource work)
    {
        // Often enough that a cancel stops ffmpeg within about a second, and well inside the lease.
        var interval = TimeSpan.FromMilliseconds(Math.Min(1000, options.LeaseDuration.TotalMilliseconds / 3));
        while (!work.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, work.Token);
                if (!await TaskQueue.HeartbeatAsync(db, task.Id, task.LeaseToken, state.Progress, options.LeaseDuration))
                {
                    state.LeaseLost = true;
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

    /// <summary>The sandbox's delay: RUNNING with progress advancing to one half over the delay.</summary>
    private static async Task SimulateDelayAsync(double seconds, RunState state, CancellationToken cancellationToken)
    {
        var started = DateTime.UtcNow;
        while (true)
        {
            var elapsed = (DateTime.UtcNow - started).TotalSeconds;
            if (elapsed >= seconds) break;
            state.Progress = 0.5 * elapsed / seconds;
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(250, (seconds - elapsed) * 1000 + 1)), cancellationToken);
        }
        state.Progress = 0.5;
    }

    private sealed class RunState
    {
        public volatile bool LeaseLost;
        private double _progress;
        public double Progress { get => Volatile.Read(ref _progress); set => Volatile.Write(ref _progress, value); }
    }
}
