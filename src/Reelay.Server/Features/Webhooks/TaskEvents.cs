using System.Collections.Concurrent;
using System.Data.Common;
using Dapper;
using Reelay.Server.Features.Tasks;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Webhooks;

/// <summary>
/// The task events an organization's webhook endpoints subscribe to. Each event's deliveries are written to the
/// outbox in the transaction that changes the task (so a restart loses none), one per matching enabled endpoint;
/// the body is the task as its surface shows it, wrapped with the event type and time at each attempt.
/// </summary>
public static class TaskEvents
{
    public const string Created = "task.created";
    public const string Throttled = "task.throttled";
    public const string Running = "task.running";
    public const string Progress = "task.progress";
    public const string Succeeded = "task.succeeded";
    public const string Failed = "task.failed";
    public const string Cancelled = "task.cancelled";
    public const string Test = "webhook.test";

    public static readonly IReadOnlyList<string> All = [Created, Throttled, Running, Progress, Succeeded, Failed, Cancelled];

    /// <summary>At most one task.progress per task per this interval (per node).</summary>
    public static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(1);

    private static readonly ConcurrentDictionary<string, (long At, double Value)> LastProgress = new();

    /// <summary>The event a task's new core state announces; null for states without one (queued after throttling).</summary>
    public static string? ForStatus(string status) => status switch
    {
        TaskStates.Throttled => Throttled,
        TaskStates.Running => Running,
        TaskStates.Succeeded => Succeeded,
        TaskStates.Failed => Failed,
        TaskStates.Cancelled => Cancelled,
        _ => null,
    };

    /// <summary>Whether an endpoint wants this event of this task (event type, then the optional model and endpoint filters).</summary>
    public static bool Matches(WebhookEndpoint endpoint, string eventType, string model, string taskEndpoint) =>
        endpoint.Enabled && endpoint.EventList.Contains(eventType)
        && (endpoint.ModelList is not { Count: > 0 } models || models.Contains(model))
        && (endpoint.EndpointList is not { Count: > 0 } endpoints || endpoints.Contains(taskEndpoint));

    /// <summary>Queues the events for a task inside the caller's transaction; costs one indexed read when the organization has no endpoints.</summary>
    public static async Task EnqueueAsync(DbConnection connection, DbTransaction tx, string orgId, string taskId, params string[] events)
    {
        var endpoints = await WebhookEndpoints.EnabledAsync(connection, tx, orgId);
        if (endpoints.Count == 0) return;
        var row = await connection.QuerySingleOrDefaultAsync<TaskRow>($"SELECT {TaskRow.Columns} FROM tasks WHERE id = @taskId", new { taskId }, tx);
        if (row is not null) await EnqueueAsync(connection, tx, row, endpoints, events);
    }

    public static async Task EnqueueAsync(DbConnection connection, DbTransaction tx, TaskRow row, string eventType)
    {
        var endpoints = await WebhookEndpoints.EnabledAsync(connection, tx, row.OrgId);
        if (endpoints.Count > 0) await EnqueueAsync(connection, tx, row, endpoints, eventType);
    }

    private static async Task EnqueueAsync(DbConnection connection, DbTransaction tx, TaskRow row, IReadOnlyList<WebhookEndpoint> endpoints, params string[] events)
    {
        if (WebhookBodies.Find(row.Surface) is not { } body) return;
        string? snapshot = null;
        var traceParent = await connection.ExecuteScalarAsync<string?>("SELECT trace_parent FROM tasks WHERE id = @id", new { id = row.Id }, tx);
        foreach (var eventType in events)
            foreach (var endpoint in endpoints.Where(e => Matches(e, eventType, row.Model, row.Endpoint)))
            {
                snapshot ??= body.Snapshot(row);
                var key = eventType == Progress ? null : $"{endpoint.Id}:{row.Id}:{eventType}";
                await InsertAsync(connection, tx, endpoint, row.Id, row.Surface, eventType, key, snapshot, traceParent);
            }
    }

    /// <summary>task.progress from a heartbeat: only when progress moved, and at most once a second per task.</summary>
    public static async Task ProgressAsync(Db db, string taskId, double progress)
    {
        var now = Clock.NowMs();
        if (LastProgress.TryGetValue(taskId, out var last) && (now - last.At < ProgressInterval.TotalMilliseconds || last.Value == progress)) return;
        LastProgress[taskId] = (now, progress);
        if (LastProgress.Count > 10_000) LastProgress.Clear(); // bounded: forgetting only allows one extra event
        try
        {
            await using var connection = await db.OpenAsync();
            var orgId = await connection.ExecuteScalarAsync<string?>("SELECT org_id FROM tasks WHERE id = @taskId AND status = 'running'", new { taskId });
            if (orgId is null || (await WebhookEndpoints.EnabledAsync(connection, null, orgId)).Count == 0) return;
            await using var tx = Db.BeginWrite(connection);
            await EnqueueAsync(connection, tx, orgId, taskId, Progress);
            await tx.CommitAsync();
        }
        catch (Exception ex) when (ex is DbException or InvalidOperationException)
        {
            // Progress events are advisory and the next heartbeat sends a newer one: a busy database must not fail the heartbeat that renews the lease.
        }
    }

    /// <summary>Forgets a task's progress throttle once it ended.</summary>
    public static void Ended(string taskId) => LastProgress.TryRemove(taskId, out _);

    /// <summary>A "send test event" delivery: a sample body with the organization's id, sent like any other.</summary>
    public static async Task<string> EnqueueTestAsync(Db db, WebhookEndpoint endpoint)
    {
        await using var connection = await db.OpenAsync();
        await using var tx = Db.BeginWrite(connection);
        var payload = System.Text.Json.JsonSerializer.Serialize(new { message = "A test event from Reelay.", endpointId = endpoint.Id, organizationId = endpoint.OrgId });
        var id = await InsertAsync(connection, tx, endpoint, "", null, Test, null, payload, ReelayTraceParent());
        await tx.CommitAsync();
        return id;
    }

    private static string? ReelayTraceParent() => Telemetry.ReelayTracing.CurrentParent();

    private static async Task<string> InsertAsync(DbConnection connection, DbTransaction tx, WebhookEndpoint endpoint, string taskId, string? surface,
        string eventType, string? key, string payload, string? traceParent)
    {
        var id = WebhookOutbox.NewDeliveryId();
        var now = Clock.NowMs();
        await connection.ExecuteAsync(
            """
            INSERT INTO webhook_deliveries (id, org_id, task_id, url, payload, surface, state, attempts, next_attempt_at, created_at,
                                            endpoint_id, event_type, event_key, trace_parent)
            VALUES (@id, @orgId, @taskId, @url, @payload, @surface, 'pending', 0, @now, @now, @endpointId, @eventType, @key, @traceParent)
            ON CONFLICT DO NOTHING
            """, new { id, orgId = endpoint.OrgId, taskId, url = endpoint.Url, payload, surface, now, endpointId = endpoint.Id, eventType, key, traceParent }, tx);
        return id;
    }
}
