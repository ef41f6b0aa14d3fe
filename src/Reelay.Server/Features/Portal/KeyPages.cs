using Dapper;
using Orgs = Reelay.Server.Features.Organizations.Organizations;
using Reelay.Server.Features.Auth;
using Reelay.Server.Features.Organizations;
using Reelay.Server.Infrastructure;
using Reelay.Server.Features.Portal.Pages;
using static Reelay.Server.Features.Portal.PortalView;

namespace Reelay.Server.Features.Portal;

/// <summary>API keys: list, create (the secret is shown once, in the answer to the form), disable.</summary>
public static class KeyPages
{
    public const int MaxNameLength = 100;

    public static void MapKeyPages(this RouteGroupBuilder portal)
    {
        portal.MapGet("/keys", async (HttpContext http, Db db) => await RenderAsync(http, db, null));
        portal.MapPost("/keys", CreateAsync);
        portal.MapPost("/keys/{id}/disable", DisableAsync);
    }

    private static async Task<IResult> CreateAsync(HttpContext http, Db db)
    {
        var session = PortalSession.From(http);
        if (session.IsOperator) return OrganizationOnly(session);
        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var name = form["name"].ToString().Trim();
        if (name.Length == 0) name = "portal key";
        if (name.Length > MaxNameLength) name = name[..MaxNameLength];
        await using var connection = await db.OpenAsync();
        var issued = await Orgs.IssueKeyAsync(connection, session.OrgId!, name);
        // Rendered directly (no redirect): the only response that ever contains the secret, and it is not cached (no-store).
        return await RenderAsync(http, db, issued);
    }

    private static async Task<IResult> DisableAsync(string id, HttpContext http, Db db, KeyCache keys)
    {
        var session = PortalSession.From(http);
        if (session.IsOperator) return OrganizationOnly(session);
        await using var connection = await db.OpenAsync();
        // The organization is part of the statement: a key id from another organization matches nothing.
        var exists = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM api_keys WHERE id = @id AND org_id = @orgid", new { id, orgid = session.OrgId });
        if (exists == 0) return NotFound(session, "This key");
        await connection.ExecuteAsync("UPDATE api_keys SET disabled_at = @now WHERE id = @id AND org_id = @orgid AND disabled_at IS NULL",
            new { id, orgid = session.OrgId, now = Clock.NowMs() });
        await keys.ChangedAsync(connection); // at once on this node, on the others when they hear it (KeyCache)
        return SeeOther("/portal/keys");
    }

    private static async Task<IResult> RenderAsync(HttpContext http, Db db, IssuedKey? issued)
    {
        var session = PortalSession.From(http);
        if (session.IsOperator) return OrganizationOnly(session);
        await using var connection = await db.OpenAsync();
        var keys = (await KeysAsync(connection, session.OrgId!)).ToList();
        return Page<Keys>(new { Session = session, KeyRows = keys, Issued = issued });
    }

    /// <summary>An organization's keys, newest first, with when each was last used (from the request log's key index).</summary>
    public static Task<IEnumerable<KeyRow>> KeysAsync(System.Data.Common.DbConnection connection, string orgId) =>
        connection.QueryAsync<KeyRow>(
            """
            SELECT k.id AS Id, k.name AS Name, k.prefix AS Prefix, k.created_at AS CreatedAt, k.disabled_at AS DisabledAt,
                   (SELECT MAX(r.at) FROM request_log r WHERE r.org_id = k.org_id AND r.key_id = k.id) AS LastUsedAt
            FROM api_keys k WHERE k.org_id = @orgid ORDER BY k.created_at DESC
            """, new { orgid = orgId });

    public sealed class KeyRow
    {
        public long? LastUsedAt { get; init; }
        public string Id { get; init; } = "";
        public string Name { get; init; } = "";
        public string Prefix { get; init; } = "";
        public long CreatedAt { get; init; }
        public long? DisabledAt { get; init; }
    }
}
