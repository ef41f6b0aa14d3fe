using System.Diagnostics;
using System.Text.Json.Nodes;
using Reelay.Server.Features.Telemetry;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Webhooks;

/// <summary>
/// Sends the outbox: Webhooks:Concurrency loops, each claiming the most overdue delivery with a lease, making one signed
/// attempt, logging it and scheduling the next one (Webhooks:RetryDelaysSeconds, or the surface's own schedule) until it is delivered or has failed.
/// </summary>
public sealed class WebhookDispatcher(Db db, WebhookOptions options, WebhookSender sender, PublicUrls urls, ILogger<WebhookDispatcher> logger)
    : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Concurrency == 0)
        {
            logger.LogInformation("Webhooks:Concurrency is 0: this node sends no webhooks");
            return Task.CompletedTask;
        }
        return Task.WhenAll(Enumerable.Range(0, options.Concurrency).Select(_ => LoopAsync(stoppingToken)));
    }

    private async Task LoopAsync(CancellationToken stoppingToken)
    {
        await Task.Yield(); // let host start-up continue; the loops run in the background
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var delivery = await WebhookDeliveries.ClaimAsync(db, options.Lease);
                if (delivery is null)
                {
                    await Task.Delay(options.PollInterval, stoppingToken);
                    continue;
                }
                await DeliverAsync(delivery, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // A claimed delivery stays leased and is retried after the lease; the loop itself must keep going.
                logger.LogError(ex, "Webhook dispatch failed; retrying in a second");
                await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None);
            }
        }
    }

    private async Task DeliverAsync(ClaimedDelivery delivery, CancellationToken stoppingToken)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["TaskId"] = delivery.TaskId, ["OrganizationId"] = delivery.OrgId, ["DeliveryId"] = delivery.Id });
        using var activity = ReelayTracing.StartFrom("webhook.deliver", delivery.TraceParent, delivery.TaskId, delivery.OrgId);
        activity?.SetTag("reelay.webhook.event", delivery.EventType ?? "callback");
        var kind = delivery.EndpointId is null ? "callback" : "endpoint";
        // A registered endpoint may have been disabled or deleted since the event was queued: then nothing is sent.
        if (delivery.EndpointId is { } endpointId && await WebhookEndpoints.FindAsync(db, delivery.OrgId, endpointId) is not { Enabled: true })
        {
            await WebhookDeliveries.RecordAsync(db, delivery, Clock.NowMs(), 0,
                new AttemptOutcome(false, null, "The webhook endpoint was disabled or deleted; nothing was sent.", null, Final: true), null);
            return;
        }
        var body = BodyOf(delivery);
        var secrets = await WebhookSecrets.ActiveAsync(db, delivery.OrgId);
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var message = new SignedMessage(delivery.Id, timestamp, body, WebhookSecrets.Sign(secrets.Select(s => s.Secret), delivery.Id, timestamp, body));

        var startedAt = Clock.NowMs();
        var watch = Stopwatch.StartNew();
        AttemptOutcome outcome;
        var schedule = delivery.EventType == TaskEvents.Test ? null : WebhookBodies.Find(delivery.Surface ?? "runblob")?.Schedule;
        try
        {
            outcome = await sender.SendAsync(delivery.Url, message, stoppingToken, options.AttemptTimeoutFor(schedule));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            await WebhookDeliveries.ReleaseAsync(db, delivery);
            throw;
        }
        var delays = options.RetryDelaysFor(schedule);
        var retryAfter = delivery.Attempt <= delays.Count ? delays[(int)delivery.Attempt - 1] : (TimeSpan?)null;
        await WebhookDeliveries.RecordAsync(db, delivery, startedAt, watch.ElapsedMilliseconds, outcome, retryAfter);
        var retrying = !outcome.Delivered && retryAfter is not null && !outcome.Final;
        ReelayMetrics.WebhookAttempted(kind, outcome.Delivered ? "delivered" : retrying ? "retrying" : "failed", watch.ElapsedMilliseconds);
        activity?.SetTag("http.response.status_code", outcome.StatusCode);
        if (!outcome.Delivered) activity?.SetStatus(ActivityStatusCode.Error, outcome.Error);
        if (delivery.EndpointId is { } endpoint
            && await WebhookEndpoints.RecordAttemptAsync(db, endpoint, outcome.Delivered, outcome.Error, options.DisableAfterFailures))
            logger.LogWarning("Webhook endpoint {EndpointId} disabled after {Count} failed attempts in a row", endpoint, options.DisableAfterFailures);

        if (outcome.Delivered)
            logger.LogInformation("Webhook {DeliveryId} for task {TaskId} delivered on attempt {Attempt} ({Status})", delivery.Id, delivery.TaskId, delivery.Attempt, outcome.StatusCode);
        else if (retrying)
            logger.LogWarning("Webhook {DeliveryId} attempt {Attempt} failed: {Error}; next attempt in {Delay} s", delivery.Id, delivery.Attempt, outcome.Error, retryAfter!.Value.TotalSeconds);
        else
            logger.LogWarning("Webhook {DeliveryId} for task {TaskId} failed after {Attempt} attempts: {Error}", delivery.Id, delivery.TaskId, delivery.Attempt, outcome.Error);
    }

    /// <summary>
    /// Rebuilt at every attempt (with a fresh signed output URL): a callback is the surface's own body; an endpoint's
    /// event wraps the task as its surface shows it with the event type and the time of the event.
    /// </summary>
    private string BodyOf(ClaimedDelivery delivery)
    {
        if (delivery.EventType == TaskEvents.Test) return Envelope(delivery, delivery.Payload);
        var surface = WebhookBodies.For(delivery.Surface);
        var data = surface.ForAttempt(delivery.Payload, (extension, index) => urls.OutputUrl(delivery.TaskId, null, extension, index));
        return delivery.EndpointId is null ? data : Envelope(delivery, data);
    }

    private static string Envelope(ClaimedDelivery delivery, string data) => new JsonObject
    {
        ["type"] = delivery.EventType,
        ["timestamp"] = Clock.Iso(delivery.CreatedAt),
        ["data"] = JsonNode.Parse(data),
    }.ToJsonString();
}
