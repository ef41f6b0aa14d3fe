using System.Globalization;
using System.Net;
using System.Text;

namespace Reelay.Server.Features.Portal;

/// <summary>The page shell and small HTML helpers. Everything that came from a user or a request goes through E().</summary>
public static class PortalHtml
{
    public const string ContentType = "text/html; charset=utf-8";

    /// <summary>HTML-encodes text for element content and quoted attribute values alike.</summary>
    public static string E(string? value) => WebUtility.HtmlEncode(value ?? "");

    /// <summary>A query-string value, encoded for the URL and then for the attribute it goes in.</summary>
    public static string Q(string? value) => Uri.EscapeDataString(value ?? "");

    public static string Time(long unixMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";

    public static string Number(double value) => value.ToString("#,0.##", CultureInfo.InvariantCulture);

    public static string CsrfInput(PortalSession session) =>
        $"<input type=\"hidden\" name=\"{PortalSessions.CsrfField}\" value=\"{E(session.CsrfToken)}\">";

    public static string StatusClass(long status) => status switch
    {
        >= 500 => "status s5",
        >= 400 => "status s4",
        >= 300 => "status s3",
        _ => "status s2",
    };

    public static IResult Page(string title, string body, PortalSession? session, string active = "", int status = 200, string? head = null) =>
        Results.Content(Render(title, body, session, active, head), ContentType, Encoding.UTF8, status);

    public static string Render(string title, string body, PortalSession? session, string active, string? head = null)
    {
        var sb = new StringBuilder();
        sb.Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">")
          .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
          .Append("<link rel=\"icon\" href=\"data:,\"><link rel=\"stylesheet\" href=\"/portal/assets/portal.css\">")
          .Append("<script src=\"/portal/assets/portal.js\" defer></script>")
          .Append(head ?? "")
          .Append($"<title>{E(title)} · Reelay portal</title></head><body><header><a class=\"brand\" href=\"/portal\">Reelay</a>");
        if (session is not null)
        {
            sb.Append("<nav>");
            foreach (var (href, label, orgOnly) in Nav)
                if (!orgOnly || !session.IsOperator)
                    sb.Append($"<a href=\"{href}\"{(href == active ? " aria-current=\"page\"" : "")}>{label}</a>");
            sb.Append("</nav><div class=\"who\">")
              .Append(session.IsOperator ? "Operator · all organizations" : $"{E(session.OrgName)} · key {E(session.KeyPrefix)}…")
              .Append($"<form method=\"post\" action=\"/portal/sign-out\">{CsrfInput(session)}<button type=\"submit\" class=\"link\">Sign out</button></form></div>");
        }
        sb.Append("</header><main>").Append(body).Append("</main></body></html>");
        return sb.ToString();
    }

    private static readonly (string Href, string Label, bool OrgOnly)[] Nav =
    [
        ("/portal/history", "Request history", false),
        ("/portal/tasks", "Tasks", true),
        ("/portal/keys", "API keys", true),
        ("/portal/usage", "Usage and balance", true),
        ("/portal/assets", "Asset checker", true),
        ("/portal/webhooks", "Webhooks", true),
        ("/portal/operator", "Dashboard", false),
    ];

    /// <summary>A whole error page, without a session: the error handler's, and the answer to a form that cannot be read.</summary>
    public static string ErrorPage(int status, string message)
    {
        var title = status switch
        {
            400 => "Bad request",
            404 => "Not found",
            405 => "Method not allowed",
            413 => "Request too large",
            >= 500 => "Server error",
            _ => $"Error {status}",
        };
        return Render(title, $"<h1>{E(title)}</h1><p>{E(message)}</p>", null, "");
    }

    public static IResult NotFound(PortalSession session, string what) =>
        Page("Not found", $"<h1>Not found</h1><p>{E(what)} does not exist in this organization.</p>", session, status: 404);

    public static IResult OrganizationOnly(PortalSession session) =>
        Page("Organizations only", "<h1>For organizations</h1><p>This page belongs to an organization; sign in with one of its API keys. The operator sees the request history of every organization.</p>",
            session, status: 403);

    /// <summary>A 303 so the browser follows a form post with a GET (reloading then does not post again).</summary>
    public static IResult SeeOther(string location) => new SeeOtherResult(location);

    private sealed class SeeOtherResult(string location) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status303SeeOther;
            httpContext.Response.Headers.Location = location;
            return Task.CompletedTask;
        }
    }
}
