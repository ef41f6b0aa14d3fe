using System.Text;
using Reelay.Server.Features.Catalog;
using Reelay.Server.Features.Webhooks;
using Reelay.Server.Infrastructure;
using static Reelay.Server.Features.Portal.PortalHtml;

namespace Reelay.Server.Features.Portal;

/// <summary>
/// Webhooks for every task, in the portal: the organization's endpoints (register, test, enable/disable, delete),
/// the signing secret and the recent deliveries with "redeliver". The same store and rules as /reelay/v1/webhooks.
/// </summary>
public static class WebhookPages
{
    public static void MapWebhookPages(this RouteGroupBuilder portal)
    {
        portal.MapGet("/webhooks", (HttpContext http, Db db) => RenderAsync(http, db, null));
        portal.MapPost("/webhooks", CreateAsync);
        portal.MapPost("/webhooks/{id}/{action}", ActAsync);
        portal.MapPost("/webhook-deliveries/{id}/redeliver", async (string id, HttpContext http, Db db) =>
        {
            var session = PortalSession.From(http);
            if (session.IsOperator) return OrganizationOnly(session);
            return await WebhookDeliveries.RedeliverAsync(db, session.OrgId!, id)
                ? await RenderAsync(http, db, Notice("good", "The delivery goes out again now."))
                : NotFound(session, "This delivery");
        });
    }

    private static async Task<IResult> CreateAsync(HttpContext http, Db db, ModelCatalog catalog)
    {
        var session = PortalSession.From(http);
        if (session.IsOperator) return OrganizationOnly(session);
        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        static List<string>? List(string text) =>
            text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) is { Length: > 0 } items ? [.. items] : null;
        var events = form["events"].Where(e => !string.IsNullOrEmpty(e)).Select(e => e!).ToList();
        var body = new WebhookEndpointBody(form["url"].ToString().Trim(), events.Count > 0 ? events : null,
            List(form["models"].ToString()), List(form["endpoints"].ToString()), form["description"].ToString() is { Length: > 0 } d ? d : null, null);
        if ((body.Url!.Length == 0 ? "A URL is required." : TaskWebhookEndpoints.Problem(body, catalog)) is { } problem)
            return await RenderAsync(http, db, Notice("bad", problem), 400);
        var created = await WebhookEndpoints.CreateAsync(db, session.OrgId!,
            new WebhookEndpointFields(body.Url, body.Events ?? TaskEvents.All, body.Models, body.Endpoints, body.Description));
        return created is null
            ? await RenderAsync(http, db, Notice("bad", $"At most {WebhookEndpoints.MaxPerOrganization} endpoints."), 409)
            : SeeOther("/portal/webhooks");
    }

    private static async Task<IResult> ActAsync(string id, string action, HttpContext http, Db db)
    {
        var session = PortalSession.From(http);
        if (session.IsOperator) return OrganizationOnly(session);
        if (await WebhookEndpoints.FindAsync(db, session.OrgId!, id) is not { } endpoint) return NotFound(session, "This webhook endpoint");
        switch (action)
        {
            case "test" when endpoint.Enabled:
                await TaskEvents.EnqueueTestAsync(db, endpoint);
                return await RenderAsync(http, db, Notice("good", "A test event is on its way; see the deliveries below."));
            case "enable" or "disable":
                await WebhookEndpoints.UpdateAsync(db, session.OrgId!, id, new WebhookEndpointFields(null, null, null, null, null), action == "enable");
                return SeeOther("/portal/webhooks");
            case "delete":
                await WebhookEndpoints.DeleteAsync(db, session.OrgId!, id);
                return SeeOther("/portal/webhooks");
            default:
                return await RenderAsync(http, db, Notice("bad", "That action is not available for this endpoint."), 400);
        }
    }

    private static string Notice(string kind, string text) => $"<div class=\"notice {kind}\" role=\"status\">{E(text)}</div>";

    private static async Task<IResult> RenderAsync(HttpContext http, Db db, string? notice, int status = 200)
    {
        var session = PortalSession.From(http);
        if (session.IsOperator) return OrganizationOnly(session);
        var endpoints = await WebhookEndpoints.ListAsync(db, session.OrgId!);
        var secret = (await WebhookSecrets.ActiveAsync(db, session.OrgId!))[0].Secret;
        var sb = new StringBuilder("<h1>Webhooks</h1>").Append(notice ?? "");
        sb.Append("<p class=\"muted\">Every task event of this organization, on any surface, signed as Standard Webhooks. API: <code>/reelay/v1/webhooks</code>.</p>");
        sb.Append($"<div class=\"secret\">Signing secret: <code id=\"webhook-secret\">{E(secret)}</code><button type=\"button\" data-copy=\"webhook-secret\">Copy</button></div>");
        sb.Append("<h2>Endpoints</h2><table class=\"webhooks\"><thead><tr><th>URL</th><th>Events</th><th>Filters</th><th>State</th><th></th></tr></thead><tbody>");
        foreach (var e in endpoints)
        {
            var filters = string.Join("; ", new[] { e.Models is null ? null : "models " + e.Models, e.Endpoints is null ? null : "endpoints " + e.Endpoints }.Where(f => f is not null));
            var state = e.Enabled ? $"enabled{(e.FailureStreak > 0 ? $" ({e.FailureStreak} failures in a row)" : "")}" : "disabled: " + (e.DisabledReason ?? "");
            sb.Append($"<tr data-webhook-id=\"{E(e.Id)}\"><td><code>{E(e.Url)}</code>{(e.Description is null ? "" : $"<div class=\"muted\">{E(e.Description)}</div>")}</td>")
              .Append($"<td>{E(string.Join(", ", e.EventList))}</td><td>{E(filters.Length == 0 ? "all tasks" : filters)}</td><td class=\"webhook-state\">{E(state)}</td><td>");
            foreach (var action in e.Enabled ? new[] { "test", "disable", "delete" } : ["enable", "delete"])
                sb.Append($"<form class=\"inline\" method=\"post\" action=\"/portal/webhooks/{E(e.Id)}/{action}\"{(action == "delete" ? " data-confirm=\"Delete this endpoint?\"" : "")}>")
                  .Append(CsrfInput(session)).Append($"<button type=\"submit\" class=\"{(action == "delete" ? "danger" : "secondary")}\">{char.ToUpperInvariant(action[0])}{action[1..]}</button></form> ");
            sb.Append("</td></tr>");
        }
        sb.Append("</tbody></table>");
        sb.Append("<h2>Register an endpoint</h2><form method=\"post\" action=\"/portal/webhooks\" class=\"filters\">").Append(CsrfInput(session))
          .Append("<label>URL (https)<input type=\"text\" name=\"url\" required placeholder=\"https://example.com/hooks/reelay\"></label>");
        foreach (var type in TaskEvents.All)
            sb.Append($"<label class=\"check\"><input type=\"checkbox\" name=\"events\" value=\"{type}\" checked> {type}</label>");
        sb.Append("<label>Models (comma-separated, empty: all)<input type=\"text\" name=\"models\"></label>")
          .Append("<label>Endpoints (e.g. text_to_video)<input type=\"text\" name=\"endpoints\"></label>")
          .Append("<label>Description<input type=\"text\" name=\"description\" maxlength=\"200\"></label>")
          .Append("<button type=\"submit\">Register</button></form>");
        await RecentDeliveriesAsync(sb, db, session);
        return Page("Webhooks", sb.ToString(), session, "/portal/webhooks", status);
    }

    private static async Task RecentDeliveriesAsync(StringBuilder sb, Db db, PortalSession session)
    {
        var recent = await WebhookDeliveries.RecentAsync(db, session.OrgId!, 20);
        sb.Append("<h2>Recent deliveries</h2><table class=\"deliveries\"><thead><tr><th>Created</th><th>Event</th><th>Task</th><th>State</th><th>Last attempt</th><th></th></tr></thead><tbody>");
        foreach (var (d, attempts) in recent)
        {
            var last = attempts.LastOrDefault();
            var lastText = last is null ? "—" : $"{(last.StatusCode is { } s ? s.ToString() : "no answer")} in {last.LatencyMs} ms{(last.Error is null ? "" : ": " + last.Error)}";
            sb.Append($"<tr data-delivery-id=\"{E(d.Id)}\"><td>{E(Time(d.CreatedAt))}</td><td>{E(d.EventType ?? "callback")}</td><td><code>{E(d.TaskId)}</code></td>")
              .Append($"<td>{E(d.State)} ({d.Attempts} attempts)</td><td>{E(lastText)}</td><td>")
              .Append($"<form class=\"inline\" method=\"post\" action=\"/portal/webhook-deliveries/{E(d.Id)}/redeliver\">{CsrfInput(session)}<button type=\"submit\" class=\"secondary\">Redeliver</button></form></td></tr>");
        }
        sb.Append("</tbody></table>");
    }
}
