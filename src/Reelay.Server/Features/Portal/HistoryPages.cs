using System.Globalization;
using System.Text;
using Dapper;
using Reelay.Server.Features.RequestLog;
using Reelay.Server.Infrastructure;
using static Reelay.Server.Features.Portal.PortalHtml;

namespace Reelay.Server.Features.Portal;

/// <summary>Request History: the request log, newest first, with filters, keyset pages and a detail view.</summary>
public static class HistoryPages
{
    public const int PageSize = 50;

    public static void MapHistoryPages(this RouteGroupBuilder portal)
    {
        portal.MapGet("/history", ListAsync);
        portal.MapGet("/history/{id:long}", DetailAsync);
    }

    /// <summary>The query string of the list page, parsed; also what the "older" link carries on.</summary>
    public sealed record HistoryForm(bool Errors, string? Endpoint, string? Key, string? From, string? To, string? Org)
    {
        public static HistoryForm Read(HttpRequest request) => new(
            request.Query["errors"] == "1",
            Blank(request.Query["endpoint"]), Blank(request.Query["key"]), Blank(request.Query["from"]), Blank(request.Query["to"]), Blank(request.Query["org"]));

        public string QueryString()
        {
            var parts = new List<string>();
            if (Errors) parts.Add("errors=1");
            void Add(string name, string? value) { if (value is not null) parts.Add(name + "=" + Q(value)); }
            Add("endpoint", Endpoint); Add("key", Key); Add("from", From); Add("to", To); Add("org", Org);
            return string.Join("&", parts);
        }

        private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    /// <summary>The filter for a session (pure): an organization sees its own rows only; the operator may narrow to one organization.</summary>
    public static HistoryFilter ToFilter(HistoryForm form, PortalSession session, HistoryCursor? before) => new()
    {
        OrgId = session.IsOperator ? form.Org : session.OrgId,
        AllOrganizations = session.IsOperator,
        ErrorsOnly = form.Errors,
        Endpoint = form.Endpoint,
        KeyId = form.Key,
        FromMs = ParseUtc(form.From),
        // "to" names a minute (datetime-local); the whole minute is included.
        ToMs = ParseUtc(form.To) is { } to ? to + 59_999 : null,
        Before = before,
        Limit = PageSize,
    };

    /// <summary>A datetime-local value ("2026-01-31T14:05"), read as UTC.</summary>
    public static long? ParseUtc(string? value) =>
        DateTime.TryParseExact(value, ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd"], CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var parsed)
            ? new DateTimeOffset(parsed, TimeSpan.Zero).ToUnixTimeMilliseconds() : null;

    private static async Task<IResult> ListAsync(HttpContext http, Db db, EndpointDataSource endpoints)
    {
        var session = PortalSession.From(http);
        var form = HistoryForm.Read(http.Request);
        var before = HistoryCursor.Parse(http.Request.Query["before"]);
        await using var connection = await db.OpenAsync();
        var page = await HistoryQuery.PageAsync(connection, ToFilter(form, session, before));
        var keys = session.IsOperator ? [] : (await connection.QueryAsync<(string Id, string Prefix, string Name)>(
            "SELECT id, prefix, name FROM api_keys WHERE org_id = @orgid ORDER BY created_at", new { orgid = session.OrgId })).ToList();

        var sb = new StringBuilder("<h1>Request history</h1>");
        sb.Append("<form class=\"filters\" method=\"get\" action=\"/portal/history\">")
          .Append($"<label class=\"check\"><input type=\"checkbox\" name=\"errors\" value=\"1\"{(form.Errors ? " checked" : "")}> Errors only (4xx, 5xx)</label>")
          .Append("<label>Endpoint<select name=\"endpoint\"><option value=\"\">All endpoints</option>");
        // An organization's history never has operator calls in it; offering them would only confuse.
        foreach (var endpoint in ApiEndpoints(endpoints).Where(e => session.IsOperator || !e.Contains(" /admin/", StringComparison.Ordinal)))
            sb.Append($"<option{(endpoint == form.Endpoint ? " selected" : "")}>{E(endpoint)}</option>");
        sb.Append("</select></label>");
        if (session.IsOperator)
            sb.Append($"<label>Organization id<input type=\"text\" name=\"org\" value=\"{E(form.Org)}\" placeholder=\"all\"></label>")
              .Append($"<label>Key id<input type=\"text\" name=\"key\" value=\"{E(form.Key)}\" placeholder=\"all\"></label>");
        else
        {
            sb.Append("<label>Key<select name=\"key\"><option value=\"\">All keys</option>");
            foreach (var key in keys)
                sb.Append($"<option value=\"{E(key.Id)}\"{(key.Id == form.Key ? " selected" : "")}>{E(key.Prefix)}… {E(key.Name)}</option>");
            sb.Append("</select></label>");
        }
        sb.Append($"<label>From (UTC)<input type=\"datetime-local\" name=\"from\" value=\"{E(form.From)}\"></label>")
          .Append($"<label>To (UTC)<input type=\"datetime-local\" name=\"to\" value=\"{E(form.To)}\"></label>")
          .Append("<button type=\"submit\">Apply</button> <a href=\"/portal/history\">Clear</a></form>");

        if (page.Rows.Count == 0) sb.Append("<p class=\"notice\">No requests match.</p>");
        else
        {
            sb.Append("<table class=\"history\"><thead><tr><th>Time</th>")
              .Append(session.IsOperator ? "<th>Organization</th>" : "")
              .Append("<th>Key</th><th>Request</th><th>Status</th><th class=\"num\">Latency</th><th>Request id</th></tr></thead><tbody>");
            foreach (var row in page.Rows)
            {
                sb.Append($"<tr data-status=\"{row.Status}\"><td><a href=\"/portal/history/{row.Id}\">{E(Time(row.At))}</a></td>")
                  .Append(session.IsOperator ? $"<td><code>{E(row.OrgId ?? "—")}</code></td>" : "")
                  .Append($"<td><code>{E(row.KeyPrefix ?? "—")}</code></td>")
                  .Append($"<td><a href=\"/portal/history/{row.Id}\"><code>{E(row.Method)} {E(row.Path)}</code></a></td>")
                  .Append($"<td><span class=\"{StatusClass(row.Status)}\">{row.Status}</span></td>")
                  .Append($"<td class=\"num\">{Number(row.LatencyMs)} ms</td><td><code>{E(row.RequestId)}</code></td></tr>");
            }
            sb.Append("</tbody></table>");
        }
        var query = form.QueryString();
        sb.Append("<div class=\"pager\">");
        if (before is not null) sb.Append($"<a href=\"/portal/history{(query.Length > 0 ? "?" + E(query) : "")}\">← Newest</a>");
        if (page.Next is { } next) sb.Append($"<a rel=\"next\" href=\"/portal/history?{E(query + (query.Length > 0 ? "&" : "") + "before=" + next)}\">Older →</a>");
        sb.Append("</div>");
        return Page("Request history", sb.ToString(), session, "/portal/history");
    }

    private static async Task<IResult> DetailAsync(long id, HttpContext http, Db db)
    {
        var session = PortalSession.From(http);
        await using var connection = await db.OpenAsync();
        var row = await HistoryQuery.FindAsync(connection, id, session.IsOperator ? null : session.OrgId);
        if (row is null) return NotFound(session, "This request");
        var sb = new StringBuilder($"<h1><code>{E(row.Method)} {E(row.Path)}</code> <span class=\"{StatusClass(row.Status)}\">{row.Status}</span></h1>");
        sb.Append("<dl class=\"facts\">")
          .Append($"<dt>Time</dt><dd>{E(Time(row.At))}</dd>")
          .Append($"<dt>Request id</dt><dd><code>{E(row.RequestId)}</code></dd>")
          .Append($"<dt>Endpoint</dt><dd><code>{E(row.Endpoint)}</code></dd>")
          .Append(row.Query is null ? "" : $"<dt>Query</dt><dd><code>{E(row.Query)}</code></dd>")
          .Append($"<dt>Key</dt><dd><code>{E(row.KeyPrefix ?? "— (not authenticated)")}</code></dd>")
          .Append(session.IsOperator ? $"<dt>Organization</dt><dd><code>{E(row.OrgId ?? "—")}</code></dd>" : "")
          .Append($"<dt>Latency</dt><dd>{Number(row.LatencyMs)} ms</dd></dl>");
        sb.Append("<h2>Request</h2>")
          .Append($"<p class=\"muted\">{E(row.RequestType ?? "no content type")} · {row.RequestBytes:N0} bytes. Large values (data URIs, base64) are stored as their media type, size and SHA-256 only.</p>")
          .Append(row.RequestBody is null ? "<p class=\"muted\">No body.</p>" : $"<pre class=\"request-body\">{E(ErrorBodyView.Pretty(row.RequestBody))}</pre>");
        sb.Append("<h2>Response</h2>");
        if (row.ResponseBody is null) sb.Append("<p class=\"muted\">Response bodies are kept for errors only.</p>");
        else sb.Append(ErrorBodyView.Summary(row.ResponseBody)).Append($"<pre class=\"response-body\">{E(ErrorBodyView.Pretty(row.ResponseBody))}</pre>");
        sb.Append("<p><a href=\"/portal/history\">← Request history</a></p>");
        return Page("Request " + row.RequestId, sb.ToString(), session, "/portal/history");
    }

    private static IReadOnlyList<string>? _apiEndpoints;

    /// <summary>"METHOD /route" of every API endpoint, the values the request log stores for matched requests.</summary>
    public static IReadOnlyList<string> ApiEndpoints(EndpointDataSource source) => _apiEndpoints ??= source.Endpoints
        .OfType<RouteEndpoint>()
        .Where(e => e.RoutePattern.RawText is { } raw && RequestLogMiddleware.IsApiRequest("/" + raw.TrimStart('/')))
        .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => m + " /" + e.RoutePattern.RawText!.TrimStart('/')))
        .Distinct().Order(StringComparer.Ordinal).ToList();
}
