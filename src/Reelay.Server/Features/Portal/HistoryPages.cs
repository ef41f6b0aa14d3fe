using System.Globalization;
using Dapper;
using Reelay.Server.Features.Portal.Pages;
using Reelay.Server.Features.RequestLog;
using Reelay.Server.Infrastructure;
using static Reelay.Server.Features.Portal.PortalView;
using static Reelay.Server.Features.Portal.PortalFormat;

namespace Reelay.Server.Features.Portal;

/// <summary>Request History: the request log, newest first, with search, filters kept in the URL, keyset pages and a detail view.</summary>
public static class HistoryPages
{
    public const int PageSize = 50;

    public static void MapHistoryPages(this RouteGroupBuilder portal)
    {
        portal.MapGet("/history", ListAsync);
        portal.MapGet("/history/{id:long}", DetailAsync);
    }

    /// <summary>How often a live-tail page reloads itself (a meta refresh: no script, so the CSP stays strict).</summary>
    public const int LiveTailSeconds = 3;

    /// <summary>
    /// The query string of the list page, parsed; also what the "older" link carries on. Polling is hidden unless
    /// polling=1; live=1 is the live tail (the newest page reloads every <see cref="LiveTailSeconds"/> s).
    /// </summary>
    public sealed record HistoryForm(bool Errors, string? Endpoint, string? Key, string? From, string? To, string? Org, string? Search = null, bool Polling = false,
        bool Live = false)
    {
        public static HistoryForm Read(HttpRequest request) => new(
            request.Query["errors"] == "1",
            Blank(request.Query["endpoint"]), Blank(request.Query["key"]), Blank(request.Query["from"]), Blank(request.Query["to"]), Blank(request.Query["org"]),
            Blank(request.Query["q"]), request.Query["polling"] == "1", request.Query["live"] == "1");

        public string QueryString()
        {
            var parts = new List<string>();
            if (Errors) parts.Add("errors=1");
            void Add(string name, string? value) { if (value is not null) parts.Add(name + "=" + Q(value)); }
            Add("q", Search); Add("endpoint", Endpoint); Add("key", Key); Add("from", From); Add("to", To); Add("org", Org);
            if (Polling) parts.Add("polling=1");
            if (Live) parts.Add("live=1");
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
        HidePolling = !form.Polling,
        Search = form.Search,
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
        var orgs = session.IsOperator ? await OrganizationNamesAsync(connection) : [];
        // An organization's history never has operator calls in it; offering them would only confuse.
        var endpointList = ApiEndpoints(endpoints).Where(e => session.IsOperator || !e.Contains(" /admin/", StringComparison.Ordinal)).ToList();
        return Page<HistoryList>(new { Session = session, Form = form, Rows = page.Rows, Next = page.Next, Before = before, Keys = keys, Organizations = orgs, Endpoints = endpointList });
    }

    /// <summary>Every organization's name by id, for the operator's columns and its organization filter.</summary>
    public static async Task<IReadOnlyList<(string Id, string Name)>> OrganizationNamesAsync(System.Data.Common.DbConnection connection) =>
        (await connection.QueryAsync<(string Id, string Name)>("SELECT id, name FROM organizations ORDER BY name, id")).ToList();

    private static async Task<IResult> DetailAsync(long id, HttpContext http, Db db, PublicUrls urls)
    {
        var session = PortalSession.From(http);
        await using var connection = await db.OpenAsync();
        var row = await HistoryQuery.FindAsync(connection, id, session.IsOperator ? null : session.OrgId);
        if (row is null) return NotFound(session, "This request");
        var orgName = session.IsOperator && row.OrgId is not null
            ? await connection.ExecuteScalarAsync<string?>("SELECT name FROM organizations WHERE id = @id", new { id = row.OrgId }) : null;
        return Page<HistoryEntry>(new { Session = session, Row = row, OrgName = orgName, Curl = CurlCommand.Build(urls.BaseUrl(http), row) });
    }

    private static IReadOnlyList<string>? _apiEndpoints;

    /// <summary>"METHOD /route" of every API endpoint, the values the request log stores for matched requests.</summary>
    public static IReadOnlyList<string> ApiEndpoints(EndpointDataSource source) => _apiEndpoints ??= source.Endpoints
        .OfType<RouteEndpoint>()
        .Where(e => e.RoutePattern.RawText is { } raw && RequestLogMiddleware.IsApiRequest("/" + raw.TrimStart('/')))
        .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => m + " /" + e.RoutePattern.RawText!.TrimStart('/')))
        .Distinct().Order(StringComparer.Ordinal).ToList();
}
