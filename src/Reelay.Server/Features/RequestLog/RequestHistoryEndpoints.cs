using System.Text.Json;
using Dapper;
using Reelay.Server.Features.Auth;
using Reelay.Server.Features.Runway;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.RequestLog;

public sealed record RequestIssue(string Path, string Message);

public sealed record RequestSummary(
    long Id, string Time, string Method, string Path, int Status, double LatencyMs, string RequestId, string? KeyPrefix,
    string? Message, IReadOnlyList<RequestIssue>? Issues);

/// <summary>
/// GET /v1/requests: the caller's organization's request history as JSON (what `reelay history`
/// shows); the portal's Request History pages read the same log.
/// </summary>
public static class RequestHistoryEndpoints
{
    public static void MapRequestHistory(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/v1").RequireRunwayCaller().WithTags("Request history").MapGet("/requests",
            async (HttpContext http, Db db, bool? errors, int? limit, string? before) =>
            {
                var filter = new HistoryFilter
                {
                    OrgId = Caller.From(http).OrgId,
                    ErrorsOnly = errors ?? false,
                    Limit = Math.Clamp(limit ?? 20, 1, 100),
                    Before = HistoryCursor.Parse(before),
                };
                await using var connection = await db.OpenAsync();
                var page = await HistoryQuery.PageAsync(connection, filter);
                var ids = page.Rows.Where(r => r.Status >= 400).Select(r => r.Id).ToList();
                var bodies = ids.Count == 0
                    ? new Dictionary<long, string?>()
                    : (await connection.QueryAsync<(long Id, string? Body)>($"SELECT id, response_body FROM request_log WHERE id {Db.InList(connection, "ids")}", new { ids }))
                        .ToDictionary(r => r.Id, r => r.Body);
                var requests = page.Rows.Select(r =>
                {
                    var (message, issues) = Describe(bodies.GetValueOrDefault(r.Id));
                    return new RequestSummary(r.Id, Clock.Iso(r.At), r.Method, r.Path, (int)r.Status, Math.Round(r.LatencyMs, 1), r.RequestId, r.KeyPrefix, message, issues);
                }).ToList();
                return Results.Json(new { requests, next = page.Next?.ToString() });
            });
    }

    /// <summary>The error message and issues of a stored error body, on either surface (pure).</summary>
    public static (string? Message, IReadOnlyList<RequestIssue>? Issues) Describe(string? responseBody)
    {
        if (string.IsNullOrEmpty(responseBody)) return (null, null);
        try
        {
            using var document = JsonDocument.Parse(responseBody);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return (null, null);
            var message = root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String ? error.GetString()
                : root.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String ? detail.GetString()
                : null;
            List<RequestIssue>? issues = null;
            if (root.TryGetProperty("issues", out var list) && list.ValueKind == JsonValueKind.Array)
                issues = list.EnumerateArray().Select(i => new RequestIssue(
                    i.TryGetProperty("path", out var p) && p.ValueKind == JsonValueKind.Array ? string.Join(".", p.EnumerateArray().Select(x => x.ToString())) : "",
                    i.TryGetProperty("message", out var m) ? m.GetString() ?? "" : "")).ToList();
            else if (root.TryGetProperty("detail", out var pydantic) && pydantic.ValueKind == JsonValueKind.Array)
            {
                message = "Validation error";
                issues = pydantic.EnumerateArray().Select(i => new RequestIssue(
                    i.TryGetProperty("loc", out var l) && l.ValueKind == JsonValueKind.Array ? string.Join(".", l.EnumerateArray().Select(x => x.ToString())) : "",
                    i.TryGetProperty("msg", out var m) ? m.GetString() ?? "" : "")).ToList();
            }
            return (message, issues);
        }
        catch (JsonException)
        {
            return (responseBody.Length > 200 ? responseBody[..200] : responseBody, null);
        }
    }
}
