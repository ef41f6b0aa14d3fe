using System.Buffers.Binary;
using System.Data;
using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Reelay.Server.Infrastructure;

public enum DbProvider { Sqlite, Postgres }

/// <summary>
/// Opens connections to the configured database (SQLite or PostgreSQL). Handlers use Dapper on what it returns
/// and write one portable statement; the few places where the engines differ ask for a fragment or a lock here.
/// </summary>
public sealed class Db
{
    private readonly string? _sqliteConnectionString;
    private readonly NpgsqlDataSource? _postgres;
    private readonly WriteGate? _writeGate;
    private readonly PreparedReads? _preparedReads;

    /// <summary>An SQLite database file.</summary>
    public Db(string databasePath)
    {
        Provider = DbProvider.Sqlite;
        DatabasePath = databasePath;
        _writeGate = new WriteGate(OpenWriterAsync);
        _sqliteConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            ForeignKeys = true,
            // Writers wait for each other instead of failing with SQLITE_BUSY.
            DefaultTimeout = 30,
        }.ToString();
        _preparedReads = new PreparedReads(_sqliteConnectionString, SetWaitAndCheckpoint);
    }

    private Db(NpgsqlDataSource dataSource)
    {
        Provider = DbProvider.Postgres;
        _postgres = dataSource;
    }

    /// <summary>
    /// Statements used more than once per connection are prepared by Npgsql (unless the connection string says
    /// otherwise): the hot reads and the create transaction are the same few statements over and over (bench/api).
    /// </summary>
    public static Db Postgres(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (builder.MaxAutoPrepare == 0) builder.MaxAutoPrepare = 64;
        return new(NpgsqlDataSource.Create(builder.ConnectionString));
    }

    public static Db From(ReelayOptions options) =>
        options.DatabaseProvider == "postgres" ? Postgres(options.ConnectionString!) : new Db(options.DatabasePath);

    public DbProvider Provider { get; }

    /// <summary>The SQLite file; null on PostgreSQL.</summary>
    public string? DatabasePath { get; }

    public DbConnection Open()
    {
        if (_postgres is not null) return _postgres.OpenConnection();
        var connection = new SqliteConnection(_sqliteConnectionString);
        connection.Open();
        SetWaitAndCheckpoint(connection);
        return connection;
    }

    /// <summary>
    /// SQLite's own busy handler waits for a writer with short, growing sleeps (1, 2, 5 … 100 ms). Without it the
    /// driver retries a locked write only every 150 ms, which made p99 create latency seconds under load (bench/dispatch).
    /// Set on every open (a pooled handle may come back without it) by a direct call, with the checkpoint interval
    /// (<see cref="WalCheckpointPages"/>): a PRAGMA statement per open was a prepared and stepped statement on every
    /// request (bench/api).
    /// </summary>
    private static void SetWaitAndCheckpoint(SqliteConnection connection)
    {
        SQLitePCL.raw.sqlite3_busy_timeout(connection.Handle, 30000);
        SQLitePCL.raw.sqlite3_wal_autocheckpoint(connection.Handle, WalCheckpointPages);
    }

    /// <summary>
    /// Pages the write-ahead log grows to (about 40 MB) before a commit copies it back into the database file and syncs
    /// it; SQLite's default is 1,000. The request log appends to the same index pages batch after batch, and a page
    /// rewritten by many batches is copied back once per checkpoint, so a tenth as often: bench/api, three runs each
    /// way, server CPU per task read 87 → 82 µs and per organization read 114 → 102 µs. The log file stays at its
    /// largest size between checkpoints.
    /// </summary>
    public const int WalCheckpointPages = 10_000;

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        if (_postgres is not null) return await _postgres.OpenConnectionAsync(cancellationToken);
        var connection = new SqliteConnection(_sqliteConnectionString);
        await connection.OpenAsync(cancellationToken);
        SetWaitAndCheckpoint(connection);
        return connection;
    }

    /// <summary>The group commit's own connection, which keeps the statements of the hot writes compiled (<see cref="StatementCachingConnection"/>).</summary>
    private async Task<DbConnection> OpenWriterAsync()
    {
        var connection = new StatementCachingConnection(_sqliteConnectionString!);
        await connection.OpenAsync();
        SetWaitAndCheckpoint(connection);
        return connection;
    }

    /// <summary>
    /// The one row of a read on a hot path (or null), outside any transaction: on SQLite through a statement compiled once
    /// per connection (<see cref="PreparedReads"/>); on PostgreSQL Npgsql prepares it itself (MaxAutoPrepare).
    /// Parameters are named as in the SQL, without the '@'.
    /// </summary>
    public async Task<T?> QuerySingleOrDefaultAsync<T>(string sql, params (string Name, object? Value)[] parameters)
    {
        // Two rows read, so that a second one is the same error as Dapper's QuerySingleOrDefault.
        var rows = await QueryAsync<T>(sql, parameters, limit: 2);
        return rows.Count switch
        {
            0 => default,
            1 => rows[0],
            _ => throw new InvalidOperationException("Sequence contains more than one element"),
        };
    }

    /// <summary>The rows of a read on a hot path, as <see cref="QuerySingleOrDefaultAsync{T}"/> reads one.</summary>
    public Task<List<T>> QueryAsync<T>(string sql, params (string Name, object? Value)[] parameters) => QueryAsync<T>(sql, parameters, int.MaxValue);

    private async Task<List<T>> QueryAsync<T>(string sql, (string Name, object? Value)[] parameters, int limit)
    {
        if (_preparedReads is not null) return await _preparedReads.QueryAsync<T>(sql, parameters, limit);
        var named = new DynamicParameters();
        foreach (var (name, value) in parameters) named.Add(name, value);
        await using var connection = await OpenAsync();
        return (await connection.QueryAsync<T>(sql, named)).Take(limit).ToList();
    }

    /// <summary>
    /// Starts a write transaction. SQLite: BEGIN IMMEDIATE takes the database write lock at once, so a
    /// read-check-write sequence such as "balance is enough, then hold" is one atomic step. PostgreSQL: READ
    /// COMMITTED, and the code that relies on a single writer takes explicit locks (<see cref="LockAsync"/>,
    /// <see cref="ForUpdate"/>, <see cref="SkipLocked"/>), which are no-ops on SQLite.
    /// </summary>
    public static DbTransaction BeginWrite(DbConnection connection) => connection switch
    {
        SqliteConnection sqlite => sqlite.BeginTransaction(deferred: false),
        _ => connection.BeginTransaction(IsolationLevel.ReadCommitted),
    };

    /// <summary>
    /// Runs a hot write (<see cref="BeginWrite"/> semantics) and returns its result once committed. SQLite: through the
    /// group commit (<see cref="WriteGate"/>), possibly in one transaction with other writes, so the work must read no
    /// ambient state and must not wait for another write. PostgreSQL has row locks, not one writer: a transaction of its own.
    /// </summary>
    public async Task<T> WriteAsync<T>(WritePriority priority, Func<DbConnection, DbTransaction, Task<T>> work)
    {
        if (_writeGate is not null) return await _writeGate.RunAsync(priority, work);
        await using var connection = await OpenAsync();
        await using var tx = BeginWrite(connection);
        var result = await work(connection, tx);
        await tx.CommitAsync();
        return result;
    }

    public static bool IsPostgres(DbConnection connection) => connection is NpgsqlConnection;

    /// <summary>
    /// SQLite: until disposed, this connection's commits do not fsync the write-ahead log (synchronous=NORMAL), for
    /// writes whose loss in a power cut is acceptable (the request log; an fsync per batch was 3 % of a read's CPU in
    /// bench/api). A process crash still loses nothing committed, the database stays consistent, and the next commit of a
    /// connection in the default FULL mode syncs these pages with its own. Restored on dispose: the handle is pooled.
    /// PostgreSQL: nothing.
    /// </summary>
    public static async Task<IAsyncDisposable> RelaxedSyncAsync(DbConnection connection)
    {
        if (connection is not SqliteConnection sqlite) return NoOp.Instance;
        await sqlite.ExecuteAsync("PRAGMA synchronous=NORMAL");
        return new SyncRestore(sqlite);
    }

    private sealed class SyncRestore(SqliteConnection connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await connection.ExecuteAsync("PRAGMA synchronous=FULL");
    }

    private sealed class NoOp : IAsyncDisposable
    {
        public static readonly NoOp Instance = new();
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    /// <summary>
    /// Appended to a SELECT that must lock its rows until commit; SQLite's write lock already covers them. NO KEY:
    /// lockers and writers of the row wait, but inserts that merely reference it (foreign-key checks) do not.
    /// </summary>
    public static string ForUpdate(DbConnection connection) => IsPostgres(connection) ? " FOR NO KEY UPDATE" : "";

    /// <summary>Appended to a queue's pick: concurrent claimers skip rows another claimer holds instead of waiting for them.</summary>
    public static string SkipLocked(DbConnection connection) => IsPostgres(connection) ? " FOR UPDATE SKIP LOCKED" : "";

    /// <summary>
    /// "Column is one of this list" for a list parameter: Dapper expands "IN @ids" into one parameter per item on
    /// SQLite, but hands Npgsql the whole list as one array parameter, which PostgreSQL matches with "= ANY(@ids)".
    /// </summary>
    public static string InList(DbConnection connection, string parameter) => IsPostgres(connection) ? $"= ANY(@{parameter})" : $"IN @{parameter}";

    /// <summary>
    /// A named lock held until the transaction ends (pg_advisory_xact_lock) for checks that span rows no single
    /// row lock covers, such as "how many tasks wait". On SQLite, BEGIN IMMEDIATE already serializes writers.
    /// </summary>
    public static Task LockAsync(DbConnection connection, DbTransaction tx, string name) =>
        IsPostgres(connection)
            ? connection.ExecuteAsync("SELECT pg_advisory_xact_lock(@key)", new { key = LockKey(name) }, tx)
            : Task.CompletedTask;

    /// <summary>Like <see cref="LockAsync"/>, but false at once when another transaction holds the lock; always true on SQLite.</summary>
    public static async Task<bool> TryLockAsync(DbConnection connection, DbTransaction tx, string name) =>
        !IsPostgres(connection)
        || await connection.ExecuteScalarAsync<bool>("SELECT pg_try_advisory_xact_lock(@key)", new { key = LockKey(name) }, tx);

    /// <summary>A stable 64-bit advisory-lock key for a name, the same on every node and version.</summary>
    public static long LockKey(string name) => BinaryPrimitives.ReadInt64LittleEndian(SHA256.HashData(Encoding.UTF8.GetBytes(name)));

    /// <summary>The LISTEN/NOTIFY channel that wakes idle workers on every node when tasks become runnable.</summary>
    public const string TasksChannel = "reelay_tasks";

    /// <summary>Sent inside the transaction, so listeners hear it only once the task is committed; SQLite has one node.</summary>
    public static Task NotifyTasksAsync(DbConnection connection, DbTransaction? tx) =>
        IsPostgres(connection) ? connection.ExecuteAsync($"NOTIFY {TasksChannel}", transaction: tx) : Task.CompletedTask;
}
