using Dapper;
using Reelay.Server.Features.Auth;
using Reelay.Server.Features.Credits;
using Reelay.Server.Features.Organizations;
using Reelay.Server.Features.Portal.Pages;
using Reelay.Server.Infrastructure;
using Orgs = Reelay.Server.Features.Organizations.Organizations;
using static Reelay.Server.Features.Portal.PortalView;

namespace Reelay.Server.Features.Portal;

/// <summary>
/// The operator's organizations: list, create, and per organization its keys (create, disable) and credits (grant or
/// deduct) — through the same Organizations and Ledger calls as the admin API.
/// </summary>
public static class OrganizationPages
{
    public const int MaxNameLength = Orgs.MaxNameLength;

    public sealed class OrgRow
    {
        public string Id { get; init; } = "";
        public string Name { get; init; } = "";
        public long Suspended { get; init; }
        public long CreatedAt { get; init; }
        public long Balance { get; init; }
        public long ActiveKeys { get; init; }
        public long? LastRequestAt { get; init; }
    }

    public static void MapOrganizationPages(this RouteGroupBuilder portal)
    {
        var operatorOnly = portal.MapGroup("/organizations").AddEndpointFilter(async (context, next) =>
        {
            var session = PortalSession.From(context.HttpContext);
            return session.IsOperator ? await next(context) : OperatorOnly(session);
        });
        operatorOnly.MapGet("", ListAsync);
        operatorOnly.MapPost("", CreateAsync);
        operatorOnly.MapGet("/{id}", (string id, HttpContext http, Db db) => DetailAsync(id, http, db, null, null));
        operatorOnly.MapPost("/{id}/keys", CreateKeyAsync);
        operatorOnly.MapPost("/{id}/keys/{keyId}/disable", DisableKeyAsync);
        operatorOnly.MapPost("/{id}/credits", GrantAsync);
    }

    private const string OrgColumns =
        """
        o.id AS Id, o.name AS Name, o.suspended AS Suspended, o.created_at AS CreatedAt, COALESCE(b.balance, 0) AS Balance,
        (SELECT COUNT(*) FROM api_keys k WHERE k.org_id = o.id AND k.disabled_at IS NULL) AS ActiveKeys,
        (SELECT MAX(r.at) FROM request_log r WHERE r.org_id = o.id) AS LastRequestAt
        FROM organizations o LEFT JOIN org_balances b ON b.org_id = o.id
        """;

    private static async Task<IResult> ListAsync(HttpContext http, Db db)
    {
        await using var connection = await db.OpenAsync();
        var rows = (await connection.QueryAsync<OrgRow>($"SELECT {OrgColumns} ORDER BY o.name, o.id")).ToList();
        return Page<OrganizationList>(new { Session = PortalSession.From(http), Rows = rows, Problem = (string?)null });
    }

    private static async Task<IResult> CreateAsync(HttpContext http, Db db)
    {
        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var name = form["name"].ToString().Trim();
        var creditsText = form["credits"].ToString().Trim();
        long credits = 0;
        string? problem = name.Length is 0 or > MaxNameLength ? $"A name of 1 to {MaxNameLength} characters is required."
            : creditsText.Length > 0 && (!long.TryParse(creditsText, out credits) || credits < 0) ? "Initial credits must be a whole number, 0 or more." : null;
        await using var connection = await db.OpenAsync();
        if (problem is not null)
        {
            var rows = (await connection.QueryAsync<OrgRow>($"SELECT {OrgColumns} ORDER BY o.name, o.id")).ToList();
            return Page<OrganizationList>(new { Session = PortalSession.From(http), Rows = rows, Problem = problem }, 400);
        }
        var id = await Orgs.CreateAsync(connection, name, credits);
        return SeeOther("/portal/organizations/" + id + "?created=1");
    }

    private static async Task<IResult> DetailAsync(string id, HttpContext http, Db db, IssuedKey? issued, string? problem, int status = 200)
    {
        var session = PortalSession.From(http);
        await using var connection = await db.OpenAsync();
        var org = await connection.QuerySingleOrDefaultAsync<OrgRow>($"SELECT {OrgColumns} WHERE o.id = @id", new { id });
        if (org is null) return Page<Message>(new { Title = "Not found", Text = "This organization does not exist.", Session = session }, 404);
        var keys = (await KeyPages.KeysAsync(connection, id)).ToList();
        var notice = http.Request.Query["created"] == "1" ? "Organization created. Create its first key below."
            : long.TryParse(http.Request.Query["granted"], out var granted) ? $"{(granted > 0 ? "Granted" : "Deducted")} {PortalFormat.Credits(Math.Abs(granted))} credits." : null;
        return Page<OrganizationDetail>(new { Session = session, Org = org, KeyRows = keys, Issued = issued, Problem = problem, Notice = notice }, status);
    }

    private static async Task<IResult> CreateKeyAsync(string id, HttpContext http, Db db)
    {
        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var name = form["name"].ToString().Trim();
        if (name.Length == 0) name = "unnamed";
        if (name.Length > KeyPages.MaxNameLength) name = name[..KeyPages.MaxNameLength];
        await using var connection = await db.OpenAsync();
        if (!await Orgs.ExistsAsync(connection, id)) return await DetailAsync(id, http, db, null, null);
        var issued = await Orgs.IssueKeyAsync(connection, id, name);
        // Rendered directly, never redirected: the only answer that holds the secret (no-store).
        return await DetailAsync(id, http, db, issued, null);
    }

    private static async Task<IResult> DisableKeyAsync(string id, string keyId, HttpContext http, Db db, KeyCache keys)
    {
        await using var connection = await db.OpenAsync();
        await connection.ExecuteAsync("UPDATE api_keys SET disabled_at = COALESCE(disabled_at, @now) WHERE id = @keyId AND org_id = @id",
            new { id, keyId, now = Clock.NowMs() });
        await keys.ChangedAsync(connection); // as the admin API: at once on this node, on the others when they hear it
        return SeeOther("/portal/organizations/" + id);
    }

    private static async Task<IResult> GrantAsync(string id, HttpContext http, Db db)
    {
        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var reason = form["reason"].ToString().Trim();
        if (!long.TryParse(form["credits"].ToString().Trim(), out var credits) || credits == 0)
            return await DetailAsync(id, http, db, null, "Credits must be a non-zero whole number (negative to deduct).", 400);
        await using var connection = await db.OpenAsync();
        if (!await Orgs.ExistsAsync(connection, id)) return await DetailAsync(id, http, db, null, null);
        await Ledger.GrantAsync(connection, id, credits, reason.Length == 0 ? "admin grant" : reason[..Math.Min(reason.Length, 200)]);
        return SeeOther($"/portal/organizations/{id}?granted={credits}");
    }
}
