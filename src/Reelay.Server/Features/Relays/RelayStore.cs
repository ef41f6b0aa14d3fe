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

    /// <summary>
    /// Stores which engine this lease chose (before its create: a later lease resumes on the same engine, with the
    /// same Idempotency-Key), clearing an upstream id from another engine. False when the lease is gone.
    /// </summary>
    public static async Task<bool> RecordEngineAsync(Db db, string taskId, string leaseToken, string engine)
    {
        await using var connection = await db.OpenAsync();
        return await connection.ExecuteAsync(
            """
            UPDATE tasks SET upstream_engine = @engine,
                upstream_task_id = CASE WHEN upstream_engine = @engine THEN upstream_task_id ELSE NULL END
            WHERE id = @taskId AND lease_token = @leaseToken AND status = 'running'
            """, new { taskId, leaseToken, engine }) == 1;
    }

    public static async Task RecordCostAsync(Db db, string taskId, long cost)
    {
        await using var connection = await db.OpenAsync();
        await connection.ExecuteAsync("UPDATE tasks SET upstream_cost = @cost WHERE id = @taskId", new { taskId, cost });
    }

    /// <summary>Tasks running on this engine anywhere (every node): what MaxConcurrent is checked against.</summary>
    public static async Task<long> RunningAsync(Db db, string engine)
    {
        await using var connection = await db.OpenAsync();
        return await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM tasks WHERE status = 'running' AND upstream_engine = @engine", new { engine });
    }

    /// <summary>When the task was created (ms since the epoch), for the relay's latency log line.</summary>
    public static async Task<long> CreatedAtAsync(Db db, string taskId)
    {
        await using var connection = await db.OpenAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT created_at FROM tasks WHERE id = @taskId", new { taskId });
    }

    public sealed record Recent(string Id, string OrgId, string Model, string Status, string? Engine, string? UpstreamTaskId, long? UpstreamCost,
        long PriceCredits, string? FailureCode, long CreatedAt, long? FinishedAt);

    /// <summary>The newest tasks an engine of a model's list took (relayed, or a local fallback), newest first.</summary>
    public static async Task<IEnumerable<object>> RecentAsync(Db db, int limit, string? model)
    {
        await using var connection = await db.OpenAsync();
        var rows = await connection.QueryAsync<Recent>(
            $"""
            SELECT id AS Id, org_id AS OrgId, model AS Model, status AS Status, upstream_engine AS Engine, upstream_task_id AS UpstreamTaskId,
                   upstream_cost AS UpstreamCost, price_credits AS PriceCredits, failure_code AS FailureCode, created_at AS CreatedAt, finished_at AS FinishedAt
            FROM tasks WHERE upstream_engine IS NOT NULL{(model is null ? "" : " AND model = @model")} ORDER BY seq DESC LIMIT @limit
            """, new { limit, model });
        return rows.Select(r => (object)new
        {
            id = r.Id, organizationId = r.OrgId, model = r.Model, status = r.Status, engine = r.Engine, upstreamTaskId = r.UpstreamTaskId,
            upstreamCost = r.UpstreamCost, priceCredits = r.PriceCredits, failureCode = r.FailureCode,
            createdAt = Clock.Iso(r.CreatedAt), finishedAt = r.FinishedAt is { } f ? Clock.Iso(f) : null,
        });
    }
}
