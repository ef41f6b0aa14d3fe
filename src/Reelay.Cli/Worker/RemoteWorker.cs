using System.Diagnostics;
using Reelay.Server.Features.Engines;
using Reelay.Server.Features.Queue;
using Reelay.Server.Features.Tasks;
using Reelay.Server.Features.Workers;

namespace Reelay.Cli.Worker;

/// <summary>What `reelay worker` was asked to do.</summary>
/// <param name="Engine">"auto" (noop for noop models, preview for everything else), "preview" or "noop".</param>
public sealed record WorkerSettings(string WorkerId, IReadOnlyList<string> Models, int Concurrency, string Engine, string WorkDirectory, string FfmpegPath);

/// <summary>
/// A remote worker: each slot leases a task, fetches its inputs, runs the engine on this machine while heartbeating,
/// uploads the MP4 and completes (or fails) the task. On Ctrl+C or SIGTERM it gives its tasks back to the queue.
/// </summary>
public sealed class RemoteWorker(WorkerApi api, WorkerSettings settings, TextWriter log)
{
    /// <summary>Runs until stopped; throws when the servers refuse this worker's settings (token, models), which retrying cannot fix.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        WorkerProtocolException? refused = null;
        await Task.WhenAll(Enumerable.Range(0, settings.Concurrency).Select(async slot =>
        {
            try
            {
                await SlotAsync($"{settings.WorkerId}/{slot}", stopping.Token);
            }
            catch (WorkerProtocolException ex)
            {
                refused ??= ex;
                await stopping.CancelAsync();
            }
        }));
        if (refused is not null) throw refused;
    }

    private async Task SlotAsync(string workerId, CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var task = await api.LeaseAsync(workerId, settings.Models, 20, stoppingToken);
                backoff = TimeSpan.FromSeconds(1);
                if (task is not null) await RunTaskAsync(workerId, task, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (WorkerProtocolException ex) when (ex.Status is 400 or 401 or 403 or 404)
            {
                throw; // a wrong token, an unknown model, a server without the protocol: stop and say so
            }
            catch (Exception ex)
            {
                // The servers are down or refusing: keep trying, more slowly, so the worker survives a rolling restart.
                log.WriteLine($"{workerId}: {ex.Message}; retrying in {backoff.TotalSeconds:0} s");
                try { await Task.Delay(backoff, stoppingToken); } catch (OperationCanceledException) { return; }
                backoff = TimeSpan.FromSeconds(Math.Min(30, backoff.TotalSeconds * 2));
            }
        }
    }

    private async Task RunTaskAsync(string workerId, LeasedTask task, CancellationToken stoppingToken)
    {
        log.WriteLine($"{workerId}: leased task {task.Id} ({task.Model}, attempt {task.Attempt})");
        var clock = Stopwatch.StartNew();
        var directory = Path.Combine(settings.WorkDirectory, $"{task.Id}-{task.LeaseToken}");
        Directory.CreateDirectory(directory);
        using var work = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var progress = new RunProgress();
        var heartbeat = HeartbeatAsync(task, progress, work);
        try
        {
            var (answer, failure) = await RenderAndReportAsync(workerId, task, directory, progress, work.Token);
            log.WriteLine(answer switch
            {
                LeaseState.Held when failure is null => $"{workerId}: task {task.Id} succeeded in {clock.Elapsed.TotalSeconds:0.0} s",
                LeaseState.Held => $"{workerId}: task {task.Id} failed with {failure!.Code}{(failure.Detail is null ? "" : ": " + failure.Detail)}",
                LeaseState.Cancelled => $"{workerId}: task {task.Id} was cancelled; result discarded",
                _ => $"{workerId}: task {task.Id} lease lost; result discarded",
            });
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: hand the task back at once instead of letting another worker wait out the lease.
            try { await api.ReleaseAsync(task.Id, task.LeaseToken, CancellationToken.None); } catch (Exception) { }
            log.WriteLine($"{workerId}: task {task.Id} returned to the queue (shutting down)");
        }
        catch (OperationCanceledException) when (progress.Stopped is { } reason)
        {
            log.WriteLine($"{workerId}: task {task.Id} stopped: {reason}");
        }
        catch (Exception ex) when (IsServerTrouble(ex))
        {
            // No node took the call even after retries: the servers' trouble, not the task's, so it is not failed. Its
            // heartbeats stop, and the task, left to its lease, runs again elsewhere as if this worker had died.
            log.WriteLine($"{workerId}: task {task.Id} left to its lease: {ex.Message}");
        }
        catch (Exception ex)
        {
            log.WriteLine($"{workerId}: task {task.Id} failed: {ex.Message}");
            try { await api.FailAsync(task.Id, task.LeaseToken, "INTERNAL", null, CancellationToken.None); } catch (Exception) { }
        }
        finally
        {
            await work.CancelAsync();
            await heartbeat;
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>Fetches the inputs, runs the engine and reports the outcome; the answer says whether the lease was still held.</summary>
    private async Task<(LeaseState Answer, EngineFailure? Failure)> RenderAndReportAsync(string workerId, LeasedTask task, string directory,
        RunProgress progress, CancellationToken work)
    {
        var inputs = new Dictionary<int, string>();
        foreach (var input in task.Inputs)
        {
            var path = Path.Combine(directory, $"input-{input.Index}");
            await RetryServerTroubleAsync(workerId, $"task {task.Id} input download", task,
                async () => { await api.DownloadAsync(input.Url, path, work); return 0; }, work);
            inputs[input.Index] = path;
        }
        var output = Path.Combine(directory, "output" + task.OutputExtension);
        var simulation = task.Simulate is { } s ? new Simulation(s.FailureCode, s.DelaySeconds) : null;
        var job = new EngineJob(EngineFor(task), task.Request, simulation, i => inputs[i.Index], output, settings.FfmpegPath);
        var failure = await EngineRun.RunAsync(job, f => progress.Value = f, work);
        var answer = failure is null
            ? await RetryServerTroubleAsync(workerId, $"task {task.Id} output upload", task, () => UploadAndCompleteAsync(task, output, work), work)
            : await RetryServerTroubleAsync(workerId, $"task {task.Id} failure report", task,
                () => api.FailAsync(task.Id, task.LeaseToken, failure.Code, failure.Text, work), work);
        return (answer, failure);
    }

    /// <summary>
    /// A call that reached no node, or only failing ones (5xx), is tried again for up to one lease: a node dying or
    /// restarting must not cost a finished render, let alone turn it into a FAILED task. The heartbeats go on
    /// meanwhile (a lost lease or a cancel stops the retries through the work token); past one lease the task is
    /// another worker's to run anyway.
    /// </summary>
    private async Task<T> RetryServerTroubleAsync<T>(string workerId, string what, LeasedTask task, Func<Task<T>> call, CancellationToken work)
    {
        var delay = TimeSpan.FromMilliseconds(250);
        DateTime? giveUp = null;
        while (true)
        {
            try
            {
                return await call();
            }
            catch (Exception ex) when (IsServerTrouble(ex))
            {
                giveUp ??= DateTime.UtcNow + TimeSpan.FromSeconds(task.LeaseSeconds);
                if (DateTime.UtcNow + delay >= giveUp) throw;
                log.WriteLine($"{workerId}: {what} failed ({ex.Message}); retrying in {delay.TotalSeconds:0.##} s");
                await Task.Delay(delay, work);
                delay = TimeSpan.FromSeconds(Math.Min(5, delay.TotalSeconds * 2));
            }
        }
    }

    /// <summary>The servers could not take the call (unreachable, cut off, 5xx): nothing the task did.</summary>
    private static bool IsServerTrouble(Exception ex) => ex is HttpRequestException or HttpIOException or WorkerProtocolException { Status: >= 500 };

    private async Task<LeaseState> UploadAndCompleteAsync(LeasedTask task, string output, CancellationToken cancellationToken)
    {
        // Every output the engine wrote (several for outputCount), in order, then one complete.
        var index = 0;
        foreach (var path in EngineRun.OutputPaths(output))
        {
            var uploaded = await api.UploadAsync(task.Id, task.LeaseToken, path, index++, cancellationToken);
            if (uploaded != LeaseState.Held) return uploaded;
        }
        return await api.CompleteAsync(task.Id, task.LeaseToken, cancellationToken);
    }

    private string EngineFor(LeasedTask task) => settings.Engine switch
    {
        "auto" => task.Engine == "noop" ? "noop" : "preview",
        var forced => forced,
    };

    /// <summary>Renews the lease; a cancel or a lost lease stops the render within one interval.</summary>
    private async Task HeartbeatAsync(LeasedTask task, RunProgress progress, CancellationTokenSource work)
    {
        // At most every 2 s, so a cancel stops the render quickly even under a long lease.
        var interval = TimeSpan.FromSeconds(Math.Clamp(task.HeartbeatIntervalSeconds, 0.2, 2));
        var leaseEnds = DateTime.UtcNow + TimeSpan.FromSeconds(task.LeaseSeconds);
        while (!work.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, work.Token);
                var answer = await api.HeartbeatAsync(task.Id, task.LeaseToken, progress.Value, work.Token);
                if (answer == LeaseState.Held)
                {
                    leaseEnds = DateTime.UtcNow + TimeSpan.FromSeconds(task.LeaseSeconds);
                    continue;
                }
                progress.Stopped = answer == LeaseState.Cancelled ? "cancelled by its owner" : "lease lost to another worker";
                await work.CancelAsync();
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex) when (DateTime.UtcNow < leaseEnds)
            {
                log.WriteLine($"heartbeat for task {task.Id} failed ({ex.Message}); retrying");
            }
            catch (Exception)
            {
                // Unheard for a whole lease: the task is someone else's by now.
                progress.Stopped = "no heartbeat got through for a whole lease";
                await work.CancelAsync();
            }
        }
    }
}
