using System.Globalization;
using System.Text.Json.Serialization;
using Dapper;
using Reelay.Server.Features.Auth;
using Reelay.Server.Features.Docs;
using Reelay.Server.Features.Tasks;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Runway;

/// <summary>One row of GET /v1/tasks: the task object's fields plus what a list needs to tell tasks apart.</summary>
public sealed record TaskListItem(
    string Id, string CreatedAt, string Status, string Model, string Endpoint,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? PromptText,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Progress,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? FailureCode,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] CreditAmount? EstimatedCost,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] CreditAmount? Cost);

/// <summary>
/// GET /v1/tasks, a Reelay extension (the Runway API has no task list): the caller's organization's tasks, newest
/// first; `next` is the cursor for the page after (pass it as `before`). What `reelay tasks list` shows.
/// </summary>
public static class RunwayTaskList
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;

    private static readonly string[] States = [TaskStates.Queued, TaskStates.Throttled, TaskStates.Running, TaskStates.Succeeded, TaskStates.Failed, TaskStates.Cancelled];

    public static async Task<IResult> ListAsync(HttpContext http, Db db, string? limit, string? status, string? before)
    {
        var issues = new List<ValidationIssue>();
        var take = DefaultLimit;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out take) || take is < 1 or > MaxLimit))
            issues.Add(new ValidationIssue("invalid_type", ["limit"], $"Expected an integer from 1 to {MaxLimit}, received '{limit}'"));
        var state = status is null ? null : States.FirstOrDefault(s => RunwayTaskMapping.Status(s) == status.ToUpperInvariant());
        if (status is not null && state is null)
            issues.Add(new ValidationIssue("invalid_enum_value", ["status"],
                $"Invalid enum value. Expected {string.Join(" | ", States.Select(s => $"'{RunwayTaskMapping.Status(s)}'"))}, received '{status}'"));
        long cursor = long.MaxValue;
        if (before is not null && !long.TryParse(before, NumberStyles.None, CultureInfo.InvariantCulture, out cursor))
            issues.Add(new ValidationIssue("invalid_string", ["before"], "Invalid cursor: pass the 'next' value of the previous page"));
        if (issues.Count > 0)
            return Results.Json(new RunwayErrors.ErrorBody("Validation of query failed", DocsEndpoints.Url(http, DocAnchor.Validation), issues), statusCode: 400);

        await using var connection = await db.OpenAsync();
        var rows = (await connection.QueryAsync<TaskRow>(PageSql(byState: state is not null),
            new { orgId = Caller.From(http).OrgId, cursor, state, fetch = take + 1 })).ToList();
        var page = rows.Take(take).Select(Item).ToList();
        return Results.Json(new { tasks = page, next = rows.Count > take ? rows[take - 1].Seq.ToString(CultureInfo.InvariantCulture) : null });
    }

    /// <summary>One page of the organization's tasks before @cursor, newest first: a walk of ix_tasks_org_seq (or of ix_tasks_status_seq by state).</summary>
    public static string PageSql(bool byState) =>
        $"SELECT {TaskRow.Columns} FROM tasks WHERE org_id = @orgId AND deleted_at IS NULL AND seq < @cursor"
        + (byState ? " AND status = @state" : "") + " ORDER BY seq DESC LIMIT @fetch";

    private static TaskListItem Item(TaskRow row)
    {
        var task = RunwayTaskMapping.ToRunway(row, (_, _) => "");
        return new TaskListItem(task.Id, task.CreatedAt, task.Status, row.Model, row.Endpoint, row.Prompt, task.Progress, task.FailureCode, task.EstimatedCost, task.Cost);
    }
}
