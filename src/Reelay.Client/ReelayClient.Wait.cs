using System.Diagnostics;

namespace Reelay.Client;

public sealed partial class ReelayClient
{
    /// <summary>The longest <see cref="WaitForTaskOutputAsync"/> waits by default, as the Runway SDKs do.</summary>
    public static readonly TimeSpan DefaultWaitTimeout = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Polls a task until it finishes and returns it once <see cref="ReelayTaskStatus.Succeeded"/>, with its
    /// <see cref="ReelayTask.Output"/>. Polls start <see cref="ReelayClientOptions.PollInterval"/> apart and
    /// spread out to <see cref="ReelayClientOptions.MaxPollInterval"/>, so short tasks return quickly and long
    /// ones do not hammer the server; rate-limited polls wait as the server asks.
    /// </summary>
    /// <param name="taskId">The task id, from a create.</param>
    /// <param name="timeout">How long to wait; default <see cref="DefaultWaitTimeout"/>. The task is not cancelled when it passes.</param>
    /// <param name="onProgress">Called with the task after every poll (status, <see cref="ReelayTask.Progress"/>).</param>
    /// <param name="cancellationToken">Stops waiting (with <see cref="OperationCanceledException"/>); the task goes on.</param>
    /// <exception cref="TaskFailedException">The task failed (with its failure and failureCode) or was cancelled.</exception>
    /// <exception cref="TaskTimedOutException">The task had not finished when the timeout passed.</exception>
    public async Task<ReelayTask> WaitForTaskOutputAsync(string taskId, TimeSpan? timeout = null, Action<ReelayTask>? onProgress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(taskId);
        var limit = timeout ?? DefaultWaitTimeout;
        if (limit < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(timeout), "The timeout must not be negative.");
        var clock = Stopwatch.StartNew();
        var interval = _options.PollInterval;
        while (true)
        {
            var task = await GetTaskAsync(taskId, cancellationToken: cancellationToken).ConfigureAwait(false);
            onProgress?.Invoke(task);
            switch (task.Status)
            {
                case ReelayTaskStatus.Succeeded: return task;
                case ReelayTaskStatus.Failed or ReelayTaskStatus.Cancelled: throw new TaskFailedException(task);
            }
            var remaining = limit - clock.Elapsed;
            if (remaining <= TimeSpan.Zero) throw new TaskTimedOutException(task, limit);
            // Jitter keeps many waiters started together from polling in step; the last sleep ends at the
            // deadline so the final answer is one more look rather than a guess.
            var sleep = interval * (0.8 + 0.4 * Random.Shared.NextDouble());
            await Task.Delay(sleep < remaining ? sleep : remaining, cancellationToken).ConfigureAwait(false);
            interval = TimeSpan.FromTicks(Math.Min((long)(interval.Ticks * 1.5), _options.MaxPollInterval.Ticks));
        }
    }
}
