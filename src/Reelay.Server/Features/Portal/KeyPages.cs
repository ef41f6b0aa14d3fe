using System.Text;
using Dapper;
using Orgs = Reelay.Server.Features.Organizations.Organizations;
using Reelay.Server.Features.Auth;
using Reelay.Server.Infrastructure;
using static Reelay.Server.Features.Portal.PortalHtml;

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
        var shown =
            $"""
            <div class="notice good new-key"><p><strong>New key “{E(issued.Name)}”.</strong> Copy it now: it is shown only this once and only its hash is stored.</p>
            <div class="secret"><code id="new-key-secret">{E(issued.Key)}</code><button type="button" data-copy="new-key-secret">Copy</button></div></div>
            """;
        return await RenderAsync(http, db, shown);
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
        keys.Clear(); // at once on this node, within KeyCache.Lifetime on the others
        return SeeOther("/portal/keys");
    }

    private static async Task<IResult> RenderAsync(HttpContext http, Db db, string? notice)
    {
        var session = PortalSession.From(http);
        if (session.IsOperator) return OrganizationOnly(session);
        await using var connection = await db.OpenAsync();
        var keys = await connection.QueryAsync<KeyRow>(
            "SELECT id AS Id, name AS Name, prefix AS Prefix, created_at AS CreatedAt, disabled_at AS DisabledAt FROM api_keys WHERE org_id = @orgid ORDER BY created_at DESC",
            new { orgid = session.OrgId });
        var sb = new StringBuilder("<h1>API keys</h1>").Append(notice ?? "");
        sb.Append("<form method=\"post\" action=\"/portal/keys\" class=\"filters\">").Append(CsrfInput(session))
          .Append($"<label>Name<input type=\"text\" name=\"name\" maxlength=\"{MaxNameLength}\" placeholder=\"e.g. production\" required></label>")
          .Append("<button type=\"submit\">Create key</button></form>");
        sb.Append("<table class=\"keys\"><thead><tr><th>Name</th><th>Key</th><th>Created</th><th>State</th><th></th></tr></thead><tbody>");
        foreach (var key in keys)
        {
            var current = key.Id == session.KeyId;
            sb.Append($"<tr data-key-id=\"{E(key.Id)}\"><td>{E(key.Name)}</td><td><code>{E(key.Prefix)}…</code>{(current ? " <span class=\"muted\">(this session)</span>" : "")}</td>")
              .Append($"<td>{E(Time(key.CreatedAt))}</td><td class=\"key-state\">{(key.DisabledAt is { } d ? "disabled " + E(Time(d)) : "active")}</td><td>");
            if (key.DisabledAt is null)
                sb.Append($"<form class=\"inline\" method=\"post\" action=\"/portal/keys/{E(key.Id)}/disable\" data-confirm=\"{(current ? "This is the key you signed in with: disabling it signs you out. " : "")}Disable this key? It cannot be enabled again.\">")
                  .Append(CsrfInput(session)).Append("<button type=\"submit\" class=\"danger\">Disable</button></form>");
            sb.Append("</td></tr>");
        }
        sb.Append("</tbody></table>");
        return Page("API keys", sb.ToString(), session, "/portal/keys");
    }

    private sealed class KeyRow
    {
        public string Id { get; init; } = "";
        public string Name { get; init; } = "";
        public string Prefix { get; init; } = "";
        public long CreatedAt { get; init; }
        public long? DisabledAt { get; init; }
    }
}
