using Dapper;
using Reelay.Server.Features.Credits;
using Reelay.Server.Features.Organizations;
using Reelay.Server.Features.Portal.Pages;
using Reelay.Server.Infrastructure;
using static Reelay.Server.Features.Portal.PortalView;

namespace Reelay.Server.Features.Portal;

/// <summary>Usage and balance: the balance, a chart of daily charged credits per model, and one line per task (or grant).</summary>
public static class UsagePage
{
    public const int LinePageSize = 50;

    public static void MapUsagePage(this RouteGroupBuilder portal) => portal.MapGet("/usage", RenderAsync);

    /// <summary>
    /// A task's ledger entries as one line: what was held, whether it was charged (and how much) or released, and refunds;
    /// an entry without a task (a grant) is a line of its own.
    /// </summary>
    public sealed class UsageLine
    {
        public long LastId { get; init; }
        public long CreatedAt { get; init; }
        public string? TaskId { get; init; }
        public string? Model { get; init; }
        public string Kind { get; init; } = "";
        public long Net { get; init; }
        public long Held { get; init; }
        public long Charged { get; init; }
        public long Released { get; init; }
        public long Refunded { get; init; }
        public string? Reason { get; init; }

        /// <summary>"charged", "released", "held" (still running) or, for a line without a task, its kind.</summary>
        public string Outcome => TaskId is null ? Kind : Charged > 0 ? "charged" : Released > 0 ? "released" : "held";
    }

    private static async Task<IResult> RenderAsync(HttpContext http, Db db)
    {
        var session = PortalSession.From(http);
        if (session.IsOperator) return OrganizationOnly(session);
        var days = int.TryParse(http.Request.Query["days"], out var d) ? Math.Clamp(d, 1, Organizations.UsageReport.MaxDays) : 30;
        var before = long.TryParse(http.Request.Query["before"], out var b) ? b : long.MaxValue;
        var orgid = session.OrgId!;
        var end = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(1);
        var start = end.AddDays(-days);
        await using var connection = await db.OpenAsync();
        var balance = await Ledger.BalanceAsync(connection, orgid);
        var usage = UsageReport.Summarize(start, end, await UsageReport.LoadAsync(connection, orgid, start, end));
        var lines = (await connection.QueryAsync<UsageLine>(
            """
            SELECT MAX(id) AS LastId, MIN(created_at) AS CreatedAt, MAX(task_id) AS TaskId, MAX(model) AS Model, MAX(kind) AS Kind,
                   CAST(SUM(amount) AS BIGINT) AS Net,
                   CAST(SUM(CASE WHEN kind = 'hold' THEN -amount ELSE 0 END) AS BIGINT) AS Held,
                   CAST(SUM(CASE WHEN kind = 'charge' THEN -amount ELSE 0 END) AS BIGINT) AS Charged,
                   CAST(SUM(CASE WHEN kind = 'release' THEN 1 ELSE 0 END) AS BIGINT) AS Released,
                   CAST(SUM(CASE WHEN kind = 'grant' AND task_id IS NOT NULL THEN amount ELSE 0 END) AS BIGINT) AS Refunded,
                   MAX(reason) AS Reason
            FROM ledger_entries WHERE org_id = @orgid
            GROUP BY COALESCE(task_id, CAST(id AS TEXT))
            HAVING MAX(id) < @before
            ORDER BY MAX(id) DESC LIMIT @limit
            """, new { orgid, before, limit = LinePageSize + 1 })).ToList();
        var more = lines.Count > LinePageSize;
        if (more) lines.RemoveAt(lines.Count - 1);
        return Page<Usage>(new { Session = session, Balance = balance, Days = days, Chart = new Microsoft.AspNetCore.Components.MarkupString(UsageChart.Render(usage)), Lines = lines,
            Next = more ? lines[^1].LastId : (long?)null });
    }
}
