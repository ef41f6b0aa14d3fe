using System.Diagnostics;
using Dapper;
using Reelay.Server.Infrastructure;

namespace Reelay.Bench.Dispatch;

/// <summary>
/// The database's own commit rate, the baseline a task create is compared with: concurrent writers each
/// committing single-row INSERT transactions as fast as they can. Connections come from the server's own
/// <see cref="Db"/> (the same SQLite connection string, busy handling and BEGIN IMMEDIATE; the same Npgsql
/// data source and READ COMMITTED), one pooled open per transaction as a request handler does.
/// </summary>
public static class RawCommits
{
    private const string Table = "bench_commits";

    /// <summary>Commits per second, and the p50/p99/max time of one transaction (open, BEGIN, INSERT, COMMIT) in ms.</summary>
    public static async Task<(double PerSecond, double P50Ms, double P99Ms, double MaxMs)> MeasureAsync(Db db, int writers, TimeSpan duration, CancellationToken cancel)
    {
        await using (var connection = await db.OpenAsync(cancel))
            await connection.ExecuteAsync(db.Provider == DbProvider.Postgres
                ? $"CREATE TABLE IF NOT EXISTS {Table} (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, payload TEXT NOT NULL, created_at BIGINT NOT NULL)"
                : $"CREATE TABLE IF NOT EXISTS {Table} (id INTEGER PRIMARY KEY AUTOINCREMENT, payload TEXT NOT NULL, created_at INTEGER NOT NULL)");
        try
        {
            await RunAsync(db, writers, TimeSpan.FromMilliseconds(500), cancel); // fills the pool, JITs the path, grows the file
            var (times, elapsed) = await RunAsync(db, writers, duration, cancel);
            return (times.Count / elapsed.TotalSeconds, Stats.Percentile(times, 0.5), Stats.Percentile(times, 0.99), times.Max());
        }
        finally
        {
            // The PostgreSQL baseline runs in the server's database before the server starts: leave it as the server expects it.
            await using var connection = await db.OpenAsync(CancellationToken.None);
            await connection.ExecuteAsync($"DROP TABLE IF EXISTS {Table}");
        }
    }

    /// <summary>What decides an engine's commit cost, read back from the database rather than assumed.</summary>
    public static async Task<string> DescribeAsync(Db db)
    {
        await using var connection = await db.OpenAsync();
        if (db.Provider == DbProvider.Postgres)
        {
            var version = await connection.ExecuteScalarAsync<string>("SHOW server_version");
            var fsync = await connection.ExecuteScalarAsync<string>("SHOW fsync");
            var commit = await connection.ExecuteScalarAsync<string>("SHOW synchronous_commit");
            return $"PostgreSQL {version}, fsync={fsync}, synchronous_commit={commit}, READ COMMITTED";
        }
        var sqlite = await connection.ExecuteScalarAsync<string>("SELECT sqlite_version()");
        var journal = await connection.ExecuteScalarAsync<string>("PRAGMA journal_mode");
        var synchronous = await connection.ExecuteScalarAsync<long>("PRAGMA synchronous") switch { 0 => "OFF", 1 => "NORMAL", 2 => "FULL", 3 => "EXTRA", var n => n.ToString() };
        return $"SQLite {sqlite}, journal_mode={journal}, synchronous={synchronous}, BEGIN IMMEDIATE";
    }

    private static async Task<(List<double> Times, TimeSpan Elapsed)> RunAsync(Db db, int writers, TimeSpan duration, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        // A thread per writer: Microsoft.Data.Sqlite runs synchronously under its async API, so thread-pool tasks would
        // start only as fast as the pool grows (2 to 4 threads in 3 s here) and the "8 writers" would be fewer.
        var perWriter = await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Factory.StartNew(() => WriterAsync(w).GetAwaiter().GetResult(),
            cancel, TaskCreationOptions.LongRunning, TaskScheduler.Default)));
        return ([.. perWriter.SelectMany(t => t)], clock.Elapsed);

        async Task<List<double>> WriterAsync(int w)
        {
            var times = new List<double>();
            while (clock.Elapsed < duration)
            {
                cancel.ThrowIfCancellationRequested();
                var start = clock.Elapsed.TotalMilliseconds;
                await using var connection = await db.OpenAsync(cancel);
                await using var tx = Db.BeginWrite(connection);
                await connection.ExecuteAsync($"INSERT INTO {Table} (payload, created_at) VALUES (@payload, @now)",
                    new { payload = $"writer {w}", now = Clock.NowMs() }, tx);
                await tx.CommitAsync(cancel);
                times.Add(clock.Elapsed.TotalMilliseconds - start);
            }
            return times;
        }
    }
}
