using Dapper;
using Reelay.Server.Features.Catalog;
using Reelay.Server.Features.Credits;
using Reelay.Server.Features.Engines;
using Reelay.Server.Features.Queue;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Tasks;

public enum CreationOutcome { Created, DailyCapReached, InsufficientCredits }

public sealed record CreationResult(CreationOutcome Outcome, string Status = TaskStates.Queued, TimeSpan? RetryAfter = null);

/// <summary>
/// Creating a task, whichever surface asked: the daily cap, the credit check and hold, and the
/// PENDING/THROTTLED decision happen in one write transaction, so concurrent creates cannot overspend.
/// </summary>
public static class TaskCreation
{
    public static async Task<CreationResult> InsertAsync(
        Db db, string orgId, string? keyId, ModelDefinition model, string endpoint, string taskId,
        TaskParams parameters, Simulation? simulation, long price)
    {
        await using var connection = await db.OpenAsync();
        await using var tx = Db.BeginWrite(connection);
        var now = Clock.NowMs();
        var limits = await Limits.ForAsync(connection, tx, orgId, model);

        var dayAgo = now - (long)TimeSpan.FromDays(1).TotalMilliseconds;
        var today = (await connection.QueryAsync<long>(
            "SELECT created_at FROM tasks WHERE org_id = @orgId AND model = @model AND created_at > @dayAgo ORDER BY created_at",
            new { orgId, model = model.Id, dayAgo }, tx)).ToList();
        if (today.Count >= limits.MaxDailyGenerations)
        {
            // The cap is a rolling 24 hours: the next slot opens when the oldest task in the window leaves it.
            var freesAt = today[^Math.Max(1, limits.MaxDailyGenerations)] + (long)TimeSpan.FromDays(1).TotalMilliseconds;
            return new CreationResult(CreationOutcome.DailyCapReached, RetryAfter: TimeSpan.FromMilliseconds(Math.Max(1000, freesAt - now)));
        }

        if (await Ledger.BalanceAsync(connection, orgId, tx) < price)
            return new CreationResult(CreationOutcome.InsufficientCredits);

        var holdUntil = simulation is { ThrottleSeconds: > 0 } ? now + (long)(simulation.ThrottleSeconds * 1000) : (long?)null;
        var status = holdUntil is not null || await TaskQueue.MustThrottleAsync(connection, tx, orgId, model, limits)
            ? TaskStates.Throttled
            : TaskStates.Queued;

        await connection.ExecuteAsync(
            """
            INSERT INTO tasks (id, org_id, key_id, model, endpoint, params, simulate, status, price_credits, created_at, hold_until)
            VALUES (@taskId, @orgId, @keyId, @model, @endpoint, @params, @simulate, @status, @price, @now, @holdUntil)
            """,
            new { taskId, orgId, keyId, model = model.Id, endpoint, @params = parameters.ToJson(), simulate = simulation?.ToJson(), status, price, now, holdUntil }, tx);
        await Ledger.HoldAsync(connection, tx, orgId, taskId, model.Id, price);
        await tx.CommitAsync();
        return new CreationResult(CreationOutcome.Created, status);
    }
}
