using System.Security.Cryptography;
using System.Text;
using Dapper;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Portal;

/// <summary>A signed-in portal user: an organization (through one of its keys) or the operator (Admin:Token).</summary>
public sealed record PortalSession(string? OrgId, string? OrgName, string? KeyId, string? KeyPrefix, bool IsOperator, string CsrfToken)
{
    private const string ItemKey = "reelay.portal.session";

    public static PortalSession From(HttpContext http) =>
        http.Items[ItemKey] as PortalSession ?? throw new InvalidOperationException("No portal session on this request.");

    public static void Set(HttpContext http, PortalSession session) => http.Items[ItemKey] = session;
}

/// <summary>
/// Portal sign-in state. The cookie holds 256 random bits; the database holds only their SHA-256, so a
/// copy of the database does not sign anyone in. The API key itself is checked once and never kept.
/// </summary>
public static class PortalSessions
{
    public const string CookieName = "reelay_portal";
    /// <summary>Double-submit token of the sign-in form, which has no session yet (stops login CSRF).</summary>
    public const string SignInCookieName = "reelay_portal_signin";
    public const string CsrfField = "_csrf";
    public const string CookiePath = "/portal";

    public static string NewToken() => Base64Url(RandomNumberGenerator.GetBytes(32));

    public static byte[] Hash(string value) => SHA256.HashData(Encoding.UTF8.GetBytes(value));

    /// <summary>HttpOnly always; Secure when the portal is reached over HTTPS (directly or per Server:PublicBaseUrl); SameSite=Strict.</summary>
    public static CookieOptions CookieOptionsFor(bool secure, DateTimeOffset? expires) => new()
    {
        HttpOnly = true,
        Secure = secure,
        SameSite = SameSiteMode.Strict,
        Path = CookiePath,
        Expires = expires,
        IsEssential = true,
    };

    public static bool IsSecure(HttpContext http, ReelayOptions options) =>
        http.Request.IsHttps || (options.PublicBaseUrl?.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ?? false);

    /// <summary>Constant-time comparison of a submitted token with the expected one; empty never matches.</summary>
    public static bool TokensMatch(string? expected, string? submitted) =>
        !string.IsNullOrEmpty(expected) && !string.IsNullOrEmpty(submitted)
        && CryptographicOperations.FixedTimeEquals(Hash(expected), Hash(submitted));

    public static async Task<string> CreateAsync(Db db, string? orgId, string? keyId, string? operatorToken, TimeSpan lifetime)
    {
        var id = NewToken();
        var now = Clock.NowMs();
        await using var connection = await db.OpenAsync();
        await connection.ExecuteAsync("DELETE FROM portal_sessions WHERE expires_at < @now", new { now });
        await connection.ExecuteAsync(
            """
            INSERT INTO portal_sessions (id_hash, org_id, key_id, operator_token_hash, csrf_token, created_at, expires_at)
            VALUES (@idhash, @orgid, @keyid, @operatorhash, @csrf, @now, @expires)
            """,
            new
            {
                idhash = Hash(id), orgid = orgId, keyid = keyId, operatorhash = operatorToken is null ? null : Hash(operatorToken),
                csrf = NewToken(), now, expires = now + (long)lifetime.TotalMilliseconds,
            });
        return id;
    }

    /// <summary>
    /// The session behind a cookie, re-checked on every request: a disabled key, a suspended organization
    /// or a changed admin token ends it at once.
    /// </summary>
    public static async Task<PortalSession?> FindAsync(Db db, string? cookie, string? adminToken)
    {
        if (string.IsNullOrEmpty(cookie) || cookie.Length > 100) return null;
        await using var connection = await db.OpenAsync();
        var row = await connection.QuerySingleOrDefaultAsync<SessionRow>(
            """
            SELECT s.org_id AS OrgId, s.key_id AS KeyId, s.operator_token_hash AS OperatorTokenHash, s.csrf_token AS CsrfToken,
                   s.expires_at AS ExpiresAt, o.name AS OrgName, o.suspended AS Suspended, k.prefix AS KeyPrefix, k.disabled_at AS DisabledAt
            FROM portal_sessions s
            LEFT JOIN organizations o ON o.id = s.org_id
            LEFT JOIN api_keys k ON k.id = s.key_id AND k.org_id = s.org_id
            WHERE s.id_hash = @idhash
            """, new { idhash = Hash(cookie) });
        if (row is null || row.ExpiresAt < Clock.NowMs()) return null;
        if (row.OperatorTokenHash is not null)
        {
            var valid = adminToken is not null && CryptographicOperations.FixedTimeEquals(row.OperatorTokenHash, Hash(adminToken));
            return valid ? new PortalSession(null, null, null, null, true, row.CsrfToken) : null;
        }
        if (row.OrgId is null || row.KeyPrefix is null || row.DisabledAt is not null || row.Suspended is not (null or 0)) return null;
        return new PortalSession(row.OrgId, row.OrgName, row.KeyId, row.KeyPrefix, false, row.CsrfToken);
    }

    public static async Task DeleteAsync(Db db, string? cookie)
    {
        if (string.IsNullOrEmpty(cookie)) return;
        await using var connection = await db.OpenAsync();
        await connection.ExecuteAsync("DELETE FROM portal_sessions WHERE id_hash = @idhash", new { idhash = Hash(cookie) });
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private sealed class SessionRow
    {
        public string? OrgId { get; init; }
        public string? KeyId { get; init; }
        public byte[]? OperatorTokenHash { get; init; }
        public string CsrfToken { get; init; } = "";
        public long ExpiresAt { get; init; }
        public string? OrgName { get; init; }
        public long? Suspended { get; init; }
        public string? KeyPrefix { get; init; }
        public long? DisabledAt { get; init; }
    }
}
