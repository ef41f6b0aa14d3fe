using System.Collections.Concurrent;
using System.Data.Common;
using System.Text;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Reelay.Tests.Infrastructure;

/// <summary>
/// The database the test servers run on: SQLite files in their data directories (the default), or with
/// REELAY_TEST_DATABASE=postgres a fresh PostgreSQL database per data directory on the server REELAY_TEST_PG
/// names (scripts/ensure-postgres.sh starts one). Tests that look into a server's database go through here,
/// so they read whichever engine that server uses; their SQL is the portable subset both engines accept.
/// </summary>
public static class TestDatabase
{
    public static bool IsPostgres { get; } =
        string.Equals(Environment.GetEnvironmentVariable("REELAY_TEST_DATABASE"), "postgres", StringComparison.OrdinalIgnoreCase);

    private static readonly string BaseConnectionString =
        Environment.GetEnvironmentVariable("REELAY_TEST_PG") is { Length: > 0 } cs ? cs : "Host=127.0.0.1;Port=55432;Username=postgres;Database=postgres";

    // Keyed by data directory: a test that restarts a server on the same directory gets the same database back.
    private static readonly ConcurrentDictionary<string, Lazy<Task<string>>> Databases = new();
    private static readonly ConcurrentQueue<string> Created = new();

    static TestDatabase()
    {
        if (IsPostgres) AppDomain.CurrentDomain.ProcessExit += (_, _) => DropCreated();
    }

    /// <summary>The connection string of the data directory's database, created on first use.</summary>
    public static Task<string> ForDataDirectoryAsync(string dataDirectory) =>
        Databases.GetOrAdd(Path.GetFullPath(dataDirectory), _ => new Lazy<Task<string>>(CreateAsync)).Value;

    private static async Task<string> CreateAsync()
    {
        // The creation time in the name lets a later run remove what a killed run left behind.
        var name = $"{Prefix}{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(BaseConnectionString))
        {
            await connection.OpenAsync();
            await PruneOnce.Value;
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync();
        }
        Created.Enqueue(name);
        return new NpgsqlConnectionStringBuilder(BaseConnectionString) { Database = name }.ConnectionString;
    }

    private const string Prefix = "reelay_t_";
    private static readonly Lazy<Task> PruneOnce = new(PruneStaleAsync);

    /// <summary>
    /// Databases of runs that ended without cleaning up (a test host killed before its exit handler ran): those older
    /// than 10 minutes, longer than a whole run takes. A database still in use (a long debugging session) refuses to
    /// be dropped and is left alone, since the drop does not force connections closed.
    /// </summary>
    private static async Task PruneStaleAsync()
    {
        await using var connection = new NpgsqlConnection(BaseConnectionString);
        await connection.OpenAsync();
        var cutoff = DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeSeconds();
        var names = await connection.QueryAsync<string>("SELECT datname FROM pg_database WHERE starts_with(datname, @prefix)", new { prefix = Prefix });
        foreach (var name in names)
        {
            var stamp = name[Prefix.Length..].Split('_')[0];
            if (long.TryParse(stamp, out var created) && created >= cutoff) continue;
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name}", connection);
            try
            {
                await drop.ExecuteNonQueryAsync();
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.ObjectInUse)
            {
                // someone is still connected: not stale after all
            }
        }
    }

    /// <summary>The throwaway cluster is shared by runs: each test process removes the databases it made when it exits.</summary>
    private static void DropCreated()
    {
        try
        {
            using var connection = new NpgsqlConnection(BaseConnectionString);
            connection.Open();
            while (Created.TryDequeue(out var name))
            {
                using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
                drop.ExecuteNonQuery();
            }
        }
        catch (NpgsqlException)
        {
            // Leftovers live in /tmp/reelay-pg, which is disposable; never fail a finished run over them.
        }
    }

    public static async Task<DbConnection> OpenAsync(ServerProcess server)
    {
        // No pooling for the tests' own connections: an idle pooled connection would keep the database busy at the end.
        DbConnection connection = server.DatabaseConnectionString is { } cs
            ? new NpgsqlConnection(new NpgsqlConnectionStringBuilder(cs) { Pooling = false }.ConnectionString)
            : new SqliteConnection($"Data Source={Path.Combine(server.DataDirectory, "reelay.db")}");
        await connection.OpenAsync();
        return connection;
    }

    public static async Task<List<T>> QueryAsync<T>(ServerProcess server, string sql, object? parameters = null)
    {
        await using var connection = await OpenAsync(server);
        return [.. await connection.QueryAsync<T>(sql, parameters)];
    }

    public static async Task<T?> ScalarAsync<T>(ServerProcess server, string sql, object? parameters = null)
    {
        await using var connection = await OpenAsync(server);
        return await connection.ExecuteScalarAsync<T>(sql, parameters);
    }

    /// <summary>SQLite's EXPLAIN QUERY PLAN of a statement against the server's database, its steps joined by " | ".</summary>
    public static async Task<string> SqlitePlanAsync(ServerProcess server, string sql, object? parameters = null)
    {
        var steps = await QueryAsync<(long Id, long Parent, long NotUsed, string Detail)>(server, "EXPLAIN QUERY PLAN " + sql, parameters);
        return string.Join(" | ", steps.Select(s => s.Detail));
    }

    public static async Task<int> ExecuteAsync(ServerProcess server, string sql, object? parameters = null)
    {
        await using var connection = await OpenAsync(server);
        return await connection.ExecuteAsync(sql, parameters);
    }

    /// <summary>
    /// PostgreSQL: every value of every text and bytea column of every table, as text (bytea also as hex), for
    /// "this secret is stored nowhere" checks; the SQLite twin of that check reads the database files.
    /// </summary>
    public static async Task<List<string>> AllStoredTextAsync(ServerProcess server)
    {
        await using var connection = await OpenAsync(server);
        var columns = await connection.QueryAsync<(string Table, string Column)>(
            """
            SELECT table_name, column_name FROM information_schema.columns
            WHERE table_schema = 'public' AND data_type IN ('text', 'bytea', 'character varying')
            """);
        var values = new List<string>();
        foreach (var (table, column) in columns)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT \"{column}\" FROM \"{table}\"";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                if (reader.GetValue(0) is string text) values.Add(text);
                else if (reader.GetValue(0) is byte[] bytes) values.AddRange([Encoding.ASCII.GetString(bytes), Convert.ToHexString(bytes)]);
            }
        }
        return values;
    }
}
