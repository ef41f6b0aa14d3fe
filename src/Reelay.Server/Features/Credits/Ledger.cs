using System.Data.Common;
using Dapper;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Credits;

/// <summary>
/// The append-only credit ledger; a task's price is held at creation and settled once when the task ends. The
/// balance is the sum of an organization's entries, kept as a running total (org_balances) that every append updates
/// in its own transaction, so reading it costs one row however long the history.
/// </summary>
public static class Ledger
{
    /// <summary>The balance of the organization @orgId, as an SQL expression (a create reads it with its other checks).</summary>
    public const string BalanceSql = "COALESCE((SELECT balance FROM org_balances WHERE org_id = @orgId), 0)";

    public static Task<long> BalanceAsync(DbConnection connection, string orgId, DbTransaction? tx = null) =>
        connection.ExecuteScalarAsync<long>($"SELECT {BalanceSql}", new { orgId }, tx);

    /// <summary>The balance by its definition, the sum over the ledger: what the running total must always equal.</summary>
    public static Task<long> SummedBalanceAsync(DbConnection connection, string orgId, DbTransaction? tx = null) =>
        // The CAST: PostgreSQL's SUM of BIGINT is NUMERIC.
        connection.ExecuteScalarAsync<long>("SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM ledger_entries WHERE org_id = @orgId", new { orgId }, tx);

    public static async Task GrantAsync(DbConnection connection, string orgId, long credits, string reason, DbTransaction? tx = null)
    {
        if (tx is not null)
        {
            await AppendAsync(connection, tx, orgId, "grant", credits, null, null, reason);
            return;
        }
        // The entry and the running total commit together or not at all.
        await using var own = Db.BeginWrite(connection);
        await AppendAsync(connection, own, orgId, "grant", credits, null, null, reason);
        await own.CommitAsync();
    }

    /// <summary>
    /// Gives back credits a task was charged: a grant that names the task and its model, so usage reports it as negative
    /// spend on that model and day. At most the task's charge minus earlier refunds; returns the problem, or null.
    /// </summary>
    public static async Task<string?> RefundAsync(DbConnection connection, string orgId, string taskId, long credits, string reason)
    {
        await using var tx = Db.BeginWrite(connection);
        // PostgreSQL: the task row's lock serializes refunds of one task (SQLite's write transaction already does).
        await connection.ExecuteScalarAsync<string>($"SELECT id FROM tasks WHERE id = @taskId{Db.ForUpdate(connection)}", new { taskId }, tx);
        var task = await connection.QuerySingleAsync<(string? Model, long Charged, long Refunded)>(
            """
            SELECT MAX(model), CAST(COALESCE(SUM(CASE WHEN kind = 'charge' THEN -amount ELSE 0 END), 0) AS BIGINT),
                   CAST(COALESCE(SUM(CASE WHEN kind = 'grant' THEN amount ELSE 0 END), 0) AS BIGINT)
            FROM ledger_entries WHERE org_id = @orgId AND task_id = @taskId
            """, new { orgId, taskId }, tx);
        if (task.Model is null || task.Charged == 0) return $"Task '{taskId}' of this organization was not charged: there is nothing to refund.";
        if (credits > task.Charged - task.Refunded)
            return $"At most {task.Charged - task.Refunded} credits of task '{taskId}' can still be refunded (charged {task.Charged}, refunded {task.Refunded}).";
        await AppendAsync(connection, tx, orgId, "grant", credits, taskId, task.Model, reason);
        await tx.CommitAsync();
        return null;
    }

    public static Task HoldAsync(DbConnection connection, DbTransaction tx, string orgId, string taskId, string model, long credits) =>
        AppendAsync(connection, tx, orgId, "hold", -credits, taskId, model, "task created");

    /// <summary>How a finished task's hold ends: charged for work delivered (or refused by moderation), released otherwise.</summary>
    public static bool ChargesFor(string coreStatus, string? failureCode) => coreStatus switch
    {
        "succeeded" => true,
        "failed" => failureCode is not null && (failureCode.StartsWith("SAFETY.", StringComparison.Ordinal) || failureCode.Contains(".SAFETY.", StringComparison.Ordinal)),
        _ => false,
    };

    /// <summary>Settles a task's hold inside the transaction that ends the task; a second call is a no-op.</summary>
    public static async Task SettleAsync(DbConnection connection, DbTransaction tx, string taskId, bool charge)
    {
        // PostgreSQL: the task row's lock makes "no release yet, then release" one step for concurrent settlers.
        // A task whose duration was "auto" is charged what it rendered (charge_credits), less than its hold.
        var chargeCredits = await connection.ExecuteScalarAsync<long?>($"SELECT charge_credits FROM tasks WHERE id = @taskId{Db.ForUpdate(connection)}", new { taskId }, tx);
        var hold = await connection.QuerySingleOrDefaultAsync<HoldRow>(
            "SELECT org_id AS OrgId, model AS Model, -amount AS Amount FROM ledger_entries WHERE task_id = @taskId AND kind = 'hold'", new { taskId }, tx);
        if (hold is null) return;
        var settled = await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM ledger_entries WHERE task_id = @taskId AND kind = 'release'", new { taskId }, tx);
        if (settled > 0) return;
        await AppendAsync(connection, tx, hold.OrgId, "release", hold.Amount, taskId, hold.Model, "task ended");
        var charged = charge ? Math.Min(hold.Amount, chargeCredits ?? hold.Amount) : 0;
        if (charge) await AppendAsync(connection, tx, hold.OrgId, "charge", -charged, taskId, hold.Model, "task charged");
        Telemetry.ReelayMetrics.CreditsMoved("charged", hold.Model, charged);
        Telemetry.ReelayMetrics.CreditsMoved("released", hold.Model, hold.Amount - charged);
    }

    /// <summary>The one writer of ledger entries: the entry and the running total in one command of the caller's transaction.</summary>
    private static Task AppendAsync(DbConnection connection, DbTransaction tx, string orgId, string kind, long amount, string? taskId, string? model, string? reason) =>
        connection.ExecuteAsync(
            """
            INSERT INTO ledger_entries (org_id, kind, amount, task_id, model, reason, created_at)
            VALUES (@orgId, @kind, @amount, @taskId, @model, @reason, @now);
            INSERT INTO org_balances (org_id, balance) VALUES (@orgId, @amount)
            ON CONFLICT (org_id) DO UPDATE SET balance = org_balances.balance + excluded.balance;
            """, new { orgId, kind, amount, taskId, model, reason, now = Clock.NowMs() }, tx);

    private sealed class HoldRow
    {
        public string OrgId { get; init; } = "";
        public string? Model { get; init; }
        public long Amount { get; init; }
    }
}
