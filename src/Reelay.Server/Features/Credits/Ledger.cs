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

    /// <summary>The same outside a transaction, for the organization read: through a prepared statement.</summary>
    public static Task<long> BalanceAsync(Db db, string orgId) => db.QuerySingleOrDefaultAsync<long>($"SELECT {BalanceSql}", ("orgId", orgId));

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

    /// <summary>
    /// Settles a task's hold inside the transaction that ends the task, after that transaction's UPDATE of the task
    /// row (which holds its lock on PostgreSQL); a second call is a no-op.
    /// </summary>
    public static async Task SettleAsync(DbConnection connection, DbTransaction tx, string taskId, bool charge)
    {
        // Every caller has just changed the task's row in this transaction under a status guard (finish, cancel, reap),
        // so on PostgreSQL the row's lock is already held and serializes settlers (a second one's guard then finds
        // the task ended and never gets here); SQLite's write transaction does the same.
        // One read: the hold, whether it was released already, and what an "auto" duration task rendered (charge_credits, less than its hold).
        var hold = await connection.QuerySingleOrDefaultAsync<HoldRow>(
            """
            SELECT t.charge_credits AS ChargeCredits, h.org_id AS OrgId, h.model AS Model, -h.amount AS Amount,
                   (SELECT COUNT(*) FROM ledger_entries r WHERE r.task_id = t.id AND r.kind = 'release') AS Releases
            FROM tasks t JOIN ledger_entries h ON h.task_id = t.id AND h.kind = 'hold'
            WHERE t.id = @taskId
            """, new { taskId }, tx);
        if (hold is null || hold.Releases > 0) return;
        var chargeCredits = hold.ChargeCredits;
        var charged = charge ? Math.Min(hold.Amount, chargeCredits ?? hold.Amount) : 0;
        // The release and the charge in one round trip: each entry with its running-total update (AppendSql).
        await connection.ExecuteAsync(charge ? AppendSql() + AppendSql("2") : AppendSql(),
            new
            {
                orgId = hold.OrgId, taskId, model = hold.Model, now = Clock.NowMs(),
                kind = "release", amount = hold.Amount, reason = "task ended",
                kind2 = "charge", amount2 = -charged, reason2 = "task charged",
            }, tx);
        Telemetry.ReelayMetrics.CreditsMoved("charged", hold.Model, charged);
        Telemetry.ReelayMetrics.CreditsMoved("released", hold.Model, hold.Amount - charged);
    }

    /// <summary>The one writer of ledger entries: the entry and the running total in one command of the caller's transaction.</summary>
    private static Task AppendAsync(DbConnection connection, DbTransaction tx, string orgId, string kind, long amount, string? taskId, string? model, string? reason) =>
        connection.ExecuteAsync(AppendSql(), new { orgId, kind, amount, taskId, model, reason, now = Clock.NowMs() }, tx);

    /// <summary>One ledger entry and the running total it moves, always together; a suffix names a second entry's kind, amount and reason in the same command.</summary>
    private static string AppendSql(string suffix = "") =>
        $"""
        INSERT INTO ledger_entries (org_id, kind, amount, task_id, model, reason, created_at)
        VALUES (@orgId, @kind{suffix}, @amount{suffix}, @taskId, @model, @reason{suffix}, @now);
        INSERT INTO org_balances (org_id, balance) VALUES (@orgId, @amount{suffix})
        ON CONFLICT (org_id) DO UPDATE SET balance = org_balances.balance + excluded.balance;
        """;

    private sealed class HoldRow
    {
        public long? ChargeCredits { get; init; }
        public long Releases { get; init; }
        public string OrgId { get; init; } = "";
        public string? Model { get; init; }
        public long Amount { get; init; }
    }
}
