using System.Data.Common;

namespace Reelay.Server.Infrastructure;

/// <summary>Whose write goes first into SQLite's next transaction: moving tasks through the queue before adding new ones.</summary>
public enum WritePriority { Queue, Create }

/// <summary>
/// Group commit for this process's hot write transactions on SQLite (task creates, claims, finishes, promotions).
/// SQLite has one writer at a time, so these writes queue here instead of in SQLite's busy handler (which retries
/// after sleeps that grow to 100 ms and wakes whoever retries first). Whoever finds the gate free leads: it opens one
/// transaction, runs every write waiting at that moment in it (at most <see cref="MaxBatch"/>, queue transitions
/// first in line), each inside its own savepoint, and commits them together. So under load one fsync and one
/// BEGIN/COMMIT serve many writes, a page that several of them change (the tasks table's last leaf, its indexes) is
/// written to the log once, and there is no hand-over between writers (bench/dispatch: a write turn each was held
/// 85 % of the burst's time, about 1.1 ms apiece, four per task).
/// A write that throws is rolled back to its savepoint and fails alone; a commit that fails fails the whole batch,
/// and nobody is told of success before the commit. Only an order: the lock itself is still SQLite's, so a writer
/// that does not come through here (or another process) stays correct, merely unordered.
/// </summary>
public sealed class WriteGate(Func<Task<DbConnection>> open)
{
    /// <summary>The most writes one transaction takes, so a claim waits behind at most this many creates.</summary>
    public const int MaxBatch = 32;

    private readonly Lock _lock = new();
    private readonly Queue<Write> _queue = new(), _creates = new();
    private bool _leading;

    /// <summary>
    /// Kept open from batch to batch (only the leader uses it), so the statements its writes compile stay compiled
    /// (<see cref="StatementCachingConnection"/>); dropped after a batch that failed as a whole.
    /// </summary>
    private DbConnection? _connection;

    /// <summary>
    /// Runs <paramref name="work"/> inside a write transaction shared with other writes, and returns its result once that
    /// transaction has committed. The work must do nothing but its statements on the given connection and transaction:
    /// it may run on another caller's flow (read ambient state such as the current trace before), and it must not
    /// itself wait for a write here.
    /// </summary>
    public Task<T> RunAsync<T>(WritePriority priority, Func<DbConnection, DbTransaction, Task<T>> work)
    {
        var write = new Write<T>(work);
        bool lead;
        lock (_lock)
        {
            (priority == WritePriority.Queue ? _queue : _creates).Enqueue(write);
            lead = !_leading;
            _leading = true;
        }
        if (lead) _ = LeadAsync();
        return write.Result;
    }

    /// <summary>
    /// Commits batches until none is waiting. The first runs on the caller's flow (an idle server adds no hop); later
    /// ones after a yield, so that caller gets its answer without waiting for the batches that queued behind it. A yield
    /// after every batch, not just the first, lets the callers just answered (workers about to run their task) take a
    /// thread before the next batch: leading on without yielding gained 5–10 % creates/s and cost create→RUNNING p99
    /// 22–30 → 60–77 ms (bench/dispatch, three alternating runs each).
    /// </summary>
    private async Task LeadAsync()
    {
        while (true)
        {
            List<Write> batch;
            lock (_lock)
            {
                batch = Take();
                if (batch.Count == 0)
                {
                    _leading = false;
                    return;
                }
            }
            await CommitAsync(batch);
            await Task.Yield();
        }
    }

    /// <summary>
    /// The next batch: queue transitions take their places first (a burst of creates cannot crowd out a claim), but run
    /// after the creates, so a worker's claim can take a task created in the same transaction.
    /// </summary>
    private List<Write> Take()
    {
        var batch = new List<Write>(Math.Min(MaxBatch, _queue.Count + _creates.Count));
        var queued = Math.Min(MaxBatch, _queue.Count);
        while (batch.Count < MaxBatch - queued && _creates.TryDequeue(out var create)) batch.Add(create);
        while (batch.Count < MaxBatch && _queue.TryDequeue(out var next)) batch.Add(next);
        return batch;
    }

    private async Task CommitAsync(List<Write> batch)
    {
        try
        {
            var connection = _connection ??= await open();
            await using var tx = Db.BeginWrite(connection);
            // One write alone needs no savepoint: if it throws, the whole transaction is its own.
            if (batch.Count == 1) await batch[0].RunAsync(connection, tx);
            else foreach (var write in batch) await RunInSavepointAsync(write, tx, connection);
            await tx.CommitAsync();
        }
        catch (Exception ex)
        {
            foreach (var write in batch) write.Fail(ex);
            await DropConnectionAsync();
            return;
        }
        foreach (var write in batch) write.Publish();
    }

    private async Task DropConnectionAsync()
    {
        if (_connection is not { } connection) return;
        _connection = null;
        try
        {
            await connection.DisposeAsync();
        }
        catch (Exception)
        {
            // A connection that cannot even close cleanly is simply let go; the next batch opens a new one.
        }
    }

    /// <summary>A write that throws is undone to its savepoint and fails; one whose undo fails takes the batch with it.</summary>
    private static async Task RunInSavepointAsync(Write write, DbTransaction tx, DbConnection connection)
    {
        await tx.SaveAsync("write");
        try
        {
            await write.RunAsync(connection, tx);
        }
        catch (Exception ex)
        {
            await tx.RollbackAsync("write");
            write.Fail(ex);
        }
        await tx.ReleaseAsync("write");
    }

    private abstract class Write
    {
        public abstract Task RunAsync(DbConnection connection, DbTransaction tx);
        public abstract void Fail(Exception ex);
        public abstract void Publish();
    }

    private sealed class Write<T>(Func<DbConnection, DbTransaction, Task<T>> work) : Write
    {
        // Continuations run on the thread pool, not inside the leader's batch.
        private readonly TaskCompletionSource<T> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _value;

        public Task<T> Result => _result.Task;

        public override async Task RunAsync(DbConnection connection, DbTransaction tx) => _value = await work(connection, tx);

        public override void Fail(Exception ex) => _result.TrySetException(ex);

        public override void Publish() => _result.TrySetResult(_value!);
    }
}
