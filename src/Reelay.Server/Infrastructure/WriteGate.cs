namespace Reelay.Server.Infrastructure;

/// <summary>Who waits first for SQLite's write lock: moving tasks through the queue before adding new ones.</summary>
public enum WritePriority { Queue, Create }

/// <summary>
/// Orders this process's hot write transactions on SQLite (task creates, claims, finishes) in a queue instead of
/// leaving them to SQLite's busy handler. That handler retries a locked database after sleeps that grow to 100 ms
/// and wakes whoever happens to retry first, so under a burst of creates a worker waiting to claim or finish
/// could sleep 100 ms at a time, several times (create→RUNNING p99 ~0.4–2 s, bench/dispatch). Here the writer
/// that ends hands its turn to the next waiter at once, queue transitions before creates, so the workers keep up
/// and the burst's creates wait behind them rather than the other way round. Only a scheduler: the write lock itself
/// is still SQLite's, so a writer that does not take a turn (or another process) stays correct, merely unordered.
/// </summary>
public sealed class WriteGate
{
    /// <summary>A turn not given within this long is taken anyway: the gate never becomes a deadlock, only a delay.</summary>
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(30);

    private readonly Lock _lock = new();
    private readonly Queue<TaskCompletionSource> _queue = new(), _creates = new();
    private bool _held;

    /// <summary>Waits for this writer's turn; disposing the result (after the commit) passes the turn on.</summary>
    public async ValueTask<Turn> EnterAsync(WritePriority priority)
    {
        TaskCompletionSource waiter;
        lock (_lock)
        {
            if (!_held)
            {
                _held = true;
                return new Turn(this);
            }
            waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            (priority == WritePriority.Queue ? _queue : _creates).Enqueue(waiter);
        }
        try
        {
            await waiter.Task.WaitAsync(MaxWait);
        }
        catch (TimeoutException)
        {
            // A waiter that gives up cancels its place (a hand-over that finds it cancelled passes on to the next one),
            // unless the turn reached it in the meantime.
            if (waiter.TrySetCanceled()) return new Turn(null);
        }
        return new Turn(this);
    }

    private void Exit()
    {
        while (true)
        {
            TaskCompletionSource? next;
            lock (_lock)
            {
                if (!_queue.TryDequeue(out next) && !_creates.TryDequeue(out next))
                {
                    _held = false;
                    return;
                }
            }
            // The turn stays held and goes to the next waiter, unless that one stopped waiting.
            if (next.TrySetResult()) return;
        }
    }

    /// <summary>A writer's turn; a default or timed-out turn passes nothing on.</summary>
    public readonly struct Turn(WriteGate? gate) : IDisposable, IAsyncDisposable
    {
        public void Dispose() => gate?.Exit();

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
