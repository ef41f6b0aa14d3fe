using System.Data.Common;
using System.Reflection;
using Dapper;

namespace Reelay.Server.Infrastructure;

/// <summary>
/// Applies the embedded, numbered SQL scripts that the database has not seen yet, from the provider's own folder
/// (Migrations/sqlite or Migrations/postgres: the same tables and columns in each engine's types).
/// </summary>
public static class Migrations
{
    public static IReadOnlyList<string> Apply(Db db)
    {
        using var connection = db.Open();
        var postgres = db.Provider == DbProvider.Postgres;
        if (postgres)
        {
            // Several nodes may start at once on one database: one migrates, the others wait and then find nothing to do.
            // A session lock, because each script commits on its own; it ends with the connection if the process dies.
            connection.Execute("SELECT pg_advisory_lock(@key)", new { key = MigrationLockKey });
        }
        else
        {
            // WAL lets readers (GET /v1/tasks) proceed while a worker writes progress.
            connection.Execute("PRAGMA journal_mode=WAL;");
        }
        try
        {
            return ApplyPending(connection, postgres ? "postgres" : "sqlite");
        }
        finally
        {
            if (postgres) connection.Execute("SELECT pg_advisory_unlock(@key)", new { key = MigrationLockKey });
        }
    }

    private static readonly long MigrationLockKey = Db.LockKey("reelay:migrations");

    private static List<string> ApplyPending(DbConnection connection, string folder)
    {
        connection.Execute("CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)");
        var applied = connection.Query<string>("SELECT version FROM schema_migrations").ToHashSet();
        var assembly = Assembly.GetExecutingAssembly();
        var marker = $".Migrations.{folder}.";
        var scripts = assembly.GetManifestResourceNames()
            .Where(n => n.Contains(marker, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .OrderBy(n => n, StringComparer.Ordinal);
        var newlyApplied = new List<string>();
        foreach (var resource in scripts)
        {
            var version = resource.Split(marker)[1];
            if (applied.Contains(version)) continue;
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            var sql = reader.ReadToEnd();
            // DDL is transactional on both engines: a script applies whole or not at all.
            using var tx = Db.BeginWrite(connection);
            connection.Execute(sql, transaction: tx);
            connection.Execute("INSERT INTO schema_migrations(version, applied_at) VALUES (@version, @now)",
                new { version, now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() }, tx);
            tx.Commit();
            newlyApplied.Add(version);
        }
        return newlyApplied;
    }
}
