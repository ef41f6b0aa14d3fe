using System.Data.Common;
using Dapper;
using Reelay.Server.Infrastructure;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Unit;

/// <summary>SQLite's group commit (WriteGate) on a real database file: who shares a transaction, in what order, and what a failure undoes.</summary>
[Trait("Database", "independent")]
public class WriteGateTests
{
    // Only a guard against a hang if the gate were broken; nothing here depends on how fast it runs.
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Writes_that_arrive_while_a_batch_runs_share_the_next_transaction_with_creates_run_before_queue_writes()
    {
        var (db, release, first) = await BlockedGateAsync();
        var ran = new List<(string Name, DbTransaction Tx)>();
        var later = new[] { ("create 1", WritePriority.Create), ("claim", WritePriority.Queue), ("create 2", WritePriority.Create) }
            .Select(w => db.WriteAsync(w.Item2, async (connection, tx) =>
            {
                await Insert(connection, tx, w.Item1);
                lock (ran) ran.Add((w.Item1, tx));
                return w.Item1;
            })).ToList();
        Assert.All(later, w => Assert.False(w.IsCompleted));

        release.SetResult();
        var firstTx = await first.WaitAsync(Hang);
        Assert.Equal(["create 1", "claim", "create 2"], await Task.WhenAll(later).WaitAsync(Hang));
        Assert.Equal(["create 1", "create 2", "claim"], ran.Select(r => r.Name));
        Assert.All(ran, r => Assert.Same(ran[0].Tx, r.Tx));
        Assert.NotSame(firstTx, ran[0].Tx);
        Assert.Equal(["claim", "create 1", "create 2", "first"], await NamesAsync(db));
    }

    [Fact]
    public async Task A_write_that_throws_is_undone_and_fails_alone_while_the_others_of_its_transaction_commit()
    {
        var (db, release, first) = await BlockedGateAsync();
        var before = db.WriteAsync(WritePriority.Create, async (connection, tx) => await Insert(connection, tx, "before"));
        var failing = db.WriteAsync<int>(WritePriority.Create, async (connection, tx) =>
        {
            await Insert(connection, tx, "failing");
            throw new InvalidOperationException("the write's own failure");
        });
        var after = db.WriteAsync(WritePriority.Create, async (connection, tx) => await Insert(connection, tx, "after"));

        release.SetResult();
        await first.WaitAsync(Hang);
        await before.WaitAsync(Hang);
        // Told of its success only after the commit: another connection already sees the row.
        Assert.Contains("before", await NamesAsync(db));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => failing.WaitAsync(Hang));
        Assert.Equal("the write's own failure", error.Message);
        await after.WaitAsync(Hang);
        Assert.Equal(["after", "before", "first"], await NamesAsync(db));
    }

    [Fact]
    public async Task No_more_writes_than_the_batch_limit_share_a_transaction_and_a_queue_write_keeps_its_place_in_the_first()
    {
        var (db, release, first) = await BlockedGateAsync();
        var transactions = new List<(bool Queue, DbTransaction Tx)>();
        Task<int> Write(WritePriority priority) => db.WriteAsync(priority, (connection, tx) =>
        {
            lock (transactions) transactions.Add((priority == WritePriority.Queue, tx));
            return Task.FromResult(0);
        });
        var creates = Enumerable.Range(0, WriteGate.MaxBatch + 5).Select(_ => Write(WritePriority.Create)).ToList();
        var claim = Write(WritePriority.Queue);

        release.SetResult();
        await first.WaitAsync(Hang);
        await Task.WhenAll([.. creates, claim]).WaitAsync(Hang);
        var batches = transactions.GroupBy(t => t.Tx).ToList();
        Assert.Equal([WriteGate.MaxBatch, 6], batches.Select(b => b.Count()));
        Assert.Contains(batches[0], t => t.Queue);
    }

    [Fact]
    public async Task A_write_on_an_idle_gate_commits_at_once_and_the_gate_is_free_again_after_it()
    {
        var db = await NewDatabaseAsync();
        Assert.Equal(1, await db.WriteAsync(WritePriority.Create, async (connection, tx) => await Insert(connection, tx, "one")));
        Assert.Equal(1, await db.WriteAsync(WritePriority.Queue, async (connection, tx) => await Insert(connection, tx, "two")));
        Assert.Equal(["one", "two"], await NamesAsync(db));
    }

    /// <summary>A database whose first write waits for <c>release</c> inside its transaction, so later writes queue behind it.</summary>
    private static async Task<(Db Db, TaskCompletionSource Release, Task<DbTransaction> First)> BlockedGateAsync()
    {
        var db = await NewDatabaseAsync();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = db.WriteAsync(WritePriority.Create, async (connection, tx) =>
        {
            await Insert(connection, tx, "first");
            await release.Task;
            return tx;
        });
        Assert.False(first.IsCompleted);
        return (db, release, first);
    }

    private static async Task<Db> NewDatabaseAsync()
    {
        var db = new Db(Path.Combine(TestPaths.NewTempDirectory("reelay-write-gate"), "gate.db"));
        await using var connection = await db.OpenAsync();
        await connection.ExecuteAsync("PRAGMA journal_mode=WAL; CREATE TABLE writes (name TEXT NOT NULL)");
        return db;
    }

    private static Task<int> Insert(DbConnection connection, DbTransaction tx, string name) =>
        connection.ExecuteAsync("INSERT INTO writes (name) VALUES (@name)", new { name }, tx);

    private static async Task<List<string>> NamesAsync(Db db)
    {
        await using var connection = await db.OpenAsync();
        return [.. await connection.QueryAsync<string>("SELECT name FROM writes ORDER BY name")];
    }
}
