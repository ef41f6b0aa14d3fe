using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Reelay.Server.Infrastructure;
using Reelay.Tests.Infrastructure;
using SQLitePCL;

namespace Reelay.Tests.Unit;

/// <summary>
/// The group commit's connection (StatementCachingConnection) on a real SQLite file: a statement is compiled once and
/// rebound per use, and nothing of one use (parameters, a failure, a transaction) carries into the next.
/// </summary>
[Trait("Database", "independent")]
public class StatementCachingConnectionTests
{
    private const int StatementRuns = 6; // SQLITE_STMTSTATUS_RUN

    [Fact]
    public async Task The_same_sql_run_through_dapper_again_runs_the_statement_compiled_the_first_time()
    {
        await using var connection = await OpenAsync();
        const string Insert = "INSERT INTO writes (name) VALUES (@name)";
        for (var i = 0; i < 5; i++) await connection.ExecuteAsync(Insert, new { name = $"n{i}" });

        var statement = Assert.Single(Statements(connection, Insert));
        Assert.Equal(5, raw.sqlite3_stmt_status(statement, StatementRuns, 0));
        Assert.Equal(1, connection.KeptStatements);
        Assert.Equal(["n0", "n1", "n2", "n3", "n4"], await connection.QueryAsync<string>("SELECT name FROM writes ORDER BY name"));
    }

    [Fact]
    public async Task A_kept_statement_is_bound_afresh_so_a_parameter_left_out_the_next_time_is_an_error_not_the_old_value()
    {
        await using var connection = await OpenAsync();
        await connection.ExecuteAsync("INSERT INTO writes (name) VALUES (@name)", new { name = "first" });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => connection.ExecuteAsync("INSERT INTO writes (name) VALUES (@name)"));
        Assert.Contains("@name", error.Message);
        Assert.Equal(["first"], await connection.QueryAsync<string>("SELECT name FROM writes"));
    }

    [Fact]
    public async Task A_list_parameter_that_dapper_expands_into_the_sql_after_binding_is_bound_on_the_statement_of_the_expanded_sql()
    {
        await using var connection = await OpenAsync();
        await connection.ExecuteAsync("INSERT INTO writes (name) VALUES ('a'), ('b'), ('c')");
        const string Select = "SELECT name FROM writes WHERE name IN @names AND name <> @not ORDER BY name";

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(["a", "c"], await connection.QueryAsync<string>(Select, new { names = new[] { "a", "b", "c" }, not = "b" }));
            Assert.Equal(["c"], await connection.QueryAsync<string>(Select, new { names = new[] { "c" }, not = "b" }));
        }
    }

    [Fact]
    public async Task A_statement_whose_run_failed_is_not_kept_and_the_same_sql_runs_again_afterwards()
    {
        await using var connection = await OpenAsync();
        const string Insert = "INSERT INTO writes (name) VALUES (@name)";
        await connection.ExecuteAsync(Insert, new { name = "taken" });
        await connection.ExecuteAsync("CREATE UNIQUE INDEX ux_writes_name ON writes(name)");

        await Assert.ThrowsAsync<SqliteException>(() => connection.ExecuteAsync(Insert, new { name = "taken" }));
        Assert.Empty(Statements(connection, Insert));
        await connection.ExecuteAsync(Insert, new { name = "free" });
        Assert.Equal(["free", "taken"], await connection.QueryAsync<string>("SELECT name FROM writes ORDER BY name"));
    }

    [Fact]
    public async Task A_kept_statement_runs_in_the_transaction_of_its_use_and_outside_any_once_it_has_committed()
    {
        await using var connection = await OpenAsync();
        const string Insert = "INSERT INTO writes (name) VALUES (@name)";
        await using (var tx = Db.BeginWrite(connection))
        {
            await connection.ExecuteAsync(Insert, new { name = "given the transaction" }, tx);
            await connection.ExecuteAsync(Insert, new { name = "in it by default" }); // as SqliteConnection.CreateCommand does
            await tx.RollbackAsync();
        }
        await connection.ExecuteAsync(Insert, new { name = "after" });

        Assert.Equal(["after"], await connection.QueryAsync<string>("SELECT name FROM writes"));
    }

    [Fact]
    public async Task The_same_sql_while_its_kept_statement_has_an_open_reader_runs_on_a_statement_of_its_own()
    {
        await using var connection = await OpenAsync();
        await connection.ExecuteAsync("INSERT INTO writes (name) VALUES ('a'), ('b')");
        const string Select = "SELECT name FROM writes ORDER BY name";

        await using (var outer = await connection.ExecuteReaderAsync(Select))
        {
            Assert.True(await outer.ReadAsync());
            Assert.Equal(["a", "b"], await connection.QueryAsync<string>(Select));
            Assert.Equal("a", outer.GetString(0));
            Assert.True(await outer.ReadAsync());
            Assert.Equal("b", outer.GetString(0));
        }
        Assert.Equal(["a", "b"], await connection.QueryAsync<string>(Select));
    }

    [Fact]
    public async Task The_group_commit_keeps_its_connection_from_batch_to_batch_and_opens_another_after_a_batch_that_failed()
    {
        var db = new Db(Path.Combine(TestPaths.NewTempDirectory("reelay-statement-cache"), "gate.db"));
        await using (var setup = await db.OpenAsync()) await setup.ExecuteAsync("PRAGMA journal_mode=WAL; CREATE TABLE writes (name TEXT NOT NULL)");
        Task<DbConnection> Write(string name) => db.WriteAsync(WritePriority.Create, async (connection, tx) =>
        {
            await connection.ExecuteAsync("INSERT INTO writes (name) VALUES (@name)", new { name }, tx);
            return connection;
        });

        var first = await Write("one");
        Assert.Same(first, await Write("two"));
        Assert.Equal(1, Assert.IsType<StatementCachingConnection>(first).KeptStatements);
        await Assert.ThrowsAsync<InvalidOperationException>(() => db.WriteAsync<int>(WritePriority.Create, (_, _) => throw new InvalidOperationException("alone in its batch")));
        Assert.NotSame(first, await Write("three"));

        await using var check = await db.OpenAsync();
        Assert.Equal(["one", "three", "two"], await check.QueryAsync<string>("SELECT name FROM writes ORDER BY name"));
    }

    private static async Task<StatementCachingConnection> OpenAsync()
    {
        var path = Path.Combine(TestPaths.NewTempDirectory("reelay-statement-cache"), "kept.db");
        var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString();
        await using (var setup = new SqliteConnection(connectionString))
        {
            await setup.OpenAsync();
            await setup.ExecuteAsync("PRAGMA journal_mode=WAL; CREATE TABLE writes (name TEXT NOT NULL)");
        }
        var connection = new StatementCachingConnection(connectionString);
        await connection.OpenAsync();
        connection.Handle!.enable_sqlite3_next_stmt(true); // so that Statements() can list them
        return connection;
    }

    /// <summary>The statements of <paramref name="sql"/> compiled on the connection's handle and not yet finalized.</summary>
    private static List<sqlite3_stmt> Statements(SqliteConnection connection, string sql)
    {
        var statements = new List<sqlite3_stmt>();
        for (var s = raw.sqlite3_next_stmt(connection.Handle, null); s is not null && !s.IsInvalid; s = raw.sqlite3_next_stmt(connection.Handle, s))
            if (raw.sqlite3_sql(s).utf8_to_string() == sql) statements.Add(s);
        return statements;
    }
}
