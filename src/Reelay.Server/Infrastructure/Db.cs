using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Reelay.Server.Infrastructure;

/// <summary>Opens connections to the configured database. Handlers use Dapper on what it returns.</summary>
public sealed class Db
{
    private readonly string _connectionString;

    public Db(string databasePath)
    {
        DatabasePath = databasePath;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            ForeignKeys = true,
            // Writers wait for each other instead of failing with SQLITE_BUSY.
            DefaultTimeout = 30,
        }.ToString();
    }

    public string DatabasePath { get; }

    public DbConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    /// <summary>
    /// Starts a write transaction that takes the database write lock at once (BEGIN IMMEDIATE), so a
    /// read-check-write sequence such as "balance is enough, then hold" is one atomic step.
    /// </summary>
    public static DbTransaction BeginWrite(DbConnection connection) =>
        ((SqliteConnection)connection).BeginTransaction(deferred: false);
}
