namespace Reelay.Server.Features.Queue;

/// <summary>
/// Wakes everyone waiting for work on this node (worker loops, long-polling remote workers, queue upkeep) when a task
/// is created, promoted, returned or finished here, or announced by another node (LISTEN/NOTIFY). Waiters still poll,
/// so a missed signal only delays. A waiter passes the version it saw before looking for work, so a pulse that lands
/// between its look and its wait is not lost.
/// </summary>
public sealed class TaskSignal
{
    private readonly Lock _lock = new();
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _version;

    public long Version { get { lock (_lock) return _version; } }

    public void Pulse()
    {
        TaskCompletionSource woken;
        lock (_lock)
        {
            _version++;
            woken = _next;
            _next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        woken.TrySetResult();
    }

    /// <summary>Returns when a pulse came after <paramref name="seenVersion"/> (at once if one already did) or the timeout passed.</summary>
    public async Task WaitAsync(long seenVersion, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Task next;
        lock (_lock)
        {
            if (_version != seenVersion) return;
            next = _next.Task;
        }
        try
        {
            await next.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
        }
    }
}
