using System.Data.Common;
using System.Text;
using Dapper;
using Reelay.Server.Features.Blobs;
using Reelay.Server.Features.Outputs;
using Reelay.Server.Features.Queue;
using Reelay.Server.Features.Tasks;
using Reelay.Server.Infrastructure;
using static Reelay.Server.Features.Portal.PortalHtml;

namespace Reelay.Server.Features.Portal;

/// <summary>Tasks: the organization's tasks, one task with its playable output, and cancel.</summary>
public static class TaskPages
{
    public const int PageSize = 50;

    public static void MapTaskPages(this RouteGroupBuilder portal)
    {
        portal.MapGet("/tasks", ListAsync);
        portal.MapGet("/tasks/{id}", DetailAsync);
        portal.MapPost("/tasks/{id}/cancel", CancelAsync);
    }

    private static async Task<IResult> ListAsync(HttpContext http, Db db)
    {
        var session = PortalSession.From(http);
        if (session.IsOperator) return OrganizationOnly(session);
        var before = long.TryParse(http.Request.Query["before"], out var b) ? b : long.MaxValue;
        await using var connection = await db.OpenAsync();
        var rows = (await connection.QueryAsync<TaskRow>(
            $"SELECT {TaskRow.Columns} FROM tasks WHERE org_id = @orgid AND deleted_at IS NULL AND seq < @before ORDER BY seq DESC LIMIT @limit",
            new { orgid = session.OrgId, before, limit = PageSize + 1 })).ToList();
        var more = rows.Count > PageSize;
        if (more) rows.RemoveAt(rows.Count - 1);
        var costs = await CostStatesAsync(connection, rows.Select(r => r.Id).ToList());
        var sb = new StringBuilder("<h1>Tasks</h1>");
        if (rows.Count == 0) sb.Append("<p class=\"notice\">No tasks yet.</p>");
        else
        {
            sb.Append("<table class=\"tasks\"><thead><tr><th>Created</th><th>Task</th><th>Model</th><th>Status</th><th class=\"num\">Progress</th><th class=\"num\">Cost</th></tr></thead><tbody>");
            foreach (var row in rows)
                sb.Append($"<tr><td>{E(Time(row.CreatedAt))}</td><td><a href=\"/portal/tasks/{E(row.Id)}\"><code>{E(row.Id)}</code></a></td>")
                  .Append($"<td>{E(row.Model)} <span class=\"muted\">{E(row.Endpoint)}</span></td><td>{StatusText(row)}</td>")
                  .Append($"<td class=\"num\">{Progress(row)}</td><td class=\"num\">{row.PriceCredits:N0} credits <span class=\"muted\">{E(costs.GetValueOrDefault(row.Id, "held"))}</span></td></tr>");
            sb.Append("</tbody></table>");
        }
        if (more) sb.Append($"<div class=\"pager\"><a rel=\"next\" href=\"/portal/tasks?before={rows[^1].Seq}\">Older →</a></div>");
        return Page("Tasks", sb.ToString(), session, "/portal/tasks");
    }

    private static async Task<IResult> DetailAsync(string id, HttpContext http, Db db, OutputSigner signer, ReelayOptions options, IBlobStore blobs)
    {
        var session = PortalSession.From(http);
        if (session.IsOperator) return OrganizationOnly(session);
        if (!Guid.TryParse(id, out _)) return NotFound(session, "This task");
        await using var connection = await db.OpenAsync();
        var row = await TaskRow.FindAsync(connection, session.OrgId!, id.ToLowerInvariant());
        if (row is null) return NotFound(session, "This task");
        var cost = (await CostStatesAsync(connection, [row.Id])).GetValueOrDefault(row.Id, "held");
        var sb = new StringBuilder($"<h1>Task <code>{E(row.Id)}</code></h1>");
        sb.Append("<dl class=\"facts\">")
          .Append($"<dt>Status</dt><dd class=\"task-status\">{StatusText(row)}</dd>")
          .Append($"<dt>Progress</dt><dd>{Progress(row)}</dd>")
          .Append($"<dt>Model</dt><dd>{E(row.Model)} <span class=\"muted\">{E(row.Endpoint)} · {E(row.Surface)} surface</span></dd>")
          .Append($"<dt>Cost</dt><dd>{row.PriceCredits:N0} credits ({E(cost)})</dd>")
          .Append($"<dt>Created</dt><dd>{E(Time(row.CreatedAt))}</dd>")
          .Append(row.FinishedAt is { } finished ? $"<dt>Finished</dt><dd>{E(Time(finished))}</dd>" : "")
          .Append(row.Prompt is null ? "" : $"<dt>Prompt</dt><dd>{E(row.Prompt)}</dd>")
          .Append(row.Failure is null ? "" : $"<dt>Failure</dt><dd>{E(row.Failure)} <code>{E(row.FailureCode)}</code></dd>")
          .Append("</dl>");
        if (row.Status == TaskStates.Succeeded && row.OutputBlob is not null && await blobs.ExistsAsync(row.OutputBlob))
        {
            // A relative signed URL: same origin as the page, valid as long as API output URLs are.
            var expires = DateTimeOffset.UtcNow.Add(options.OutputUrlLifetime).ToUnixTimeSeconds();
            var first = signer.PathAndQuery(row.Id, expires, row.OutputExtension);
            // Only an MP4 plays in the page; a ProRes .mov or a frame .zip is offered as a download.
            if (row.OutputExtension == ".mp4") sb.Append($"<video controls preload=\"metadata\" src=\"{E(first)}\"></video>");
            sb.Append("<p>");
            for (var i = 0; i < row.OutputKeys.Count; i++)
            {
                var src = signer.PathAndQuery(row.Id, expires, TaskRow.Extension(row.OutputKeys[i]), i);
                sb.Append($"<a href=\"{E(src)}\" download>Download {(row.OutputKeys.Count > 1 ? $"output {i + 1} " : "")}({E(TaskRow.Extension(row.OutputKeys[i]).TrimStart('.').ToUpperInvariant())})</a> ");
            }
            sb.Append("</p>");
        }
        if (TaskStates.IsActive(row.Status))
            sb.Append($"<form method=\"post\" action=\"/portal/tasks/{E(row.Id)}/cancel\" data-confirm=\"Cancel this task? Its credits are released.\">")
              .Append(CsrfInput(session)).Append("<button type=\"submit\" class=\"danger\">Cancel task</button></form>")
              .Append("<p class=\"muted\">This page refreshes every 3 seconds while the task is active.</p>");
        sb.Append("<p><a href=\"/portal/tasks\">← Tasks</a></p>");
        return Page("Task " + row.Id, sb.ToString(), session, "/portal/tasks",
            head: TaskStates.IsActive(row.Status) ? "<meta http-equiv=\"refresh\" content=\"3\">" : null);
    }

    /// <summary>The cancel half of DELETE /v1/tasks/{id}: an active task becomes cancelled and its hold is released. Never deletes.</summary>
    private static async Task<IResult> CancelAsync(string id, HttpContext http, Db db)
    {
        var session = PortalSession.From(http);
        if (session.IsOperator) return OrganizationOnly(session);
        if (!Guid.TryParse(id, out _)) return NotFound(session, "This task");
        id = id.ToLowerInvariant();
        await using var connection = await db.OpenAsync();
        await using var tx = Db.BeginWrite(connection);
        var row = await TaskRow.FindAsync(connection, session.OrgId!, id, tx);
        if (row is null) return NotFound(session, "This task");
        await TaskQueue.CancelAsync(connection, tx, id);
        await tx.CommitAsync();
        return SeeOther("/portal/tasks/" + id);
    }

    private static string StatusText(TaskRow row) =>
        $"<span class=\"task-state\">{E(Reelay.Server.Features.Runway.RunwayTaskMapping.Status(row.Status))}</span>" + (row.FailureCode is null ? "" : $" <code>{E(row.FailureCode)}</code>");

    private static string Progress(TaskRow row) => row.Status switch
    {
        TaskStates.Succeeded => "100%",
        TaskStates.Running => $"{Math.Round((row.Progress ?? 0) * 100)}%",
        _ => "—",
    };

    /// <summary>How each task's price ended in the ledger: charged, released, or still held.</summary>
    private static async Task<Dictionary<string, string>> CostStatesAsync(DbConnection connection, List<string> ids)
    {
        if (ids.Count == 0) return [];
        var kinds = await connection.QueryAsync<(string TaskId, string Kind)>(
            $"SELECT task_id, kind FROM ledger_entries WHERE task_id {Db.InList(connection, "ids")} AND kind IN ('charge', 'release')", new { ids });
        return kinds.GroupBy(k => k.TaskId).ToDictionary(g => g.Key, g => g.Any(k => k.Kind == "charge") ? "charged" : "released");
    }
}
