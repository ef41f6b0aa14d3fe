using Reelay.Tests.Api;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Operations;

/// <summary>The delivery side of task webhooks: test event, redelivery, automatic disabling, the outbox across a restart, RunBlob tasks.</summary>
public class TaskWebhookDeliveryTests
{
    [Fact]
    public async Task A_test_event_is_sent_on_request_and_a_redelivery_repeats_it_under_the_same_webhook_id()
    {
        await using var receivers = await AssetServer.StartAsync();
        await using var server = await ServerProcess.StartAsync(settings: TaskWebhooks.Settings());
        var api = new ReelayApi(server);
        var tenant = await api.NewTenantAsync();
        var receiver = WebhookReceiver.Map(receivers, TaskWebhooks.Host);
        var endpoint = await TaskWebhooks.RegisterAsync(api, tenant.Key, new { url = receiver.Url });
        var id = endpoint.GetProperty("id").GetString();
        var secret = await TaskWebhooks.SecretAsync(api, tenant.Key);

        var test = await api.SendAsync(HttpMethod.Post, $"/reelay/v1/webhooks/{id}/test", tenant.Key);
        Assert.Equal(202, test.Status);
        var first = await TaskWebhooks.WaitForEventAsync(receiver, secret, e => e.Count == 1);
        Assert.Equal("webhook.test", first[0].Type);
        Assert.Equal(tenant.OrgId, first[0].Data.GetProperty("organizationId").GetString());

        var deliveryId = test.Body.GetProperty("deliveryId").GetString();
        Assert.Equal(first[0].Request.Id, deliveryId);
        await TaskWebhooks.EndpointAsync(api, tenant.Key, id!, _ => true);
        var log = await api.SendAsync(HttpMethod.Get, $"/reelay/v1/webhooks/{id}/deliveries", tenant.Key);
        Assert.Equal("webhook.test", Assert.Single(log.Body.GetProperty("deliveries").EnumerateArray()).GetProperty("eventType").GetString());

        Assert.Equal(202, (await api.SendAsync(HttpMethod.Post, $"/reelay/v1/webhook-deliveries/{deliveryId}/redeliver", tenant.Key)).Status);
        var both = await TaskWebhooks.WaitForEventAsync(receiver, secret, e => e.Count == 2);
        Assert.Equal(both[0].Request.Id, both[1].Request.Id);
        Assert.Equal(404, (await api.SendAsync(HttpMethod.Post, "/reelay/v1/webhook-deliveries/whd_nope/redeliver", tenant.Key)).Status);
    }

    [Fact]
    public async Task An_endpoint_that_keeps_failing_is_disabled_with_the_reason_and_receives_nothing_more()
    {
        await using var receivers = await AssetServer.StartAsync();
        await using var server = await ServerProcess.StartAsync(settings: TaskWebhooks.Settings(retryDelays: "0.2,0.2,0.2,0.2,0.2", disableAfter: 3));
        var api = new ReelayApi(server);
        var tenant = await api.NewTenantAsync();
        var receiver = WebhookReceiver.Map(receivers, TaskWebhooks.Host, 500, 500, 500, 500, 500, 500, 500, 500);
        var id = (await TaskWebhooks.RegisterAsync(api, tenant.Key, new { url = receiver.Url, events = new[] { "task.succeeded" } })).GetProperty("id").GetString()!;

        await api.CreateTextTaskAsync(tenant.Key);
        var disabled = await TaskWebhooks.EndpointAsync(api, tenant.Key, id, e => !e.GetProperty("enabled").GetBoolean());
        Assert.Contains("3 failed delivery attempts in a row", disabled.GetProperty("disabledReason").GetString());
        Assert.Contains("500", disabled.GetProperty("disabledReason").GetString());
        Assert.Equal(3, receiver.Requests.Count);

        // Disabled: the next task's event is not queued for it, and a test event is refused until it is enabled again.
        var next = await api.CreateTextTaskAsync(tenant.Key);
        await api.WaitForAsync(tenant.Key, next, ReelayApi.IsTerminal);
        Assert.Equal(409, (await api.SendAsync(HttpMethod.Post, $"/reelay/v1/webhooks/{id}/test", tenant.Key)).Status);
        var enabled = await api.SendAsync(HttpMethod.Patch, $"/reelay/v1/webhooks/{id}", tenant.Key, new { enabled = true });
        Assert.True(enabled.Body.GetProperty("enabled").GetBoolean());
        Assert.Equal(0, enabled.Body.GetProperty("consecutiveFailures").GetInt64());
        Assert.Equal(3, receiver.Requests.Count);
    }

    [Fact]
    public async Task A_task_event_queued_before_a_crash_is_delivered_by_the_restarted_server()
    {
        await using var receivers = await AssetServer.StartAsync();
        var receiver = WebhookReceiver.Map(receivers, TaskWebhooks.Host, 503, 200);
        var dataDirectory = TestPaths.NewTempDirectory("reelay-task-webhooks");
        var settings = TaskWebhooks.Settings(retryDelays: "5,1,1");
        ReelayApi.Tenant tenant;
        string id;
        await using (var server = await ServerProcess.StartAsync(dataDirectory, settings))
        {
            var api = new ReelayApi(server);
            tenant = await api.NewTenantAsync();
            await TaskWebhooks.RegisterAsync(api, tenant.Key, new { url = receiver.Url, events = new[] { "task.succeeded" } });
            id = await api.CreateTextTaskAsync(tenant.Key);
            await receiver.WaitForAsync(1);
            await server.KillAsync();
        }
        var restartedAt = DateTimeOffset.UtcNow;
        await using var restarted = await ServerProcess.StartAsync(dataDirectory, settings);
        var again = new ReelayApi(restarted);
        var secret = await TaskWebhooks.SecretAsync(again, tenant.Key);
        var events = await TaskWebhooks.WaitForEventAsync(receiver, secret, e => e.Count == 2);
        Assert.True(events[1].Request.At > restartedAt);
        Assert.Equal(events[0].Request.Id, events[1].Request.Id);
        Assert.Equal(id, events[1].Data.GetProperty("id").GetString());
    }

    [Fact]
    public async Task A_runblob_task_shows_its_runblob_status_in_events_and_its_callback_url_still_gets_the_callback()
    {
        await using var receivers = await AssetServer.StartAsync();
        await using var server = await ServerProcess.StartAsync(settings: TaskWebhooks.Settings());
        var api = new ReelayApi(server);
        var tenant = await api.NewTenantAsync();
        var endpoint = WebhookReceiver.Map(receivers, TaskWebhooks.Host);
        var callback = WebhookReceiver.Map(receivers, TaskWebhooks.Host);
        await TaskWebhooks.RegisterAsync(api, tenant.Key, new { url = endpoint.Url, events = new[] { "task.created", "task.succeeded" } });
        var secret = await TaskWebhooks.SecretAsync(api, tenant.Key);
        var id = await Webhooks.CreateGenerationAsync(api, tenant.Key, callback.Url);

        var events = await TaskWebhooks.WaitForEventAsync(endpoint, secret, e => e.Any(x => x.Type == "task.succeeded"));
        var done = events.Single(e => e.Type == "task.succeeded").Data;
        Assert.Equal(id, done.GetProperty("generation_id").GetString());
        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.StartsWith("http", done.GetProperty("video_url").GetString());
        Assert.Equal("pending", events.Single(e => e.Type == "task.created").Data.GetProperty("status").GetString());
        var callbacks = await callback.WaitForAsync(1);
        Assert.True(StandardWebhooks.Verify(secret, callbacks[0]));
        // The callback is RunBlob's own body, not an event envelope.
        Assert.Equal(id, System.Text.Json.JsonDocument.Parse(callbacks[0].Body).RootElement.GetProperty("generation_id").GetString());
    }
}
