using Reelay.Server.Infrastructure;
using Orgs = Reelay.Server.Features.Organizations.Organizations;

namespace Reelay.Server.Features.Webhooks;

public static class WebhookAdminEndpoints
{
    public const int DefaultDeliveryLimit = 20;
    public const int MaxDeliveryLimit = 100;

    /// <summary>Webhook secrets and the delivery log, on the operator API (Bearer Admin:Token); absent without a token.</summary>
    public static void MapWebhookAdmin(this IEndpointRouteBuilder app, ReelayOptions options)
    {
        if (options.AdminToken is null) return;
        var admin = app.MapGroup("/admin/v1/organizations/{id}").WithTags("Admin").RequireBearer(options.AdminToken, BearerToken.AdminRefusal);

        admin.MapGet("/webhook-secret", (string id, Db db) =>
            ForOrganizationAsync(db, id, () => WebhookSecrets.ActiveAsync(db, id)));

        admin.MapPost("/webhook-secret/rotate", (string id, Db db, WebhookOptions webhooks) =>
            ForOrganizationAsync(db, id, () => WebhookSecrets.RotateAsync(db, id, webhooks.RotationOverlap)));

        admin.MapPost("/webhook-secret/retire-previous", (string id, Db db) =>
            ForOrganizationAsync(db, id, () => WebhookSecrets.RetirePreviousAsync(db, id)));

        admin.MapGet("/webhook-deliveries", async (string id, string? limit, Db db) =>
        {
            var count = DefaultDeliveryLimit;
            if (limit is not null && (!int.TryParse(limit, out count) || count is < 1 or > MaxDeliveryLimit))
                return Results.Json(new { error = $"'limit' must be an integer from 1 to {MaxDeliveryLimit}." }, statusCode: 400);
            if (!await OrganizationExistsAsync(db, id)) return OrgNotFound();
            var recent = await WebhookDeliveries.RecentAsync(db, id, count);
            return Results.Json(new { deliveries = recent.Select(r => DescribeDelivery(r.Delivery, r.Attempts)) });
        });
    }

    private static async Task<IResult> ForOrganizationAsync(Db db, string id, Func<Task<IReadOnlyList<WebhookSecret>>> action)
    {
        if (!await OrganizationExistsAsync(db, id)) return OrgNotFound();
        var secrets = await action();
        return Results.Json(new
        {
            secrets = secrets.Select((s, index) => new
            {
                secret = s.Secret,
                createdAt = Clock.Iso(s.CreatedAt),
                current = index == 0,
                retiresAt = s.RetiredAt is { } retired ? Clock.Iso(retired) : null,
            }),
        });
    }

    public static object DescribeDelivery(WebhookDeliveries.DeliveryRow delivery, IReadOnlyList<WebhookDeliveries.AttemptRow> attempts) => new
    {
        id = delivery.Id,
        taskId = delivery.TaskId,
        webhookId = delivery.EndpointId,
        eventType = delivery.EventType,
        url = delivery.Url,
        state = delivery.State,
        attemptCount = delivery.Attempts,
        nextAttemptAt = delivery.State == "pending" ? Clock.Iso(delivery.NextAttemptAt) : null,
        createdAt = Clock.Iso(delivery.CreatedAt),
        finishedAt = delivery.FinishedAt is { } finished ? Clock.Iso(finished) : null,
        attempts = attempts.Select(a => new
        {
            attempt = a.Attempt,
            startedAt = Clock.Iso(a.StartedAt),
            status = a.StatusCode,
            latencyMs = a.LatencyMs,
            responseSnippet = a.ResponseSnippet,
            error = a.Error,
        }),
    };

    private static async Task<bool> OrganizationExistsAsync(Db db, string id)
    {
        await using var connection = await db.OpenAsync();
        return await Orgs.ExistsAsync(connection, id);
    }

    private static IResult OrgNotFound() => Results.Json(new { error = "Organization not found." }, statusCode: 404);
}
