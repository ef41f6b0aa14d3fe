using System.Security.Cryptography;
using Dapper;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Auth;

/// <summary>The authenticated organization and key of a request.</summary>
public sealed record Caller(string OrgId, string KeyId, string KeyPrefix)
{
    private const string ItemKey = "reelay.caller";

    public static Caller From(HttpContext context) =>
        context.Items[ItemKey] as Caller ?? throw new InvalidOperationException("No authenticated caller on this request.");

    /// <summary>The caller when the request was authenticated, else null (the request log records both).</summary>
    public static Caller? Find(HttpContext context) => context.Items.TryGetValue(ItemKey, out var value) ? value as Caller : null;

    public static void Set(HttpContext context, Caller caller)
    {
        context.Items[ItemKey] = caller;
        ErrorResponses.AddLogField(context, "OrganizationId", caller.OrgId);
        System.Diagnostics.Activity.Current?.SetTag(Telemetry.ReelayTracing.OrgIdTag, caller.OrgId);
    }

    /// <summary>An API request: the key's state may come from the <see cref="KeyCache"/> (its documented bound applies).</summary>
    public static Task<(Caller? Caller, AuthFailure? Failure)> AuthenticateAsync(HttpContext http) =>
        AuthenticateAsync(http.RequestServices.GetRequiredService<Db>(), http.Request.Headers.Authorization, http.RequestServices.GetRequiredService<KeyCache>());

    /// <summary>Looks the key up by its hash (in the cache when one is given) and checks key and organization state.</summary>
    public static async Task<(Caller? Caller, AuthFailure? Failure)> AuthenticateAsync(Db db, string? authorizationHeader, KeyCache? cache = null)
    {
        var (key, failure) = ApiKeys.ParseAuthorization(authorizationHeader);
        if (key is null) return (null, failure);
        var hash = ApiKeys.Hash(key);
        var hashHex = Convert.ToHexString(hash);
        if (cache is null || !cache.TryGet(hashHex, out var state))
        {
            var generation = cache?.Generation ?? 0;
            state = await LookUpAsync(db, hash);
            if (state is null) return (null, AuthFailure.UnknownKey);
            cache?.Put(hashHex, state, generation);
        }
        if (state.Disabled) return (null, AuthFailure.DisabledKey);
        if (state.Suspended) return (null, AuthFailure.SuspendedOrganization);
        return (new Caller(state.OrgId, state.KeyId, state.Prefix), null);
    }

    private static async Task<KeyCache.KeyState?> LookUpAsync(Db db, byte[] hash)
    {
        await using var connection = await db.OpenAsync();
        var row = await connection.QuerySingleOrDefaultAsync<KeyRow>(
            """
            SELECT k.id AS Id, k.org_id AS OrgId, k.prefix AS Prefix, k.key_hash AS KeyHash,
                   k.disabled_at AS DisabledAt, o.suspended AS Suspended
            FROM api_keys k JOIN organizations o ON o.id = k.org_id
            WHERE k.key_hash = @hash
            """, new { hash });
        // The index finds the row; the constant-time comparison keeps the final decision free of timing leaks.
        if (row is null || !CryptographicOperations.FixedTimeEquals(row.KeyHash, hash)) return null;
        return new KeyCache.KeyState(row.Id, row.OrgId, row.Prefix, row.DisabledAt is not null, row.Suspended != 0);
    }

    private sealed class KeyRow
    {
        public string Id { get; init; } = "";
        public string OrgId { get; init; } = "";
        public string Prefix { get; init; } = "";
        public byte[] KeyHash { get; init; } = [];
        public long? DisabledAt { get; init; }
        public long Suspended { get; init; }
    }
}
