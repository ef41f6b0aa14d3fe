using System.Diagnostics;
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
        // Rebuilt and re-signed at every attempt: a fresh video_url, the secrets that sign now, this attempt's timestamp.
        var surface = WebhookBodies.For(delivery.Surface);
        var body = surface.ForAttempt(delivery.Payload, extension => urls.OutputUrl(delivery.TaskId, null, extension));
        var secrets = await WebhookSecrets.ActiveAsync(db, delivery.OrgId);
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var message = new SignedMessage(delivery.Id, timestamp, body, WebhookSecrets.Sign(secrets.Select(s => s.Secret), delivery.Id, timestamp, body));

        var startedAt = Clock.NowMs();
        var watch = Stopwatch.StartNew();
        AttemptOutcome outcome;
        try
        {
            outcome = await sender.SendAsync(delivery.Url, message, stoppingToken, options.AttemptTimeoutFor(surface.Schedule));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            await WebhookDeliveries.ReleaseAsync(db, delivery);
            throw;
        }
        var delays = options.RetryDelaysFor(surface.Schedule);
        var retryAfter = delivery.Attempt <= delays.Count ? delays[(int)delivery.Attempt - 1] : (TimeSpan?)null;
        await WebhookDeliveries.RecordAsync(db, delivery, startedAt, watch.ElapsedMilliseconds, outcome, retryAfter);

        if (outcome.Delivered)
            logger.LogInformation("Webhook {DeliveryId} for task {TaskId} delivered on attempt {Attempt} ({Status})", delivery.Id, delivery.TaskId, delivery.Attempt, outcome.StatusCode);
        else if (retryAfter is { } delay && !outcome.Final)
            logger.LogWarning("Webhook {DeliveryId} attempt {Attempt} failed: {Error}; next attempt in {Delay} s", delivery.Id, delivery.Attempt, outcome.Error, delay.TotalSeconds);
        else
            logger.LogWarning("Webhook {DeliveryId} for task {TaskId} failed after {Attempt} attempts: {Error}", delivery.Id, delivery.TaskId, delivery.Attempt, outcome.Error);
    }
}
