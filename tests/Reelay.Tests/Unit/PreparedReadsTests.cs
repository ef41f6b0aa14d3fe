using System.Globalization;
using Npgsql;
using Reelay.Server.Features.Credits;
using Reelay.Server.Features.Organizations;
using Reelay.Server.Infrastructure;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Unit;

/// <summary>Db's hot-path reads (statements kept compiled on open SQLite connections) over a real migrated database.</summary>
public class PreparedReadsTests
{
    private static async Task<Db> NewDatabaseAsync()
    {
        var directory = TestPaths.NewTempDirectory("reelay-prepared");
        // No pooling on PostgreSQL: an idle pooled connection would keep the test database from being dropped.
        var db = TestDatabase.IsPostgres
            ? Db.Postgres(new NpgsqlConnectionStringBuilder(await TestDatabase.ForDataDirectoryAsync(directory)) { Pooling = false }.ConnectionString)
            : new Db(Path.Combine(directory, "reelay.db"));
        Migrations.Apply(db);
        return db;
    }

    [Fact]
    public async Task A_prepared_read_sees_every_commit_made_after_its_statement_was_compiled()
    {
        var db = await NewDatabaseAsync();
        string orgId;
        await using (var connection = await db.OpenAsync()) orgId = await Organizations.CreateAsync(connection, "prepared", 100);
        // Concurrent reads open several sessions, so later reads run on statements compiled before the grants below.
        Assert.All(await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Ledger.BalanceAsync(db, orgId))), balance => Assert.Equal(100, balance));
        for (var grant = 1; grant <= 3; grant++)
        {
            await using (var connection = await db.OpenAsync()) await Ledger.GrantAsync(connection, orgId, 10, "test grant");
            Assert.All(await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Ledger.BalanceAsync(db, orgId))), balance => Assert.Equal(100 + 10 * grant, balance));
        }
    }

    [Fact]
    public async Task A_single_row_read_that_finds_two_rows_is_an_error_and_the_next_read_still_answers()
    {
        var db = await NewDatabaseAsync();
        string first;
        await using (var connection = await db.OpenAsync())
        {
            first = await Organizations.CreateAsync(connection, "twin", 1);
            await Organizations.CreateAsync(connection, "twin", 1);
        }
        const string byName = "SELECT id FROM organizations WHERE name = @name ORDER BY id";
        await Assert.ThrowsAsync<InvalidOperationException>(() => db.QuerySingleOrDefaultAsync<string>(byName, ("name", "twin")));
        Assert.Equal(2, (await db.QueryAsync<string>(byName, ("name", "twin"))).Count);
        Assert.Null(await db.QuerySingleOrDefaultAsync<string>(byName, ("name", "nobody")));
        Assert.Equal(first, await db.QuerySingleOrDefaultAsync<string>("SELECT id FROM organizations WHERE id = @id", ("id", first)));
    }

    /// <summary>SQLite types every value on its own: a NULL, or an integer where a real was, changes a column's type.</summary>
    public sealed class TextAndNumber
    {
        public string? Text { get; init; }
        public double Number { get; init; }
    }

    [Fact]
    public async Task A_statement_whose_column_types_change_between_reads_maps_every_read_by_its_own_columns()
    {
        var db = await NewDatabaseAsync();
        const string sql = "SELECT CAST(@text AS TEXT) AS text, @number AS number";
        (string? Text, object Number)[] reads = [(null, 1L), ("a", 2L), ("b", 2.5), (null, 4L), ("c", 5.5)];
        foreach (var (text, number) in reads)
        {
            var row = await db.QuerySingleOrDefaultAsync<TextAndNumber>(sql, ("text", text), ("number", number));
            Assert.Equal((text, Convert.ToDouble(number, CultureInfo.InvariantCulture)), (row!.Text, row.Number));
        }
    }

    [Fact]
    [Trait("Database", "sqlite-only")]
    public async Task Every_sqlite_connection_pooled_or_kept_for_prepared_reads_checkpoints_its_log_only_after_ten_thousand_pages()
    {
        var db = await NewDatabaseAsync();
        for (var open = 0; open < 2; open++) // the second open gets the pooled handle back
        {
            await using var connection = await db.OpenAsync();
            Assert.Equal(Db.WalCheckpointPages, await Dapper.SqlMapper.ExecuteScalarAsync<long>(connection, "PRAGMA wal_autocheckpoint"));
        }
        using (var connection = db.Open())
            Assert.Equal(Db.WalCheckpointPages, Dapper.SqlMapper.ExecuteScalar<long>(connection, "PRAGMA wal_autocheckpoint"));
        Assert.Equal(Db.WalCheckpointPages, await db.QuerySingleOrDefaultAsync<long>("PRAGMA wal_autocheckpoint"));
    }
}
