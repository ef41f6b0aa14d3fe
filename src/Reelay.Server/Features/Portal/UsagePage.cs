using System.Text;
using Dapper;
using Reelay.Server.Features.Credits;
using Reelay.Server.Features.Organizations;
using Reelay.Server.Infrastructure;
using static Reelay.Server.Features.Portal.PortalHtml;

namespace Reelay.Server.Features.Portal;

/// <summary>Usage and balance: the balance, a chart of daily charged credits per model, and the ledger itself.</summary>
public static class UsagePage
{
    public const int LedgerPageSize = 50;

    public static void MapUsagePage(this RouteGroupBuilder portal) => portal.MapGet("/usage", RenderAsync);

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
        var entries = (await connection.QueryAsync<EntryRow>(
            """
            SELECT id AS Id, kind AS Kind, amount AS Amount, task_id AS TaskId, model AS Model, reason AS Reason, created_at AS CreatedAt
            FROM ledger_entries WHERE org_id = @orgid AND id < @before ORDER BY id DESC LIMIT @limit
            """, new { orgid, before, limit = LedgerPageSize + 1 })).ToList();
        var more = entries.Count > LedgerPageSize;
        if (more) entries.RemoveAt(entries.Count - 1);

        var sb = new StringBuilder("<h1>Usage and balance</h1>");
        sb.Append($"<p class=\"balance\">Balance: <strong>{balance:N0}</strong> credits</p>");
        sb.Append($"<h2>Credits charged per day, last {days} days</h2><p class=\"muted\">Show ");
        foreach (var option in new[] { 7, 30, 90 })
            sb.Append(option == days ? $"<strong>{option} days</strong> " : $"<a href=\"/portal/usage?days={option}\">{option} days</a> ");
        sb.Append("</p><div class=\"chart\">").Append(UsageChart.Render(usage)).Append("</div>");
        sb.Append("<h2>Ledger</h2><p class=\"muted\">Every change to the balance: grants, holds when a task is created, and how each hold ended (released, or released and charged).</p>");
        sb.Append("<table class=\"ledger\"><thead><tr><th>Time</th><th>Kind</th><th class=\"num\">Credits</th><th>Task</th><th>Model</th><th>Reason</th></tr></thead><tbody>");
        foreach (var e in entries)
            sb.Append($"<tr><td>{E(Time(e.CreatedAt))}</td><td>{E(e.Kind)}</td><td class=\"num\">{e.Amount:+#,0;-#,0;0}</td>")
              .Append($"<td>{(e.TaskId is null ? "" : $"<a href=\"/portal/tasks/{E(e.TaskId)}\"><code>{E(e.TaskId[..Math.Min(8, e.TaskId.Length)])}…</code></a>")}</td>")
              .Append($"<td>{E(e.Model)}</td><td>{E(e.Reason)}</td></tr>");
        sb.Append("</tbody></table>");
        if (more) sb.Append($"<div class=\"pager\"><a rel=\"next\" href=\"/portal/usage?days={days}&amp;before={entries[^1].Id}\">Older entries →</a></div>");
        return Page("Usage and balance", sb.ToString(), session, "/portal/usage");
    }

    private sealed class EntryRow
    {
        public long Id { get; init; }
        public string Kind { get; init; } = "";
        public long Amount { get; init; }
        public string? TaskId { get; init; }
        public string? Model { get; init; }
        public string? Reason { get; init; }
        public long CreatedAt { get; init; }
    }
}
