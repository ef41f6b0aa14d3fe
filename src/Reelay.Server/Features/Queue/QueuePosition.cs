using System.Data.Common;
using Dapper;
using Reelay.Server.Features.Tasks;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Queue;

/// <summary>Where a waiting task stands: 1 + the organization's waiting tasks submitted before it (the order they run in).</summary>
public static class QueuePosition
{
    /// <summary>The header GET /v1/tasks/{id} carries while a task waits (the Runway task object has no such field).</summary>
    public const string Header = "X-Reelay-Queue-Position";

    /// <summary>
    /// Walks the waiting tasks before this one (ix_tasks_status_seq), which the queue's limits bound, and keeps the
    /// organization's. <c>org_id || ''</c> keeps SQLite's planner off ix_tasks_org_model_status: with the model
    /// unconstrained it would walk every task the organization ever had (about 220 ms a read at 1,000,000 earlier tasks).
    /// </summary>
    public const string AheadSql = "SELECT COUNT(*) FROM tasks WHERE status IN ('queued', 'throttled') AND seq < @seq AND org_id || '' = @orgId";

    /// <summary>Null when the task is not waiting (queued or throttled).</summary>
    public static async Task<int?> OfAsync(DbConnection connection, TaskRow row)
    {
        if (!IsWaiting(row)) return null;
        return 1 + (int)await connection.ExecuteScalarAsync<long>(AheadSql, new { orgId = row.OrgId, seq = row.Seq });
    }

    /// <summary>The same for a single status read: a finished task (most polls) costs no query at all.</summary>
    public static async Task<int?> OfAsync(Db db, TaskRow row)
    {
        if (!IsWaiting(row)) return null;
        return 1 + (int)await db.QuerySingleOrDefaultAsync<long>(AheadSql, ("orgId", row.OrgId), ("seq", row.Seq));
    }

    private static bool IsWaiting(TaskRow row) => row.Status is TaskStates.Queued or TaskStates.Throttled;
}
