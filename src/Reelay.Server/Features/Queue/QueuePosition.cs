using System.Data.Common;
using Dapper;
using Reelay.Server.Features.Tasks;

namespace Reelay.Server.Features.Queue;

/// <summary>Where a waiting task stands: 1 + the organization's waiting tasks submitted before it (the order they run in).</summary>
public static class QueuePosition
{
    /// <summary>The header GET /v1/tasks/{id} carries while a task waits (the Runway task object has no such field).</summary>
    public const string Header = "X-Reelay-Queue-Position";

    /// <summary>Null when the task is not waiting (queued or throttled).</summary>
    public static async Task<int?> OfAsync(DbConnection connection, TaskRow row)
    {
        if (row.Status is not (TaskStates.Queued or TaskStates.Throttled)) return null;
        return 1 + (int)await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM tasks WHERE org_id = @OrgId AND status IN ('queued', 'throttled') AND seq < @Seq", new { row.OrgId, row.Seq });
    }
}
