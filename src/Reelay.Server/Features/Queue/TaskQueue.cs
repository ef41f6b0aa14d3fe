using System.Data.Common;
using Dapper;
using Reelay.Server.Features.Catalog;
using Reelay.Server.Features.Credits;
using Reelay.Server.Features.Tasks;
using Reelay.Server.Features.Telemetry;
using Reelay.Server.Features.Webhooks;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Queue;

/// <summary>A task claimed by a worker, fenced by its lease token.</summary>
public sealed class ClaimedTask
{
    public string Id { get; init; } = "";
    public string OrgId { get; init; } = "";
    public string Model { get; init; } = "";
    public string Endpoint { get; init; } = "";
    public string Params { get; init; } = "";
    public string? Simulate { get; init; }
    public string LeaseToken { get; init; } = "";
    public long Attempts { get; init; }
    public long LeaseExpiresAt { get; init; }
    public long CreatedAt { get; init; }
    public long StartedAt { get; init; }

    /// <summary>The create request's traceparent: the run continues its trace.</summary>
    public string? TraceParent { get; init; }
}

/// <summary>Whether a worker still holds a task's lease, and if not, why: its owner cancelled it, or the lease went to another worker.</summary>
public enum LeaseState { Held, Cancelled, Lost }

/// <summary>
/// The durable queue in the tasks table: claim with a lease, renew it while working, fence every
/// completion with the lease token, and return expired leases to the queue.
/// </summary>
public static class TaskQueue
{
    /// <summary>Moves THROTTLED tasks to PENDING, oldest first, as their organization's slots free up.</summary>
    public static async Task<int> PromoteThrottledAsync(Db db, ModelCatalog catalog)
    {
        await using var connection = await db.OpenAsync();
        var now = Clock.NowMs();
        var groups = (await connection.QueryAsync<(string OrgId, string Model)>(
            "SELECT DISTINCT org_id, model FROM tasks WHERE status = 'throttled' AND (hold_until IS NULL OR hold_until <= @now)", new { now })).ToList();
        var promoted = 0;
        foreach (var (orgId, modelId) in groups)
            promoted += await db.WriteAsync(WritePriority.Queue, (write, tx) => PromoteAsync(write, tx, catalog, orgId, modelId, now));
        return promoted;
    }

    private static async Task<int> PromoteAsync(DbConnection connection, DbTransaction tx, ModelCatalog catalog, string orgId, string modelId, long now)
    {
        // PostgreSQL: one promoter per organization and model at a time, never interleaved with a create's decision.
        await Db.LockAsync(connection, tx, ThrottleLock(orgId, modelId));
        var model = catalog.Find(modelId);
        var limit = model is null ? 1 : (await Limits.ForAsync(connection, tx, orgId, model)).MaxConcurrentGenerations;
        var free = limit - await ActiveCountAsync(connection, tx, orgId, modelId);
        if (free <= 0) return 0;
        // The outer status check: on PostgreSQL a task cancelled meanwhile is re-read after its row lock and left alone.
        var rows = await connection.ExecuteAsync(
            """
            UPDATE tasks SET status = 'queued'
            WHERE status = 'throttled'
              AND seq IN (SELECT seq FROM tasks
                          WHERE org_id = @orgId AND model = @modelId AND status = 'throttled'
                            AND (hold_until IS NULL OR hold_until <= @now)
                          ORDER BY seq LIMIT @free)
            """, new { orgId, modelId, now, free }, tx);
        if (rows > 0) await Db.NotifyTasksAsync(connection, tx);
        return rows;
    }

    /// <summary>The advisory lock (PostgreSQL) under which an organization's waiting tasks of one model are promoted or throttled.</summary>
    public static string ThrottleLock(string orgId, string model) => $"reelay:throttle:{orgId}:{model}";

    /// <summary>The tasks of organization @orgId and model @model that hold a slot (queued or running), as an SQL query.</summary>
    public const string ActiveCountSql = "SELECT COUNT(*) FROM tasks WHERE org_id = @orgId AND model = @model AND status IN ('queued', 'running')";

    /// <summary>Its THROTTLED tasks that could be promoted now (@now): while there are any, a new task waits behind them.</summary>
    public const string ThrottledWaitingSql =
        "SELECT COUNT(*) FROM tasks WHERE org_id = @orgId AND model = @model AND status = 'throttled' AND (hold_until IS NULL OR hold_until <= @now)";

    public static Task<long> ActiveCountAsync(DbConnection connection, DbTransaction? tx, string orgId, string model) =>
        connection.ExecuteScalarAsync<long>(ActiveCountSql, new { orgId, model }, tx);

    /// <summary>Should a new task wait? Yes when the slots are full or older tasks are already waiting (submission order).</summary>
    public static bool MustThrottle(long active, long throttledWaiting, ModelLimits limits) =>
        active >= limits.MaxConcurrentGenerations || throttledWaiting > 0;

    /// <summary>
    /// Claims the oldest pending task of one of the models, or null when none is waiting. <paramref name="probe"/>
    /// false skips the read that keeps idle polls from writing: for a worker that has just finished a task, when
    /// the next one is likely waiting (a burst), so each task costs one round trip less, and for a looker that has
    /// just counted the waiting ones.
    /// </summary>
    public static async Task<ClaimedTask?> ClaimAsync(Db db, string owner, TimeSpan lease, IReadOnlyCollection<string> models, bool probe = true)
    {
        if (models.Count == 0) return null;
        // Idle polls only read: the UPDATE below would take SQLite's write lock even when nothing is waiting.
        if (probe && !await AnyWaitingAsync(db, models)) return null;
        var now = Clock.NowMs();
        // SQLite runs the pick and the update under its write lock; PostgreSQL locks the picked row and lets other
        // claimers skip it (SKIP LOCKED), so concurrent workers on any node take different tasks without waiting.
        // One transaction with the task.running events, so a claim never goes unannounced. On SQLite the claim takes its
        // place in the next group commit ahead of any create (WriteGate): the queue drains before it fills.
        var parameters = new { owner, token = Guid.NewGuid().ToString("N"), expires = now + (long)lease.TotalMilliseconds, now, models = models.ToArray() };
        var claimed = await db.WriteAsync(WritePriority.Queue, async (write, tx) =>
        {
            var task = await write.QuerySingleOrDefaultAsync<ClaimedTask>(ClaimSql(write), parameters, tx);
            if (task is not null) await TaskEvents.EnqueueAsync(write, tx, task.OrgId, task.Id, TaskEvents.Running);
            return task;
        });
        if (claimed is not null)
        {
            TaskTelemetry.Started(claimed.Model, claimed.CreatedAt, claimed.StartedAt, claimed.Attempts);
            ReelayTracing.RecordQueueWait(claimed.TraceParent, claimed.Id, claimed.OrgId, claimed.CreatedAt, claimed.StartedAt);
        }
        return claimed;
    }

    private static async Task<bool> AnyWaitingAsync(Db db, IReadOnlyCollection<string> models) => await WaitingAsync(db, models, 1) > 0;

    /// <summary>How many tasks of the models wait to be claimed, counted up to <paramref name="atMost"/> (an index range, ix_tasks_status_seq).</summary>
    public static async Task<long> WaitingAsync(Db db, IReadOnlyCollection<string> models, int atMost)
    {
        await using var connection = await db.OpenAsync();
        return await connection.ExecuteScalarAsync<long>(
            $"SELECT COUNT(*) FROM (SELECT 1 FROM tasks WHERE status = 'queued' AND model {Db.InList(connection, "models")} LIMIT @atMost) AS waiting",
            new { models = models.ToArray(), atMost });
    }

    /// <summary>The claim of the oldest pending task of @models, returning it.</summary>
    private static string ClaimSql(DbConnection connection) =>
        $"""
        UPDATE tasks
        SET status = 'running', lease_owner = @owner, lease_token = @token, lease_expires_at = @expires,
            started_at = COALESCE(started_at, @now), attempts = attempts + 1, progress = 0
        WHERE status = 'queued' AND seq = (SELECT seq FROM tasks WHERE status = 'queued' AND model {Db.InList(connection, "models")}
                                           ORDER BY seq LIMIT 1{Db.SkipLocked(connection)})
        RETURNING id AS Id, org_id AS OrgId, model AS Model, endpoint AS Endpoint, params AS Params,
                  simulate AS Simulate, lease_token AS LeaseToken, attempts AS Attempts, lease_expires_at AS LeaseExpiresAt,
                  created_at AS CreatedAt, started_at AS StartedAt, trace_parent AS TraceParent
        """;

    /// <summary>Renews the lease and records progress (Held); otherwise says whether the task was cancelled or the lease lost.</summary>
    public static async Task<LeaseState> HeartbeatAsync(Db db, string id, string token, double progress, TimeSpan lease)
    {
        await using var connection = await db.OpenAsync();
        var rows = await connection.ExecuteAsync(
            "UPDATE tasks SET progress = @progress, lease_expires_at = @expires WHERE id = @id AND lease_token = @token AND status = 'running'",
            new { id, token, progress = Math.Clamp(progress, 0, 1), expires = Clock.NowMs() + (long)lease.TotalMilliseconds });
        if (rows != 1) return await LeaseStateAsync(connection, id, token);
        await TaskEvents.ProgressAsync(db, id, Math.Clamp(progress, 0, 1));
        return LeaseState.Held;
    }

    public static async Task<LeaseState> LeaseStateAsync(Db db, string id, string token)
    {
        await using var connection = await db.OpenAsync();
        return await LeaseStateAsync(connection, id, token);
    }

    /// <summary>A task gone or cancelled counts as cancelled: either way its worker must stop and send nothing more.</summary>
    private static async Task<LeaseState> LeaseStateAsync(DbConnection connection, string id, string token)
    {
        var row = await connection.QuerySingleOrDefaultAsync<(string Status, string? LeaseToken)>(
            "SELECT status, lease_token FROM tasks WHERE id = @id", new { id });
        if (row.Status is null || row.Status == TaskStates.Cancelled) return LeaseState.Cancelled;
        return row.Status == TaskStates.Running && row.LeaseToken == token ? LeaseState.Held : LeaseState.Lost;
    }

    /// <summary>Whether a task row exists at all (deleted tasks keep theirs): a worker naming an id that never existed is told so.</summary>
    public static async Task<bool> ExistsAsync(Db db, string id)
    {
        await using var connection = await db.OpenAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM tasks WHERE id = @id", new { id }) > 0;
    }

    /// <summary>Whether the task succeeded with this first output: output keys name their lease, so only that lease's complete did it.</summary>
    public static async Task<bool> SucceededWithOutputAsync(Db db, string id, string firstOutputKey)
    {
        await using var connection = await db.OpenAsync();
        return await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM tasks WHERE id = @id AND status = 'succeeded' AND output_blob = @firstOutputKey", new { id, firstOutputKey }) > 0;
    }

    public static Task<bool> CompleteAsync(Db db, string id, string token, IReadOnlyList<string> outputs) =>
        FinishAsync(db, id, token, TaskStates.Succeeded, null, null, outputs);

    public static Task<bool> FailAsync(Db db, string id, string token, string failureCode, string failure) =>
        FinishAsync(db, id, token, TaskStates.Failed, failureCode, failure);

    private static async Task<bool> FinishAsync(Db db, string id, string token, string status, string? code, string? failure, IReadOnlyList<string>? outputs = null)
    {
        var parameters = new
        {
            id, token, status, code, failure, outputBlob = outputs?.FirstOrDefault(),
            outputList = outputs is { Count: > 1 } ? System.Text.Json.JsonSerializer.Serialize(outputs) : null, now = Clock.NowMs(),
        };
        return await db.WriteAsync(WritePriority.Queue, async (connection, tx) =>
        {
            if (await connection.ExecuteAsync(FinishSql, parameters, tx) != 1) return false;
            await Ledger.SettleAsync(connection, tx, id, Ledger.ChargesFor(status, code));
            await WebhookOutbox.EnqueueAsync(connection, tx, id);
            return true;
        });
    }

    private const string FinishSql =
        """
        UPDATE tasks SET status = @status, failure_code = @code, failure = @failure, output_blob = @outputBlob, outputs = @outputList,
               progress = CASE WHEN @status = 'succeeded' THEN 1 ELSE progress END, finished_at = @now,
               lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL
        WHERE id = @id AND lease_token = @token AND status = 'running'
        """;

    /// <summary>
    /// Cancels an active task inside the caller's transaction (the caller found it through its own
    /// organization): releases its hold and queues its webhook. The status guard loses cleanly against a
    /// worker finishing at the same moment; the worker's next heartbeat stops the render. False when the
    /// task was no longer active.
    /// </summary>
    public static async Task<bool> CancelAsync(DbConnection connection, DbTransaction tx, string id)
    {
        var cancelled = await connection.ExecuteAsync(
            """
            UPDATE tasks SET status = 'cancelled', finished_at = @now, lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL
            WHERE id = @id AND status IN ('queued', 'throttled', 'running')
            """, new { id, now = Clock.NowMs() }, tx);
        if (cancelled != 1) return false;
        await Ledger.SettleAsync(connection, tx, id, charge: false);
        await WebhookOutbox.EnqueueAsync(connection, tx, id);
        return true;
    }

    /// <summary>On a graceful shutdown the task goes straight back to the queue instead of waiting for its lease to expire.</summary>
    public static async Task<bool> ReleaseAsync(Db db, string id, string token)
    {
        await using var connection = await db.OpenAsync();
        // CASE rather than MAX(a, b): SQLite's two-argument MAX is GREATEST on PostgreSQL.
        var rows = await connection.ExecuteAsync(
            """
            UPDATE tasks SET status = 'queued', progress = NULL, lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL,
                   attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END
            WHERE id = @id AND lease_token = @token AND status = 'running'
            """, new { id, token });
        if (rows == 1) await Db.NotifyTasksAsync(connection, null); // a worker on another node can take it at once
        return rows == 1;
    }

    /// <summary>Tasks whose worker died go back to the queue; after too many attempts they fail and their hold is released.</summary>
    public static async Task<int> ReapExpiredAsync(Db db, int maxAttempts)
    {
        await using var connection = await db.OpenAsync();
        var now = Clock.NowMs();
        // A read first: most passes find nothing, and on SQLite a write transaction would take the database's write
        // lock every half second on every node for nothing (and a node frozen while holding it stalls the others).
        if (await connection.ExecuteScalarAsync<long>(
                "SELECT COUNT(*) FROM tasks WHERE status = 'running' AND lease_expires_at < @now", new { now }) == 0) return 0;
        await using var tx = Db.BeginWrite(connection);
        // Every node reaps; on PostgreSQL one at a time is enough, and the others need not wait.
        if (!await Db.TryLockAsync(connection, tx, "reelay:reaper")) return 0;
        var requeued = await connection.ExecuteAsync(
            """
            UPDATE tasks SET status = 'queued', progress = NULL, lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL
            WHERE status = 'running' AND lease_expires_at < @now AND attempts < @maxAttempts
            """, new { now, maxAttempts }, tx);
        var exhausted = (await connection.QueryAsync<string>(
            "SELECT id FROM tasks WHERE status = 'running' AND lease_expires_at < @now AND attempts >= @maxAttempts", new { now, maxAttempts }, tx)).ToList();
        var failed = 0;
        foreach (var id in exhausted)
        {
            // The guard repeats the pick: on PostgreSQL (READ COMMITTED) its worker may have finished in between.
            var rows = await connection.ExecuteAsync(
                """
                UPDATE tasks SET status = 'failed', failure_code = 'INTERNAL', failure = @failure, finished_at = @now,
                       lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL
                WHERE id = @id AND status = 'running' AND lease_expires_at < @now
                """, new { id, now, failure = $"The task was interrupted {maxAttempts} times and was stopped. Please try again." }, tx);
            if (rows == 0) continue;
            failed++;
            await Ledger.SettleAsync(connection, tx, id, charge: false);
            await WebhookOutbox.EnqueueAsync(connection, tx, id);
        }
        if (requeued > 0) await Db.NotifyTasksAsync(connection, tx);
        await tx.CommitAsync();
        return requeued + failed;
    }
}
