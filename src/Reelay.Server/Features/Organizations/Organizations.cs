using System.Data.Common;
using Dapper;
using Reelay.Server.Features.Auth;
using Reelay.Server.Features.Credits;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Organizations;

public sealed record IssuedKey(string Id, string Key, string Prefix, string Name);

/// <summary>Organization and key operations shared by the admin API and first-start bootstrap.</summary>
public static class Organizations
{
    /// <summary>An organization's name: 1 to this many characters, in the portal and the admin API alike.</summary>
    public const int MaxNameLength = 100;

    /// <summary>Creates the organization and its initial grant in one transaction: its own, or the caller's <paramref name="tx"/>.</summary>
    public static async Task<string> CreateAsync(DbConnection connection, string name, long credits, DbTransaction? tx = null)
    {
        var id = "org_" + Guid.NewGuid().ToString("N");
        var own = tx is null ? Db.BeginWrite(connection) : null;
        try
        {
            await connection.ExecuteAsync("INSERT INTO organizations (id, name, created_at) VALUES (@id, @name, @now)", new { id, name, now = Clock.NowMs() }, tx ?? own);
            if (credits > 0) await Ledger.GrantAsync(connection, id, credits, "initial credits", tx ?? own);
            if (own is not null) await own.CommitAsync();
        }
        finally
        {
            if (own is not null) await own.DisposeAsync();
        }
        return id;
    }

    /// <summary>The only moment the key exists in plain text: it is returned, and only its hash is stored.</summary>
    public static async Task<IssuedKey> IssueKeyAsync(DbConnection connection, string orgId, string name, DbTransaction? tx = null)
    {
        var key = ApiKeys.Generate();
        var issued = new IssuedKey("apikey_" + Guid.NewGuid().ToString("N"), key, ApiKeys.DisplayPrefix(key), name);
        await connection.ExecuteAsync(
            "INSERT INTO api_keys (id, org_id, name, prefix, key_hash, created_at) VALUES (@Id, @orgId, @Name, @Prefix, @hash, @now)",
            new { issued.Id, orgId, issued.Name, issued.Prefix, hash = ApiKeys.Hash(key), now = Clock.NowMs() }, tx);
        return issued;
    }

    /// <summary>
    /// Locks the organization's row until the transaction ends (PostgreSQL), serializing the read-check-write steps
    /// on its credits, limits and secrets; on SQLite, BEGIN IMMEDIATE already does.
    /// </summary>
    public static Task LockAsync(DbConnection connection, DbTransaction tx, string orgId) =>
        connection.ExecuteScalarAsync<string>($"SELECT id FROM organizations WHERE id = @orgId{Db.ForUpdate(connection)}", new { orgId }, tx);

    /// <summary>
    /// The organization's row lock, then a named lock inside it (<see cref="Db.LockAsync"/>), in one round trip on
    /// PostgreSQL (the task create's pair); nothing to do on SQLite, whose write transaction holds both already.
    /// </summary>
    public static Task LockAsync(DbConnection connection, DbTransaction tx, string orgId, string thenLock) =>
        Db.IsPostgres(connection)
            ? connection.ExecuteAsync($"SELECT id FROM organizations WHERE id = @orgId{Db.ForUpdate(connection)}; SELECT pg_advisory_xact_lock(@key)",
                new { orgId, key = Db.LockKey(thenLock) }, tx)
            : Task.CompletedTask;

    public static Task<bool> ExistsAsync(DbConnection connection, string orgId) =>
        connection.ExecuteScalarAsync<bool>("SELECT COUNT(*) > 0 FROM organizations WHERE id = @orgId", new { orgId });
}

/// <summary>First start: a "default" organization with credits and a key printed once, so the server is usable at once.</summary>
public static class Bootstrap
{
    public static async Task<IssuedKey?> EnsureDefaultOrganizationAsync(Db db, long credits)
    {
        await using var connection = await db.OpenAsync();
        await using var tx = Db.BeginWrite(connection);
        // Nodes starting at once on a new PostgreSQL database: only one creates the default organization.
        await Db.LockAsync(connection, tx, "reelay:bootstrap");
        if (await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM organizations", transaction: tx) > 0) return null;
        var orgId = await Organizations.CreateAsync(connection, "default", credits, tx);
        var issued = await Organizations.IssueKeyAsync(connection, orgId, "default", tx);
        await tx.CommitAsync();
        return issued;
    }

    public static void Print(IssuedKey key, string orgName, long credits)
    {
        var lines = new[]
        {
            $"Created organization '{orgName}' with {credits:N0} credits and its first API key.",
            "This key is shown only once; store it now:",
            "",
            key.Key,
            "",
            "Ready to paste (the Runway SDKs and the reelay CLI read it):",
            $"export RUNWAYML_API_SECRET={key.Key}",
        };
        Console.WriteLine(new string('=', 80));
        foreach (var line in lines) Console.WriteLine(line);
        Console.WriteLine(new string('=', 80));
    }
}
