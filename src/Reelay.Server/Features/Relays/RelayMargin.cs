using System.Globalization;
using Dapper;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Relays;

/// <summary>
/// GET /admin/v1/relays/margin: per UTC day (of the task's end) and model, what our customers were charged for the
/// tasks an engine of a model's list served (the ledger's charges less refunds of those tasks) against what the
/// upstreams reported they cost (upstream_cost, in the upstream's credits), with a breakdown per engine. A task whose
/// upstream reported no cost (cancelled before it, a local fallback) counts in tasksWithoutUpstreamCost.
/// </summary>
public static class RelayMargin
{
    public const int MaxDays = 366;

    /// <summary>
    /// One row of the query. Settable properties, not a positional record: with no rows SQLite reports the aggregate
    /// columns as BLOB, which no constructor matches, while Dapper's property mapping converts whatever arrives.
    /// </summary>
    public sealed class Row
    {
        public string Model { get; init; } = "";
        public string Engine { get; init; } = "";
        public long Day { get; init; }
        public long Tasks { get; init; }
        public long Charged { get; init; }
        public long UpstreamCost { get; init; }
        public long WithoutCost { get; init; }
    }

    /// <summary>The window of dates (inclusive): default the 30 days to today; pure.</summary>
    public static (DateOnly From, DateOnly To, string? Error) Window(string? from, string? to, DateTime now)
    {
        static DateOnly? Date(string? text) => DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;
        var end = to is null ? DateOnly.FromDateTime(now) : Date(to);
        var start = from is null ? end?.AddDays(-29) : Date(from);
        if (start is null || end is null) return (default, default, "'from' and 'to' are dates in the form YYYY-MM-DD.");
        if (start > end) return (default, default, "'from' must not be after 'to'.");
        if (end.Value.DayNumber - start.Value.DayNumber + 1 > MaxDays) return (default, default, $"The window is at most {MaxDays} days.");
        return (start.Value, end.Value, null);
    }

    /// <summary>One day and model of the report (the admin API's JSON and the operator's margin page).</summary>
    public sealed record Day(string Date, string Model, long Tasks, long ChargedCredits, long UpstreamCredits, long MarginCredits,
        double? MarginRatio, long TasksWithoutUpstreamCost, IReadOnlyList<EngineShare> Engines);

    public sealed record EngineShare(string Engine, long Tasks, long ChargedCredits, long UpstreamCredits);

    /// <summary>The report rows, grouped by day and model, newest day first (pure over the query's rows).</summary>
    public static IReadOnlyList<Day> Shape(IEnumerable<Row> rows) =>
        [.. rows.GroupBy(r => (r.Day, r.Model)).OrderByDescending(g => g.Key.Day).ThenBy(g => g.Key.Model, StringComparer.Ordinal).Select(g =>
        {
            var charged = g.Sum(r => r.Charged);
            var cost = g.Sum(r => r.UpstreamCost);
            return new Day(
                DateOnly.FromDayNumber(DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber + (int)g.Key.Day).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                g.Key.Model, g.Sum(r => r.Tasks), charged, cost, charged - cost,
                charged == 0 ? null : Math.Round((charged - cost) / (double)charged, 4),
                g.Sum(r => r.WithoutCost),
                [.. g.OrderBy(r => r.Engine, StringComparer.Ordinal).Select(r => new EngineShare(r.Engine, r.Tasks, r.Charged, r.UpstreamCost))]);
        })];

    public static async Task<IReadOnlyList<Day>> ReportAsync(Db db, DateOnly from, DateOnly to)
    {
        var start = (long)(from.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc) - DateTime.UnixEpoch).TotalMilliseconds;
        var end = (long)(to.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc) - DateTime.UnixEpoch).TotalMilliseconds;
        await using var connection = await db.OpenAsync();
        // Refunds are grants naming the task: they come off what the task brought in.
        var rows = await connection.QueryAsync<Row>(
            """
            SELECT t.model AS Model, t.upstream_engine AS Engine, t.finished_at / 86400000 AS Day, COUNT(*) AS Tasks,
                   CAST(COALESCE(SUM(c.charged), 0) AS BIGINT) AS Charged,
                   CAST(COALESCE(SUM(t.upstream_cost), 0) AS BIGINT) AS UpstreamCost,
                   CAST(SUM(CASE WHEN t.upstream_cost IS NULL THEN 1 ELSE 0 END) AS BIGINT) AS WithoutCost
            FROM tasks t
            LEFT JOIN (SELECT task_id, -SUM(amount) AS charged FROM ledger_entries
                       WHERE kind IN ('charge', 'grant') AND task_id IS NOT NULL GROUP BY task_id) c ON c.task_id = t.id
            WHERE t.upstream_engine IS NOT NULL AND t.finished_at >= @start AND t.finished_at < @end
            GROUP BY t.model, t.upstream_engine, t.finished_at / 86400000
            """, new { start, end });
        return Shape(rows);
    }
}
