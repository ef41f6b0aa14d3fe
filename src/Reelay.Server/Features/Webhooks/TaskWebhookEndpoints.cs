using System.Text.Json;
using Reelay.Server.Features.Assets;
using Reelay.Server.Features.Auth;
using Reelay.Server.Features.Catalog;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Webhooks;

/// <summary>The body of a create or update: every field optional on update; events default to every task event on create.</summary>
public sealed record WebhookEndpointBody(string? Url, List<string>? Events, List<string>? Models, List<string>? Endpoints, string? Description, bool? Enabled);

/// <summary>
/// Webhooks for every task: an organization's endpoints under /reelay/v1/webhooks (its own API key; Reelay's own
/// namespace, so no future Runway or RunBlob route can collide), and the same operations for the operator under
/// /admin/v1/organizations/{id}/webhooks (Admin:Token). Errors are {"error": "..."} like the rest of the admin API.
/// </summary>
public static class TaskWebhookEndpoints
{
    public const string BasePath = "/reelay/v1";

    public static void MapTaskWebhooks(this IEndpointRouteBuilder app, ReelayOptions options)
    {
        var own = app.MapGroup(BasePath).WithTags("Reelay: webhooks").RequireOrganizationKey();
        MapOperations(own, http => Caller.From(http).OrgId);
        own.MapGet("/webhook-secret", async (HttpContext http, Db db) => Secrets(await WebhookSecrets.ActiveAsync(db, Caller.From(http).OrgId)));
        own.MapPost("/webhook-secret/rotate", async (HttpContext http, Db db, WebhookOptions webhooks) =>
            HasBody(http.Request)
                ? Error(400, NoBodyMessage)
                : Secrets(await WebhookSecrets.RotateAsync(db, Caller.From(http).OrgId, webhooks.RotationOverlap)));

        if (options.AdminToken is null) return;
        var admin = app.MapGroup("/admin/v1/organizations/{id}").WithTags("Admin").RequireBearer(options.AdminToken, BearerToken.AdminRefusal)
            .AddEndpointFilter(async (context, next) =>
            {
                var id = context.HttpContext.GetRouteValue("id") as string ?? "";
                await using var connection = await context.HttpContext.RequestServices.GetRequiredService<Db>().OpenAsync();
                return await Organizations.Organizations.ExistsAsync(connection, id) ? await next(context) : Error(404, "Organization not found.");
            });
        MapOperations(admin, http => http.GetRouteValue("id") as string ?? "");
    }

    private static void MapOperations(RouteGroupBuilder group, Func<HttpContext, string> orgOf)
    {
        group.MapGet("/webhooks", async (HttpContext http, Db db) =>
            Results.Json(new { webhooks = (await WebhookEndpoints.ListAsync(db, orgOf(http))).Select(Describe) }));

        group.MapPost("/webhooks", async (HttpContext http, Db db, ModelCatalog catalog) =>
        {
            var (body, error) = await ReadAsync(http);
            if (body is null) return error!;
            if (body.Url is null) return Error(400, "'url' is required.");
            if (Check(body, catalog) is { } invalid) return invalid;
            var created = await WebhookEndpoints.CreateAsync(db, orgOf(http), Fields(body, creating: true));
            return created is null
                ? Error(409, $"An organization may register at most {WebhookEndpoints.MaxPerOrganization} webhook endpoints.")
                : Results.Json(Describe(created), statusCode: 201);
        });

        group.MapGet("/webhooks/{webhookId}", async (string webhookId, HttpContext http, Db db) =>
            await WebhookEndpoints.FindAsync(db, orgOf(http), webhookId) is { } found ? Results.Json(Describe(found)) : NotFound());

        group.MapPatch("/webhooks/{webhookId}", async (string webhookId, HttpContext http, Db db, ModelCatalog catalog) =>
        {
            var (body, error) = await ReadAsync(http);
            if (body is null) return error!;
            if (Check(body, catalog) is { } invalid) return invalid;
            var updated = await WebhookEndpoints.UpdateAsync(db, orgOf(http), webhookId, Fields(body, creating: false), body.Enabled);
            return updated is null ? NotFound() : Results.Json(Describe(updated));
        });

        group.MapDelete("/webhooks/{webhookId}", async (string webhookId, HttpContext http, Db db) =>
            await WebhookEndpoints.DeleteAsync(db, orgOf(http), webhookId) ? Results.NoContent() : NotFound());

        group.MapPost("/webhooks/{webhookId}/test", async (string webhookId, HttpContext http, Db db) =>
        {
            if (await WebhookEndpoints.FindAsync(db, orgOf(http), webhookId) is not { } endpoint) return NotFound();
            if (!endpoint.Enabled) return Error(409, "The endpoint is disabled; enable it first (PATCH with {\"enabled\": true}).");
            return Results.Json(new { deliveryId = await TaskEvents.EnqueueTestAsync(db, endpoint) }, statusCode: 202);
        });

        group.MapGet("/webhooks/{webhookId}/deliveries", async (string webhookId, string? limit, HttpContext http, Db db) =>
        {
            var count = WebhookAdminEndpoints.DefaultDeliveryLimit;
            if (limit is not null && (!int.TryParse(limit, out count) || count is < 1 or > WebhookAdminEndpoints.MaxDeliveryLimit))
                return Error(400, $"'limit' must be an integer from 1 to {WebhookAdminEndpoints.MaxDeliveryLimit}.");
            if (await WebhookEndpoints.FindAsync(db, orgOf(http), webhookId) is null) return NotFound();
            var recent = await WebhookDeliveries.RecentAsync(db, orgOf(http), count, webhookId);
            return Results.Json(new { deliveries = recent.Select(r => WebhookAdminEndpoints.DescribeDelivery(r.Delivery, r.Attempts)) });
        });

        group.MapPost("/webhook-deliveries/{deliveryId}/redeliver", async (string deliveryId, HttpContext http, Db db) =>
            await WebhookDeliveries.RedeliverAsync(db, orgOf(http), deliveryId)
                ? Results.Json(new { deliveryId, state = "pending" }, statusCode: 202)
                : Error(404, "Webhook delivery not found."));
    }

    /// <summary>The URL rules of callbacks (https, public host, the asset URL checks) and known event types, models, endpoints.</summary>
    public static IResult? Check(WebhookEndpointBody body, ModelCatalog catalog) => Problem(body, catalog) is { } problem ? Error(400, problem) : null;

    /// <summary>What is wrong with a registration (the API's 400 text and the portal's notice), or null.</summary>
    public static string? Problem(WebhookEndpointBody body, ModelCatalog catalog)
    {
        if (body.Url is not null && AddressSafety.CheckUrl(body.Url) is (null, var reason)) return "url: " + reason;
        if (body.Events is { } events)
        {
            if (events.Count == 0) return "'events' must name at least one event type.";
            if (events.FirstOrDefault(e => !TaskEvents.All.Contains(e)) is { } unknown)
                return $"Unknown event type '{unknown}'; the types are {string.Join(", ", TaskEvents.All)}.";
        }
        if (body.Models?.FirstOrDefault(m => catalog.Find(m) is null) is { } model) return $"Unknown model '{model}'.";
        var served = catalog.Models.SelectMany(m => m.Endpoints.Keys).ToHashSet();
        if (body.Endpoints?.FirstOrDefault(e => !served.Contains(e)) is { } endpoint) return $"Unknown endpoint '{endpoint}'.";
        if (body.Description is { Length: > 200 }) return "'description' must be at most 200 characters.";
        return null;
    }

    private static WebhookEndpointFields Fields(WebhookEndpointBody body, bool creating) => new(
        body.Url, body.Events is null ? creating ? TaskEvents.All : null : [.. body.Events.Distinct()], body.Models, body.Endpoints, body.Description);

    private static async Task<(WebhookEndpointBody? Body, IResult? Error)> ReadAsync(HttpContext http)
    {
        try
        {
            var body = await JsonSerializer.DeserializeAsync<WebhookEndpointBody>(http.Request.Body, JsonOptions, http.RequestAborted);
            return body is null ? (null, Error(400, "The body must be a JSON object.")) : (body, null);
        }
        catch (JsonException ex)
        {
            return (null, Error(400, "The body is not valid JSON for a webhook endpoint: " + ex.Message));
        }
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    public static object Describe(WebhookEndpoint e) => new
    {
        id = e.Id,
        url = e.Url,
        events = e.EventList,
        models = e.ModelList,
        endpoints = e.EndpointList,
        description = e.Description,
        enabled = e.Enabled,
        disabledReason = e.DisabledReason,
        disabledAt = e.DisabledAt is { } at ? Clock.Iso(at) : null,
        consecutiveFailures = e.FailureStreak,
        createdAt = Clock.Iso(e.CreatedAt),
    };

    private static IResult Secrets(IReadOnlyList<WebhookSecret> secrets) => Results.Json(new
    {
        secrets = secrets.Select((s, index) => new
        {
            secret = s.Secret,
            createdAt = Clock.Iso(s.CreatedAt),
            current = index == 0,
            retiresAt = s.RetiredAt is { } retired ? Clock.Iso(retired) : null,
        }),
    });

    public const string NoBodyMessage = "This endpoint takes no request body: send the POST without one.";

    /// <summary>
    /// A POST that acts without input (rotating the secret) refuses a body: one was meant for another endpoint, and
    /// acting on it anyway would change state on a request that is not what it claims to be.
    /// </summary>
    public static bool HasBody(HttpRequest request) => request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0;

    public static IResult Error(int status, string message) => Results.Json(new { error = message }, statusCode: status);

    private static IResult NotFound() => Error(404, "Webhook endpoint not found.");

    /// <summary>An organization's API key, as on the surfaces (no version header: this is Reelay's own API).</summary>
    private static RouteGroupBuilder RequireOrganizationKey(this RouteGroupBuilder group)
    {
        group.AddEndpointFilter(async (context, next) =>
        {
            var (caller, failure) = await Caller.AuthenticateAsync(context.HttpContext);
            if (caller is null) return Error(401, AuthFailureMessages.For(failure!.Value));
            Caller.Set(context.HttpContext, caller);
            return await next(context);
        });
        return group;
    }
}
