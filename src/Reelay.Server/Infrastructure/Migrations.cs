using System.Reflection;
using Dapper;

namespace Reelay.Server.Infrastructure;

/// <summary>Applies the embedded, numbered SQL scripts that the database has not seen yet.</summary>
public static class Migrations
{
    public static IReadOnlyList<string> Apply(Db db)
    {
        using var connection = db.Open();
        // WAL lets readers (GET /v1/tasks) proceed while a worker writes progress.
        connection.Execute("PRAGMA journal_mode=WAL;");
        connection.Execute("CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)");
        var applied = connection.Query<string>("SELECT version FROM schema_migrations").ToHashSet();
        var assembly = Assembly.GetExecutingAssembly();
        var scripts = assembly.GetManifestResourceNames()
            .Where(n => n.Contains(".Migrations.sqlite.", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .OrderBy(n => n, StringComparer.Ordinal);
        var newlyApplied = new List<string>();
        foreach (var resource in scripts)
        {
            var version = resource.Split(".Migrations.sqlite.")[1];
            if (applied.Contains(version)) continue;
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            var sql = reader.ReadToEnd();
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
