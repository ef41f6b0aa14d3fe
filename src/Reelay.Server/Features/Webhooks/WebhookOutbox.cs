using System.Data.Common;
using Dapper;
using Reelay.Server.Features.Tasks;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Webhooks;

/// <summary>
/// The durable outbox: the delivery row is written in the same transaction that ends the task, so a task that ended
/// always gets its webhook, even if the node dies a moment later (the dispatcher on any node picks it up).
/// </summary>
public static class WebhookOutbox
{
    /// <summary>Writes the delivery row for a finished task that has a callback_url, inside the transaction that ended it.</summary>
    public static async Task EnqueueAsync(DbConnection connection, DbTransaction tx, string taskId)
    {
        var row = await connection.QuerySingleOrDefaultAsync<TaskRow>(
            $"SELECT {TaskRow.Columns} FROM tasks WHERE id = @taskId", new { taskId }, tx);
        // Every end of a task passes here: its metrics, and the task events of the organization's endpoints.
        if (row is not null && TaskEvents.ForStatus(row.Status) is { } ended && TaskStates.IsTerminal(row.Status))
        {
            Telemetry.TaskTelemetry.Ended(row, row.StartedAt);
            await TaskEvents.EnqueueAsync(connection, tx, row, ended);
        }
        if (row is null || string.IsNullOrEmpty(row.CallbackUrl) || !TaskStates.IsTerminal(row.Status) || WebhookBodies.Find(row.Surface) is not { } body) return;
        var now = Clock.NowMs();
        // The unique index on task_id makes a second end-of-task call (a retried transaction, a race) a no-op.
        await connection.ExecuteAsync(
            """
            INSERT INTO webhook_deliveries (id, org_id, task_id, url, payload, surface, state, attempts, next_attempt_at, created_at, trace_parent)
            VALUES (@id, @orgId, @taskId, @url, @payload, @surface, 'pending', 0, @now, @now, (SELECT trace_parent FROM tasks WHERE id = @taskId))
            ON CONFLICT DO NOTHING
            """,
            new { id = NewDeliveryId(), orgId = row.OrgId, taskId, url = row.CallbackUrl, payload = body.Snapshot(row), surface = row.Surface, now }, tx);
    }

    public static string NewDeliveryId() => "whd_" + Guid.NewGuid().ToString("N");
}

/// <summary>
/// A surface's webhook body. The snapshot is taken in the transaction that ends the task, without output URLs; each
/// attempt fills in freshly signed ones, because a signed URL written into the outbox could expire before a late
/// retry (or an operator's replay) goes out. The surface that owns the body renders it: the queue never does.
/// </summary>
public interface IWebhookBody
{
    string Snapshot(TaskRow row);

    /// <summary>The body of one attempt; outputUrl signs a fresh URL for the output with the given extension.</summary>
    string ForAttempt(string snapshot, Func<string, string> outputUrl);

    /// <summary>The same, for bodies that list several outputs: outputUrl(extension, index).</summary>
    string ForAttempt(string snapshot, Func<string, int, string> outputUrl) => ForAttempt(snapshot, extension => outputUrl(extension, 0));

    /// <summary>The surface's own retry schedule; null: the configured default (Webhooks:RetryDelaysSeconds).</summary>
    WebhookSchedule? Schedule => null;
}

/// <summary>
/// A named retry schedule a surface documents (its delays before each retry, and a shorter per-attempt deadline if it
/// asks for one). Webhooks:Schedules:NAME (seconds, comma-separated) overrides the delays, as RetryDelaysSeconds does
/// for the default.
/// </summary>
public sealed record WebhookSchedule(string Name, IReadOnlyList<TimeSpan> Delays, TimeSpan? AttemptTimeout = null);

/// <summary>The webhook bodies by surface, registered by each surface when its routes are mapped.</summary>
public static class WebhookBodies
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, IWebhookBody> BySurface = new();

    public static void Register(string surface, IWebhookBody body) => BySurface[surface] = body;

    public static IWebhookBody? Find(string? surface) => surface is null ? null : BySurface.GetValueOrDefault(surface);

    /// <summary>Deliveries written before bodies had a surface are RunBlob's (the only surface that had callbacks).</summary>
    public static IWebhookBody For(string? surface) =>
        Find(surface ?? "runblob") ?? throw new InvalidOperationException($"No webhook body is registered for the '{surface}' surface.");
}
