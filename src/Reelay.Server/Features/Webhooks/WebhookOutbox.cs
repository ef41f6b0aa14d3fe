using System.Data.Common;
using System.Text.Json.Nodes;
using Dapper;
using Reelay.Server.Features.RunBlob;
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
        if (row is null || string.IsNullOrEmpty(row.CallbackUrl) || !TaskStates.IsTerminal(row.Status)) return;
        var now = Clock.NowMs();
        // The unique index on task_id makes a second end-of-task call (a retried transaction, a race) a no-op.
        await connection.ExecuteAsync(
            """
            INSERT INTO webhook_deliveries (id, org_id, task_id, url, payload, state, attempts, next_attempt_at, created_at)
            VALUES (@id, @orgId, @taskId, @url, @payload, 'pending', 0, @now, @now)
            ON CONFLICT DO NOTHING
            """,
            new { id = NewDeliveryId(), orgId = row.OrgId, taskId, url = row.CallbackUrl, payload = WebhookPayload.Snapshot(row), now }, tx);
    }

    public static string NewDeliveryId() => "whd_" + Guid.NewGuid().ToString("N");
}

/// <summary>
/// The webhook body, in the words of GET /v1/sora/generations/{id}/ (RunBlobMapping). The snapshot taken when the task
/// ends is stored with video_url null; each attempt fills in a freshly signed video_url, because a signed URL written
/// into the outbox could expire before a late retry (or an operator's replay) goes out.
/// </summary>
public static class WebhookPayload
{
    public static string Snapshot(TaskRow row)
    {
        var generation = RunBlobMapping.ToGeneration(row, videoUrl: null, positionInQueue: null);
        var payload = new JsonObject
        {
            ["generation_id"] = generation.GenerationId,
            ["status"] = generation.Status,
            ["prompt"] = generation.Prompt,
            ["video_url"] = null,
            ["created_at"] = generation.CreatedAt,
            ["completed_at"] = generation.CompletedAt,
        };
        if (generation.Status == "failed") payload["error_message"] = generation.ErrorMessage;
        return payload.ToJsonString();
    }

    /// <summary>The body of one attempt: the snapshot, with a fresh video_url when the generation completed.</summary>
    public static string ForAttempt(string snapshot, Func<string> freshVideoUrl)
    {
        if (JsonNode.Parse(snapshot) is not JsonObject payload) return snapshot;
        if (payload["status"]?.GetValue<string>() == "completed") payload["video_url"] = freshVideoUrl();
        return payload.ToJsonString();
    }
}
