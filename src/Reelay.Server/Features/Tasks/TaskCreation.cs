using System.Data.Common;
using Dapper;
using Reelay.Server.Features.Catalog;
using Reelay.Server.Features.Credits;
using Reelay.Server.Features.Engines;
using Reelay.Server.Features.Idempotency;
using Reelay.Server.Features.Queue;
using Reelay.Server.Infrastructure;
using Orgs = Reelay.Server.Features.Organizations.Organizations;

namespace Reelay.Server.Features.Tasks;

public enum CreationOutcome { Created, DailyCapReached, InsufficientCredits, Overloaded }

public sealed record CreationResult(CreationOutcome Outcome, string Status = TaskStates.Queued, TimeSpan? RetryAfter = null);

/// <summary>A validated task about to be created, whichever surface asked for it.</summary>
public sealed record NewTask(
    string TaskId, string OrgId, string? KeyId, ModelDefinition Model, GenerationRequest Request,
    Simulation? Simulation, TaskPrice Price, string Surface = "runway", string? CallbackUrl = null);

/// <summary>The response a create returns, fixed before the transaction so an idempotent replay returns the same bytes.</summary>
public sealed record CreatedResponse(int Status, string Body);

/// <summary>
/// Creating a task: the overload guard, the daily cap, the credit check and hold, the PENDING/THROTTLED
/// decision and the idempotency record happen in one write transaction, so concurrent creates cannot
/// overspend and a replay never sees a key without its task.
/// </summary>
public static class TaskCreation
{
    public static readonly TimeSpan OverloadRetryAfter = TimeSpan.FromSeconds(30);
    private static readonly long Day = (long)TimeSpan.FromDays(1).TotalMilliseconds;

    public static async Task<CreationResult> InsertAsync(Db db, ReelayOptions options, NewTask task, IdempotencyClaim? claim, CreatedResponse response)
    {
        // Read here, not in the write: on SQLite that may run on another create's flow (WriteGate's group commit).
        var traceParent = Telemetry.ReelayTracing.CurrentParent();
        var result = await db.WriteAsync(WritePriority.Create, (connection, tx) => InsertAsync(connection, tx, options, task, claim, response, traceParent));
        if (result.Outcome == CreationOutcome.Created)
            Telemetry.TaskTelemetry.Created(task.Model.Id, task.Request.Endpoint, task.Surface, result.Status, task.Price.HoldCredits);
        return result;
    }

    /// <summary>The create's write: on SQLite behind the workers' claims and finishes, possibly with other creates (WriteGate).</summary>
    private static async Task<CreationResult> InsertAsync(
        DbConnection connection, DbTransaction tx, ReelayOptions options, NewTask task, IdempotencyClaim? claim, CreatedResponse response, string? traceParent)
    {
        // PostgreSQL: the locks that stand in for SQLite's single writer, always taken in this order (organization,
        // organization+model) so creates never wait on each other crosswise: credits and the daily cap are the
        // organization's; the PENDING/THROTTLED decision must not interleave with a promotion of the same organization and model.
        await Orgs.LockAsync(connection, tx, task.OrgId, TaskQueue.ThrottleLock(task.OrgId, task.Model.Id));
        var now = Clock.NowMs();

        // Every check a create makes, read in one statement (one round trip, one plan) inside the locks.
        var (dayAgo, firstHour, firstHourEnd) = TaskCounts.Window(now);
        var state = await connection.QuerySingleAsync<CreateState>(StateSql,
            new { orgId = task.OrgId, model = task.Model.Id, now, dayAgo, firstHour, firstHourEnd }, tx);
        var limits = Limits.Resolve(task.Model, state.MaxConcurrent, state.MaxDaily);
        // The overload guard is a soft ceiling: on PostgreSQL it takes no lock (a global one serialized every create
        // of every organization), so creates running at the same moment on several connections may each see room and
        // pass it together, by at most the number of concurrent creates. On SQLite the write lock makes it exact.
        if (state.Waiting >= options.MaxQueuedTasks) return new CreationResult(CreationOutcome.Overloaded, RetryAfter: OverloadRetryAfter);
        if (state.Today >= limits.MaxDailyGenerations)
            return new CreationResult(CreationOutcome.DailyCapReached, RetryAfter: await DailyCapRetryAfterAsync(connection, tx, task, limits.MaxDailyGenerations, now));
        if (state.Balance < task.Price.HoldCredits) return new CreationResult(CreationOutcome.InsufficientCredits);

        var holdUntil = task.Simulation is { ThrottleSeconds: > 0 } ? now + (long)(task.Simulation.ThrottleSeconds * 1000) : (long?)null;
        var status = holdUntil is not null || TaskQueue.MustThrottle(state.Active, state.Throttled, limits)
            ? TaskStates.Throttled
            : TaskStates.Queued;

        await connection.ExecuteAsync(
            $"""
            INSERT INTO tasks (id, org_id, key_id, model, endpoint, params, simulate, status, price_credits, charge_credits, created_at, hold_until, surface, callback_url, prompt, trace_parent)
            VALUES (@TaskId, @orgId, @KeyId, @model, @endpoint, @parameters, @simulate, @status, @hold, @charge, @now, @holdUntil, @Surface, @CallbackUrl, @prompt, @traceParent);
            {TaskCounts.IncrementSql}
            """,
            new
            {
                task.TaskId, orgId = task.OrgId, task.KeyId, model = task.Model.Id, endpoint = task.Request.Endpoint, parameters = task.Request.ToJson(),
                simulate = task.Simulation?.ToJson(), status, hold = task.Price.HoldCredits,
                charge = task.Price.ChargeCredits < task.Price.HoldCredits ? task.Price.ChargeCredits : (long?)null,
                now, holdUntil, task.Surface, task.CallbackUrl, prompt = task.Request.PromptText, traceParent,
                hour = TaskCounts.Hour(now),
            }, tx);
        await Ledger.HoldAsync(connection, tx, task.OrgId, task.TaskId, task.Model.Id, task.Price.HoldCredits);
        if (claim is not null) await IdempotencyKeys.CompleteAsync(connection, tx, claim, response.Status, response.Body, task.TaskId);
        await Webhooks.TaskEvents.EnqueueAsync(connection, tx, task.OrgId, task.TaskId,
            status == TaskStates.Throttled ? [Webhooks.TaskEvents.Created, Webhooks.TaskEvents.Throttled] : [Webhooks.TaskEvents.Created]);
        await Db.NotifyTasksAsync(connection, tx);
        return new CreationResult(CreationOutcome.Created, status);
    }

    /// <summary>
    /// The overload guard's count (an index range over waiting tasks, ix_tasks_status_seq, bounded by the ceiling
    /// itself), the organization's limits for the model (NULL: the catalog's default tier), today's creates
    /// (<see cref="TaskCounts"/>), the balance, and the counts the PENDING/THROTTLED decision needs. Each feature owns its fragment.
    /// </summary>
    private static readonly string StateSql =
        $"""
        SELECT (SELECT COUNT(*) FROM tasks WHERE status IN ('queued', 'throttled')) AS Waiting,
               (SELECT max_concurrent FROM model_limits WHERE org_id = @orgId AND model = @model) AS MaxConcurrent,
               (SELECT max_daily FROM model_limits WHERE org_id = @orgId AND model = @model) AS MaxDaily,
               {TaskCounts.TodaySql} AS Today,
               {Ledger.BalanceSql} AS Balance,
               ({TaskQueue.ActiveCountSql}) AS Active,
               ({TaskQueue.ThrottledWaitingSql}) AS Throttled
        """;

    private sealed class CreateState
    {
        public long Waiting { get; init; }
        public long? MaxConcurrent { get; init; }
        public long? MaxDaily { get; init; }
        public long Today { get; init; }
        public long Balance { get; init; }
        public long Active { get; init; }
        public long Throttled { get; init; }
    }

    /// <summary>
    /// At the cap: when the next slot opens, i.e. when the oldest task that counts leaves the window (a rolling 24
    /// hours). Looked up only at the cap, over ix_tasks_org_model_created.
    /// </summary>
    private static async Task<TimeSpan> DailyCapRetryAfterAsync(DbConnection connection, DbTransaction tx, NewTask task, long cap, long now)
    {
        var parameters = new { task.OrgId, model = task.Model.Id, dayAgo = now - Day, skip = Math.Max(0, cap - 1) };
        var counted = await connection.ExecuteScalarAsync<long?>(
            "SELECT created_at FROM tasks WHERE org_id = @OrgId AND model = @model AND created_at > @dayAgo ORDER BY created_at DESC LIMIT 1 OFFSET @skip",
            parameters, tx);
        // No task in the window (a cap of 0): nothing will free a slot sooner than a day.
        var freesAt = (counted ?? now) + Day;
        return TimeSpan.FromMilliseconds(Math.Max(1000, freesAt - now));
    }
}
