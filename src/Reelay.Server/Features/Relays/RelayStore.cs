using Dapper;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Relays;

/// <summary>The relay columns of a task (migration 0008): the upstream's task id, the engine that served it, its cost there.</summary>
public static class RelayStore
{
    public sealed record Upstream(string? TaskId, string? Engine, long? Cost);

    public static async Task<Upstream?> FindAsync(Db db, string taskId)
    {
        await using var connection = await db.OpenAsync();
        return await connection.QuerySingleOrDefaultAsync<Upstream>(
            "SELECT upstream_task_id AS TaskId, upstream_engine AS Engine, upstream_cost AS Cost FROM tasks WHERE id = @taskId", new { taskId });
    }

    /// <summary>Stores the upstream's id under the lease: false when the lease is gone (cancelled, or taken over).</summary>
    public static async Task<bool> RecordAsync(Db db, string taskId, string leaseToken, string upstreamTaskId, string engine)
    {
        await using var connection = await db.OpenAsync();
        return await connection.ExecuteAsync(
            """
            UPDATE tasks SET upstream_task_id = @upstreamTaskId, upstream_engine = @engine
            WHERE id = @taskId AND lease_token = @leaseToken AND status = 'running'
            """, new { taskId, leaseToken, upstreamTaskId, engine }) == 1;
    }

    public static async Task RecordCostAsync(Db db, string taskId, long cost)
    {
        await using var connection = await db.OpenAsync();
        await connection.ExecuteAsync("UPDATE tasks SET upstream_cost = @cost WHERE id = @taskId", new { taskId, cost });
    }

    /// <summary>Tasks of these models running anywhere (every node): what MaxConcurrent is checked against.</summary>
    public static async Task<long> RunningAsync(Db db, IReadOnlyCollection<string> models)
    {
        await using var connection = await db.OpenAsync();
        return await connection.ExecuteScalarAsync<long>(
            $"SELECT COUNT(*) FROM tasks WHERE status = 'running' AND model {Db.InList(connection, "models")}", new { models = models.ToArray() });
    }

    /// <summary>When the task was created (ms since the epoch), for the relay's latency log line.</summary>
    public static async Task<long> CreatedAtAsync(Db db, string taskId)
    {
        await using var connection = await db.OpenAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT created_at FROM tasks WHERE id = @taskId", new { taskId });
    }
}
