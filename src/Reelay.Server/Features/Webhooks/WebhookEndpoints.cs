using System.Data.Common;
using Dapper;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Webhooks;

/// <summary>An organization's registered webhook endpoint (the lists are stored comma-separated).</summary>
public sealed class WebhookEndpoint
{
    public string Id { get; init; } = "";
    public string OrgId { get; init; } = "";
    public string Url { get; init; } = "";
    public string Events { get; init; } = "";
    public string? Models { get; init; }
    public string? Endpoints { get; init; }
    public string? Description { get; init; }
    public bool Enabled { get; init; }
    public string? DisabledReason { get; init; }
    public long? DisabledAt { get; init; }
    public long FailureStreak { get; init; }
    public long CreatedAt { get; init; }
    public long UpdatedAt { get; init; }

    public IReadOnlyList<string> EventList => Split(Events) ?? [];
    public IReadOnlyList<string>? ModelList => Split(Models);
    public IReadOnlyList<string>? EndpointList => Split(Endpoints);

    public static string? Join(IReadOnlyCollection<string>? items) => items is { Count: > 0 } ? string.Join(',', items) : null;

    private static List<string>? Split(string? text) => string.IsNullOrEmpty(text) ? null : [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries)];

    public const string Columns =
        """
        id AS Id, org_id AS OrgId, url AS Url, events AS Events, models AS Models, endpoints AS Endpoints, description AS Description,
        enabled AS Enabled, disabled_reason AS DisabledReason, disabled_at AS DisabledAt, failure_streak AS FailureStreak,
        created_at AS CreatedAt, updated_at AS UpdatedAt
        """;
}

/// <summary>The webhook_endpoints table. Every lookup names the organization: tenant isolation lives here.</summary>
public static class WebhookEndpoints
{
    public const int MaxPerOrganization = 20;

    public static string NewId() => "whe_" + Guid.NewGuid().ToString("N");

    public static async Task<IReadOnlyList<WebhookEndpoint>> EnabledAsync(DbConnection connection, DbTransaction? tx, string orgId) =>
        [.. await connection.QueryAsync<WebhookEndpoint>(
            $"SELECT {WebhookEndpoint.Columns} FROM webhook_endpoints WHERE org_id = @orgId AND enabled = 1", new { orgId }, tx)];

    public static async Task<IReadOnlyList<WebhookEndpoint>> ListAsync(Db db, string orgId)
    {
        await using var connection = await db.OpenAsync();
        return [.. await connection.QueryAsync<WebhookEndpoint>(
            $"SELECT {WebhookEndpoint.Columns} FROM webhook_endpoints WHERE org_id = @orgId ORDER BY created_at, id", new { orgId })];
    }

    public static async Task<WebhookEndpoint?> FindAsync(Db db, string orgId, string id)
    {
        await using var connection = await db.OpenAsync();
        return await FindAsync(connection, null, orgId, id);
    }

    private static Task<WebhookEndpoint?> FindAsync(DbConnection connection, DbTransaction? tx, string orgId, string id) =>
        connection.QuerySingleOrDefaultAsync<WebhookEndpoint>(
            $"SELECT {WebhookEndpoint.Columns} FROM webhook_endpoints WHERE org_id = @orgId AND id = @id", new { orgId, id }, tx);

    /// <summary>Null when the organization already has <see cref="MaxPerOrganization"/> endpoints.</summary>
    public static async Task<WebhookEndpoint?> CreateAsync(Db db, string orgId, WebhookEndpointFields fields)
    {
        await using var connection = await db.OpenAsync();
        await using var tx = Db.BeginWrite(connection);
        await Organizations.Organizations.LockAsync(connection, tx, orgId);
        if (await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM webhook_endpoints WHERE org_id = @orgId", new { orgId }, tx) >= MaxPerOrganization)
            return null;
        var id = NewId();
        var now = Clock.NowMs();
        await connection.ExecuteAsync(
            """
            INSERT INTO webhook_endpoints (id, org_id, url, events, models, endpoints, description, enabled, failure_streak, created_at, updated_at)
            VALUES (@id, @orgId, @Url, @events, @models, @endpoints, @Description, 1, 0, @now, @now)
            """, new { id, orgId, fields.Url, events = WebhookEndpoint.Join(fields.Events), models = WebhookEndpoint.Join(fields.Models),
                endpoints = WebhookEndpoint.Join(fields.Endpoints), fields.Description, now }, tx);
        var created = await FindAsync(connection, tx, orgId, id);
        await tx.CommitAsync();
        return created;
    }

    /// <summary>Replaces the given fields; enabling again clears the failure streak and the reason.</summary>
    public static async Task<WebhookEndpoint?> UpdateAsync(Db db, string orgId, string id, WebhookEndpointFields fields, bool? enabled)
    {
        await using var connection = await db.OpenAsync();
        await connection.ExecuteAsync(
            """
            UPDATE webhook_endpoints SET
              url = COALESCE(@Url, url), events = COALESCE(@events, events), description = COALESCE(@Description, description),
              models = CASE WHEN @setModels = 1 THEN @models ELSE models END,
              endpoints = CASE WHEN @setEndpoints = 1 THEN @endpoints ELSE endpoints END,
              enabled = CASE WHEN @enabled IS NULL THEN enabled WHEN @enabled = 1 THEN 1 ELSE 0 END,
              failure_streak = CASE WHEN @enabled = 1 THEN 0 ELSE failure_streak END,
              disabled_reason = CASE WHEN @enabled = 1 THEN NULL WHEN @enabled = 0 THEN 'Disabled by the organization.' ELSE disabled_reason END,
              disabled_at = CASE WHEN @enabled = 1 THEN NULL WHEN @enabled = 0 THEN @now ELSE disabled_at END,
              updated_at = @now
            WHERE org_id = @orgId AND id = @id
            """, new
            {
                orgId, id, fields.Url, events = fields.Events is null ? null : WebhookEndpoint.Join(fields.Events), fields.Description,
                setModels = fields.Models is null ? 0 : 1, models = WebhookEndpoint.Join(fields.Models),
                setEndpoints = fields.Endpoints is null ? 0 : 1, endpoints = WebhookEndpoint.Join(fields.Endpoints),
                enabled = enabled is null ? (int?)null : enabled.Value ? 1 : 0, now = Clock.NowMs(),
            });
        return await FindAsync(connection, null, orgId, id);
    }

    /// <summary>Deletes the endpoint; its pending deliveries fail (the dispatcher finds no endpoint for them).</summary>
    public static async Task<bool> DeleteAsync(Db db, string orgId, string id)
    {
        await using var connection = await db.OpenAsync();
        return await connection.ExecuteAsync("DELETE FROM webhook_endpoints WHERE org_id = @orgId AND id = @id", new { orgId, id }) == 1;
    }

    /// <summary>
    /// After each attempt to an endpoint: a success clears the run of failures; a failure extends it, and the
    /// <paramref name="disableAfter"/>th in a row disables the endpoint with the reason. True when this attempt disabled it.
    /// </summary>
    public static async Task<bool> RecordAttemptAsync(Db db, string endpointId, bool delivered, string? error, int disableAfter)
    {
        await using var connection = await db.OpenAsync();
        if (delivered)
        {
            await connection.ExecuteAsync("UPDATE webhook_endpoints SET failure_streak = 0 WHERE id = @endpointId AND failure_streak <> 0", new { endpointId });
            return false;
        }
        var reason = $"Disabled after {disableAfter} failed delivery attempts in a row; the last: {error ?? "no answer"}";
        return await connection.ExecuteScalarAsync<long?>(
            """
            UPDATE webhook_endpoints SET failure_streak = failure_streak + 1,
              enabled = CASE WHEN failure_streak + 1 >= @disableAfter THEN 0 ELSE enabled END,
              disabled_reason = CASE WHEN failure_streak + 1 >= @disableAfter AND enabled = 1 THEN @reason ELSE disabled_reason END,
              disabled_at = CASE WHEN failure_streak + 1 >= @disableAfter AND enabled = 1 THEN @now ELSE disabled_at END
            WHERE id = @endpointId
            RETURNING CASE WHEN failure_streak >= @disableAfter AND disabled_at = @now THEN 1 ELSE 0 END
            """, new { endpointId, disableAfter, reason, now = Clock.NowMs() }) == 1;
    }
}

/// <summary>What a create or update sets; null fields are left as they are (on create: events default to all).</summary>
public sealed record WebhookEndpointFields(string? Url, IReadOnlyList<string>? Events, IReadOnlyList<string>? Models, IReadOnlyList<string>? Endpoints, string? Description);
