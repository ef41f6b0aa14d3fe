using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Reelay.Server.Infrastructure;
using Orgs = Reelay.Server.Features.Organizations.Organizations;

namespace Reelay.Server.Features.Webhooks;

public sealed class WebhookSecret
{
    public long Id { get; init; }
    public string Secret { get; init; } = "";
    public long CreatedAt { get; init; }
    public long? RetiredAt { get; init; }
}

/// <summary>
/// Per-organization signing secrets in the Standard Webhooks format ("whsec_" + base64 of 32 random bytes). The newest
/// unretired secret is current; after a rotation the previous one keeps signing until its retired_at, so receivers can
/// switch secrets without dropping a delivery.
/// </summary>
public static class WebhookSecrets
{
    public const string Prefix = "whsec_";

    /// <summary>The secrets that sign now, current first; creates the organization's first secret when it has none.</summary>
    public static async Task<IReadOnlyList<WebhookSecret>> ActiveAsync(Db db, string orgId)
    {
        await using var connection = await db.OpenAsync();
        var active = await ActiveAsync(connection, null, orgId);
        if (active.Count > 0) return active;
        // Two first requests at once must not each create a "first" secret: BEGIN IMMEDIATE on SQLite, the organization's row lock on PostgreSQL.
        await using var tx = Db.BeginWrite(connection);
        await Orgs.LockAsync(connection, tx, orgId);
        active = await ActiveAsync(connection, tx, orgId);
        if (active.Count == 0)
        {
            await InsertAsync(connection, tx, orgId);
            active = await ActiveAsync(connection, tx, orgId);
        }
        await tx.CommitAsync();
        return active;
    }

    /// <summary>A new current secret; every secret still signing now retires after <paramref name="overlap"/> (sooner if it already was going to).</summary>
    public static async Task<IReadOnlyList<WebhookSecret>> RotateAsync(Db db, string orgId, TimeSpan overlap)
    {
        await using var connection = await db.OpenAsync();
        await using var tx = Db.BeginWrite(connection);
        await Orgs.LockAsync(connection, tx, orgId); // two rotations at once still leave one current secret
        var retireAt = Clock.NowMs() + (long)overlap.TotalMilliseconds;
        await connection.ExecuteAsync(
            "UPDATE webhook_secrets SET retired_at = @retireAt WHERE org_id = @orgId AND (retired_at IS NULL OR retired_at > @retireAt)",
            new { orgId, retireAt }, tx);
        await InsertAsync(connection, tx, orgId);
        var active = await ActiveAsync(connection, tx, orgId);
        await tx.CommitAsync();
        return active;
    }

    /// <summary>Ends the overlap now: only the current secret signs from here on.</summary>
    public static async Task<IReadOnlyList<WebhookSecret>> RetirePreviousAsync(Db db, string orgId)
    {
        await using var connection = await db.OpenAsync();
        await using var tx = Db.BeginWrite(connection);
        await Orgs.LockAsync(connection, tx, orgId);
        var now = Clock.NowMs();
        await connection.ExecuteAsync(
            """
            UPDATE webhook_secrets SET retired_at = @now
            WHERE org_id = @orgId AND (retired_at IS NULL OR retired_at > @now)
              AND id <> (SELECT MAX(id) FROM webhook_secrets WHERE org_id = @orgId AND retired_at IS NULL)
            """, new { orgId, now }, tx);
        await tx.CommitAsync();
        return await ActiveAsync(db, orgId);
    }

    /// <summary>The webhook-signature value: "v1,&lt;base64 HMAC-SHA256 of id.timestamp.body&gt;" per secret, space-separated.</summary>
    public static string Sign(IEnumerable<string> secrets, string messageId, long timestamp, string body)
    {
        var signed = Encoding.UTF8.GetBytes($"{messageId}.{timestamp}.{body}");
        return string.Join(' ', secrets.Select(secret => "v1," + Convert.ToBase64String(HMACSHA256.HashData(KeyOf(secret), signed))));
    }

    /// <summary>Standard Webhooks: the HMAC key is the base64-decoded part after "whsec_", not the text of the secret.</summary>
    public static byte[] KeyOf(string secret) =>
        Convert.FromBase64String(secret.StartsWith(Prefix, StringComparison.Ordinal) ? secret[Prefix.Length..] : secret);

    public static string NewSecret() => Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private static async Task<IReadOnlyList<WebhookSecret>> ActiveAsync(DbConnection connection, DbTransaction? tx, string orgId) =>
        [.. await connection.QueryAsync<WebhookSecret>(
            """
            SELECT id AS Id, secret AS Secret, created_at AS CreatedAt, retired_at AS RetiredAt
            FROM webhook_secrets WHERE org_id = @orgId AND (retired_at IS NULL OR retired_at > @now)
            ORDER BY (retired_at IS NULL) DESC, id DESC
            """, new { orgId, now = Clock.NowMs() }, tx)];

    private static Task InsertAsync(DbConnection connection, DbTransaction tx, string orgId) =>
        connection.ExecuteAsync("INSERT INTO webhook_secrets (org_id, secret, created_at) VALUES (@orgId, @secret, @now)",
            new { orgId, secret = NewSecret(), now = Clock.NowMs() }, tx);
}
