using System.Globalization;
using System.Text.Json;
using Dapper;
using Reelay.Server.Features.Auth;
using Reelay.Server.Features.Docs;
using Reelay.Server.Features.Catalog;
using Reelay.Server.Features.Credits;
using Reelay.Server.Features.Queue;
using Reelay.Server.Features.Runway;
using Reelay.Server.Features.Tasks;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Organizations;

public sealed record UsedCredits(string Model, long Amount);
public sealed record UsageDay(string Date, IReadOnlyList<UsedCredits> UsedCredits);
public sealed record UsageResponse(IReadOnlyList<UsageDay> Results, IReadOnlyList<string> Models);

public static class OrganizationEndpoints
{
    public const int MaxUsageDays = 90;

    /// <summary>GET /v1/organization and POST /v1/organization/usage, derived from the ledger and the tasks.</summary>
    public static void MapOrganization(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/organization").RequireRunwayCaller().WithTags("Runway: organization");
        group.MapGet("", async (HttpContext http, Db db, ModelCatalog catalog, ReelayOptions options) =>
        {
            var orgId = Caller.From(http).OrgId;
            await using var connection = await db.OpenAsync();
            var dayAgo = Clock.NowMs() - (long)TimeSpan.FromDays(1).TotalMilliseconds;
            var counts = (await connection.QueryAsync<(string Model, long Count)>(
                "SELECT model, COUNT(*) FROM tasks WHERE org_id = @orgId AND created_at > @dayAgo GROUP BY model", new { orgId, dayAgo }))
                .ToDictionary(r => r.Model, r => r.Count);
            return Results.Json(new
            {
                creditBalance = await Ledger.BalanceAsync(connection, orgId),
                tier = new { maxMonthlyCreditSpend = options.MaxMonthlyCreditSpend, models = await Limits.AllForAsync(connection, orgId, catalog) },
                usage = new { models = catalog.Models.ToDictionary(m => m.Id, m => new { dailyGenerations = counts.GetValueOrDefault(m.Id) }) },
            });
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
            var charges = await connection.QueryAsync<(string Model, long CreatedAt, long Amount)>(
                """
                SELECT model, created_at, -amount FROM ledger_entries
                WHERE org_id = @orgId AND kind = 'charge' AND created_at >= @from AND created_at < @to
                """, new { orgId = Caller.From(http).OrgId, from = ToMs(range.Value.Start), to = ToMs(range.Value.Before) });
            return Results.Json(Summarize(range.Value.Start, range.Value.Before, charges.Select(c => (c.Model, c.CreatedAt, c.Amount))));
        });
    }

    private static long ToMs(DateOnly date) => new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeMilliseconds();

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
        else if (b.DayNumber - s.DayNumber > MaxUsageDays) issues.Add(ValidationIssue.Custom(["beforeDate"], $"The date range must not exceed {MaxUsageDays} days."));
        return issues.Count > 0 ? (null, issues) : ((s, b), issues);
    }

    /// <summary>Charged credits per UTC day and model, every day of the range listed (pure).</summary>
    public static UsageResponse Summarize(DateOnly start, DateOnly before, IEnumerable<(string Model, long CreatedAtMs, long Amount)> charges)
    {
        var byDay = charges
            .GroupBy(c => DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeMilliseconds(c.CreatedAtMs).UtcDateTime))
            .ToDictionary(g => g.Key, g => g.GroupBy(c => c.Model).Select(m => new UsedCredits(m.Key, m.Sum(c => c.Amount))).OrderBy(u => u.Model, StringComparer.Ordinal).ToList());
        var days = new List<UsageDay>();
        for (var day = start; day < before; day = day.AddDays(1))
            days.Add(new UsageDay(day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), byDay.GetValueOrDefault(day) ?? []));
        var models = byDay.Values.SelectMany(v => v).Select(u => u.Model).Distinct().Order(StringComparer.Ordinal).ToList();
        return new UsageResponse(days, models);
    }
}
