using Reelay.Server.Features.Catalog;
using Reelay.Server.Features.Webhooks;
using Reelay.Server.Infrastructure;
using Reelay.Server.Features.Portal.Pages;
using static Reelay.Server.Features.Portal.PortalView;

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

    private static (string Text, bool Good) Notice(string kind, string text) => (text, kind == "good");

    private static async Task<IResult> RenderAsync(HttpContext http, Db db, (string Text, bool Good)? notice, int status = 200)
    {
        var session = PortalSession.From(http);
        if (session.IsOperator) return OrganizationOnly(session);
        var endpoints = await WebhookEndpoints.ListAsync(db, session.OrgId!);
        var secret = (await WebhookSecrets.ActiveAsync(db, session.OrgId!))[0].Secret;
        var deliveries = await WebhookDeliveries.RecentAsync(db, session.OrgId!, 20);
        return Page<Pages.Webhooks>(new Dictionary<string, object?>
        {
            ["Session"] = session, ["Endpoints"] = endpoints, ["Deliveries"] = deliveries, ["Secret"] = secret,
            ["Notice"] = notice?.Text, ["NoticeGood"] = notice?.Good ?? false,
        }, status);
    }
}
