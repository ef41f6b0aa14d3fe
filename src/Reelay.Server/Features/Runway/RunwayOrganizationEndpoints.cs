using System.Globalization;
using System.Text.Json;
using Dapper;
using Reelay.Server.Features.Auth;
using Reelay.Server.Features.Docs;
using Reelay.Server.Features.Catalog;
using Reelay.Server.Features.Credits;
using Reelay.Server.Features.Queue;
using Reelay.Server.Features.Tasks;
using Reelay.Server.Infrastructure;

using Reelay.Server.Features.Organizations;

namespace Reelay.Server.Features.Runway;

public static class RunwayOrganizationEndpoints
{
    /// <summary>GET /v1/organization and POST /v1/organization/usage, derived from the ledger and the tasks.</summary>
    public static void MapOrganization(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/organization").RequireRunwayCaller().WithTags("Runway: organization");
        group.MapGet("", async (HttpContext http, Db db, ModelCatalog catalog, ReelayOptions options) =>
        {
            var orgId = Caller.From(http).OrgId;
            var (dayAgo, firstHour, firstHourEnd) = TaskCounts.Window(Clock.NowMs());
            var today = (await db.QueryAsync<(string Model, long Count)>(TaskCounts.TodayByModelSql,
                    ("orgId", orgId), ("dayAgo", dayAgo), ("firstHour", firstHour), ("firstHourEnd", firstHourEnd)))
                .ToDictionary(r => r.Model, r => r.Count);
            var balance = await Ledger.BalanceAsync(db, orgId);
            var limits = await Limits.AllForAsync(db, orgId, catalog);
            return Results.Bytes(RunwayOrganizationAnswer.Write(balance, options.MaxMonthlyCreditSpend, catalog.Models, limits, today),
                "application/json; charset=utf-8");
        });
        group.MapPost("/usage", async (HttpContext http, Db db) =>
        {
            var (bytes, status, error) = await JsonBody.ReadAsync(http.Request, http.RequestAborted);
            if (bytes is null) return RunwayErrors.Error(http, status, error!, DocAnchor.RequestBody);
            // The body is optional: no body means the default range.
            var (document, parseStatus, parseError) = bytes.Length == 0 ? (JsonDocument.Parse("{}"), 200, null) : JsonBody.Parse(bytes);
            if (document is null) return RunwayErrors.Error(http, parseStatus, parseError!, DocAnchor.RequestBody);
            using var _ = document;
            var (range, issues) = UsageRange(document.RootElement, DateOnly.FromDateTime(DateTime.UtcNow));
            if (range is null) return RunwayErrors.Validation(http, issues);
            await using var connection = await db.OpenAsync();
            var entries = await UsageReport.LoadAsync(connection, Caller.From(http).OrgId, range.Value.Start, range.Value.Before);
            return Results.Json(UsageReport.Summarize(range.Value.Start, range.Value.Before, entries));
        });
    }

    /// <summary>startDate / beforeDate (UTC, beforeDate exclusive), at most 90 days, default the last 30 days.</summary>
    public static ((DateOnly Start, DateOnly Before)? Range, List<ValidationIssue> Issues) UsageRange(JsonElement body, DateOnly today)
    {
        var issues = new List<ValidationIssue>();
        var unknown = body.EnumerateObject().Select(p => p.Name).Where(n => n is not ("startDate" or "beforeDate")).ToList();
        if (unknown.Count > 0)
            issues.Add(new ValidationIssue("unrecognized_keys", [], $"Unrecognized key(s) in object: {string.Join(", ", unknown.Select(k => $"'{k}'"))}") { Keys = unknown });
        DateOnly? Read(string name)
        {
            if (!body.TryGetProperty(name, out var value)) return null;
            if (value.ValueKind == JsonValueKind.String && DateOnly.TryParseExact(value.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)) return date;
            issues.Add(new ValidationIssue("invalid_string", [name], "Invalid date: expected YYYY-MM-DD"));
            return null;
        }
        var start = Read("startDate");
        var before = Read("beforeDate");
        if (issues.Count > 0) return (null, issues);
        var b = before ?? (start?.AddDays(30) is { } s30 && s30 <= today.AddDays(1) ? s30 : today.AddDays(1));
        var s = start ?? b.AddDays(-30);
        if (b <= s) issues.Add(ValidationIssue.Custom(["beforeDate"], "beforeDate must be after startDate."));
        else if (b.DayNumber - s.DayNumber > UsageReport.MaxDays) issues.Add(ValidationIssue.Custom(["beforeDate"], $"The date range must not exceed {UsageReport.MaxDays} days."));
        return issues.Count > 0 ? (null, issues) : ((s, b), issues);
    }
}
