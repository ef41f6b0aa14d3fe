using Dapper;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Webhooks;

/// <summary>A delivery claimed by one sender loop. <see cref="Attempt"/> (this attempt's number) fences every later write.</summary>
public sealed class ClaimedDelivery
{
    public string Id { get; init; } = "";
    public string OrgId { get; init; } = "";
    public string TaskId { get; init; } = "";
    public string Url { get; init; } = "";
    public string Payload { get; init; } = "";
    public string? Surface { get; init; }
    public long Attempt { get; init; }
    public long CreatedAt { get; init; }

    /// <summary>Set for deliveries to a registered endpoint (task events); null for a task's callback_url.</summary>
    public string? EndpointId { get; init; }
    public string? EventType { get; init; }
    public string? TraceParent { get; init; }
}

/// <summary>What one attempt came to. <see cref="Final"/> marks a failure that no retry can fix.</summary>
public sealed record AttemptOutcome(bool Delivered, int? StatusCode, string? Error, string? ResponseSnippet, bool Final = false);

/// <summary>The outbox queue in webhook_deliveries: claim with a lease, record each attempt, schedule the next one.</summary>
public static class WebhookDeliveries
{
    /// <summary>
    /// Claims the most overdue delivery. The claim bumps the attempt counter, so an attempt interrupted by a crash still
    /// counts (it may have reached the receiver) and the number identifies this claim for the writes that follow.
    /// </summary>
    public static async Task<ClaimedDelivery?> ClaimAsync(Db db, TimeSpan lease)
    {
        await using var connection = await db.OpenAsync();
        // SQLite: the pick and the claim happen under the write lock (BEGIN IMMEDIATE); PostgreSQL: the picked row is
        // locked and other claimers skip it. Either way two loops or nodes cannot pick the same row.
        await using var tx = Db.BeginWrite(connection);
        var now = Clock.NowMs();
        var claimed = await connection.QuerySingleOrDefaultAsync<ClaimedDelivery>(
            $"""
            UPDATE webhook_deliveries SET lease_until = @leaseUntil, attempts = attempts + 1
            WHERE id = (SELECT id FROM webhook_deliveries
                        WHERE state = 'pending' AND next_attempt_at <= @now AND (lease_until IS NULL OR lease_until < @now)
                        ORDER BY next_attempt_at LIMIT 1{Db.SkipLocked(connection)})
            RETURNING id AS Id, org_id AS OrgId, task_id AS TaskId, url AS Url, payload AS Payload, surface AS Surface, attempts AS Attempt,
                      created_at AS CreatedAt, endpoint_id AS EndpointId, event_type AS EventType, trace_parent AS TraceParent
            """, new { now, leaseUntil = now + (long)lease.TotalMilliseconds }, tx);
        await tx.CommitAsync();
        return claimed;
    }

    /// <summary>Logs the attempt and moves the delivery on: delivered, due again after <paramref name="retryAfter"/>, or failed.</summary>
    public static async Task RecordAsync(Db db, ClaimedDelivery delivery, long startedAt, long latencyMs, AttemptOutcome outcome, TimeSpan? retryAfter)
    {
        await using var connection = await db.OpenAsync();
        await using var tx = Db.BeginWrite(connection);
        var now = Clock.NowMs();
        // The attempt really happened, so it is logged even if the claim was lost meanwhile.
        await connection.ExecuteAsync(
            """
            INSERT INTO webhook_attempts (delivery_id, attempt, started_at, status_code, latency_ms, error, response_snippet)
            VALUES (@id, @attempt, @startedAt, @status, @latencyMs, @error, @snippet)
            """,
            new { id = delivery.Id, attempt = delivery.Attempt, startedAt, status = outcome.StatusCode, latencyMs, error = outcome.Error, snippet = outcome.ResponseSnippet }, tx);
        var (state, nextAttemptAt) = outcome.Delivered ? ("delivered", (long?)null)
            : retryAfter is { } delay && !outcome.Final ? ("pending", now + (long)delay.TotalMilliseconds)
            : ("failed", null);
        await connection.ExecuteAsync(
            """
            UPDATE webhook_deliveries
            SET state = @state, next_attempt_at = COALESCE(@nextAttemptAt, next_attempt_at), lease_until = NULL,
                finished_at = CASE WHEN @state = 'pending' THEN NULL ELSE @now END
            WHERE id = @id AND attempts = @attempt AND state = 'pending'
            """, new { id = delivery.Id, attempt = delivery.Attempt, state, nextAttemptAt, now }, tx);
        await tx.CommitAsync();
    }

    /// <summary>On a graceful shutdown mid-attempt, the delivery is due again at once (on any node) and the attempt is not counted.</summary>
    public static async Task ReleaseAsync(Db db, ClaimedDelivery delivery)
    {
        await using var connection = await db.OpenAsync();
        await connection.ExecuteAsync(
            "UPDATE webhook_deliveries SET lease_until = NULL, attempts = attempts - 1 WHERE id = @id AND attempts = @attempt AND state = 'pending'",
            new { id = delivery.Id, attempt = delivery.Attempt });
    }

    /// <summary>
    /// "Redeliver": the delivery (any state) is due again now, for one more attempt under the same webhook-id, so a
    /// receiver that stored it already can tell. False when the organization has no such delivery.
    /// </summary>
    public static async Task<bool> RedeliverAsync(Db db, string orgId, string id)
    {
        await using var connection = await db.OpenAsync();
        return await connection.ExecuteAsync(
            """
            UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = @now, lease_until = NULL, finished_at = NULL
            WHERE id = @id AND org_id = @orgId AND (state <> 'pending' OR lease_until IS NULL)
            """, new { id, orgId, now = Clock.NowMs() }) == 1
            || await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM webhook_deliveries WHERE id = @id AND org_id = @orgId", new { id, orgId }) == 1;
    }

    public sealed class DeliveryRow
    {
        public string Id { get; init; } = "";
        public string? EndpointId { get; init; }
        public string? EventType { get; init; }
        public string TaskId { get; init; } = "";
        public string Url { get; init; } = "";
        public string State { get; init; } = "";
        public long Attempts { get; init; }
        public long NextAttemptAt { get; init; }
        public long CreatedAt { get; init; }
        public long? FinishedAt { get; init; }
    }

    public sealed class AttemptRow
    {
        public string DeliveryId { get; init; } = "";
        public long Attempt { get; init; }
        public long StartedAt { get; init; }
        public long? StatusCode { get; init; }
        public long LatencyMs { get; init; }
        public string? Error { get; init; }
        public string? ResponseSnippet { get; init; }
    }

    /// <summary>The organization's newest deliveries, each with its attempts in order.</summary>
    public static async Task<IReadOnlyList<(DeliveryRow Delivery, IReadOnlyList<AttemptRow> Attempts)>> RecentAsync(Db db, string orgId, int limit, string? endpointId = null)
    {
        await using var connection = await db.OpenAsync();
        var deliveries = (await connection.QueryAsync<DeliveryRow>(
            $"""
            SELECT id AS Id, task_id AS TaskId, url AS Url, state AS State, attempts AS Attempts, next_attempt_at AS NextAttemptAt,
                   created_at AS CreatedAt, finished_at AS FinishedAt, endpoint_id AS EndpointId, event_type AS EventType
            FROM webhook_deliveries WHERE org_id = @orgId{(endpointId is null ? "" : " AND endpoint_id = @endpointId")}
            ORDER BY created_at DESC, id LIMIT @limit
            """, new { orgId, limit, endpointId })).ToList();
        var ids = deliveries.Select(d => d.Id).ToList();
        var attempts = (await connection.QueryAsync<AttemptRow>(
            $"""
            SELECT delivery_id AS DeliveryId, attempt AS Attempt, started_at AS StartedAt, status_code AS StatusCode, latency_ms AS LatencyMs,
                   error AS Error, response_snippet AS ResponseSnippet
            FROM webhook_attempts WHERE delivery_id {Db.InList(connection, "ids")} ORDER BY id
            """, new { ids })).ToLookup(a => a.DeliveryId);
        return [.. deliveries.Select(d => (d, (IReadOnlyList<AttemptRow>)[.. attempts[d.Id]]))];
    }
}
