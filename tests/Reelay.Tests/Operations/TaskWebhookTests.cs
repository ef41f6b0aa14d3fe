using System.Text.Json;
using Reelay.Tests.Api;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Operations;

/// <summary>Webhooks for every task: a real server, HTTPS receivers on a test server, signatures checked by an independent verifier.</summary>
public class TaskWebhookTests
{
    [Fact]
    public async Task Every_task_event_reaches_a_registered_endpoint_signed_with_the_organizations_secret()
    {
        await using var receivers = await AssetServer.StartAsync();
        await using var server = await ServerProcess.StartAsync(settings: TaskWebhooks.Settings());
        var api = new ReelayApi(server);
        var tenant = await api.NewTenantAsync();
        var receiver = WebhookReceiver.Map(receivers, TaskWebhooks.Host);
        await TaskWebhooks.RegisterAsync(api, tenant.Key, new { url = receiver.Url });
        var secret = await TaskWebhooks.SecretAsync(api, tenant.Key);

        var succeeded = await api.CreateTextTaskAsync(tenant.Key, simulate: "throttle=1, delay=3");
        var failed = await api.CreateTextTaskAsync(tenant.Key, simulate: "fail=INTERNAL");
        var cancelled = await api.CreateTextTaskAsync(tenant.Key, simulate: "delay=60");
        await api.WaitForAsync(tenant.Key, cancelled, s => s == "RUNNING");
        Assert.Equal(204, (await api.DeleteTaskAsync(tenant.Key, cancelled)).Status);

        bool Has(List<(string Type, JsonElement Data, WebhookReceiver.Request Request)> events, string id, string type) =>
            events.Any(e => e.Type == type && e.Data.GetProperty("id").GetString() == id);
        var events = await TaskWebhooks.WaitForEventAsync(receiver, secret, e =>
            Has(e, succeeded, "task.succeeded") && Has(e, failed, "task.failed") && Has(e, cancelled, "task.cancelled"));

        var ofSucceeded = events.Where(e => e.Data.GetProperty("id").GetString() == succeeded).ToList();
        foreach (var type in new[] { "task.created", "task.throttled", "task.running", "task.progress", "task.succeeded" })
            Assert.Contains(ofSucceeded, e => e.Type == type);
        // The data is the task as GET /v1/tasks/{id} shows it on the Runway surface, with a working output URL.
        var done = ofSucceeded.Single(e => e.Type == "task.succeeded").Data;
        Assert.Equal("SUCCEEDED", done.GetProperty("status").GetString());
        Assert.NotEmpty(await ReelayApi.DownloadAsync(done.GetProperty("output")[0].GetString()!));
        Assert.Equal("THROTTLED", ofSucceeded.First(e => e.Type == "task.throttled").Data.GetProperty("status").GetString());
        Assert.Equal("RUNNING", ofSucceeded.First(e => e.Type == "task.progress").Data.GetProperty("status").GetString());
        Assert.Equal("FAILED", events.Single(e => e.Type == "task.failed").Data.GetProperty("status").GetString());
        Assert.Equal("CANCELLED", events.Single(e => e.Type == "task.cancelled").Data.GetProperty("status").GetString());
        // Every body carries its event type and time; each event goes out once.
        foreach (var e in events)
            Assert.True(DateTimeOffset.TryParse(JsonDocument.Parse(e.Request.Body).RootElement.GetProperty("timestamp").GetString(), out _));
        Assert.Single(ofSucceeded, e => e.Type == "task.succeeded");
    }

    [Fact]
    public async Task Progress_events_of_one_task_come_at_most_once_a_second()
    {
        await using var receivers = await AssetServer.StartAsync();
        await using var server = await ServerProcess.StartAsync(settings: TaskWebhooks.Settings());
        var api = new ReelayApi(server);
        var tenant = await api.NewTenantAsync();
        var receiver = WebhookReceiver.Map(receivers, TaskWebhooks.Host);
        await TaskWebhooks.RegisterAsync(api, tenant.Key, new { url = receiver.Url, events = new[] { "task.progress", "task.succeeded" } });
        var secret = await TaskWebhooks.SecretAsync(api, tenant.Key);
        var id = await api.CreateTextTaskAsync(tenant.Key, simulate: "delay=4");
        var events = await TaskWebhooks.WaitForEventAsync(receiver, secret, e => e.Any(x => x.Type == "task.succeeded"));
        var progress = events.Where(e => e.Type == "task.progress").Select(e => DateTimeOffset.Parse(JsonDocument.Parse(e.Request.Body).RootElement.GetProperty("timestamp").GetString()!)).ToList();
        Assert.NotEmpty(progress);
        // The event time is when the event was queued; consecutive ones are at least a second apart (a little slack for clock rounding).
        foreach (var (a, b) in progress.Zip(progress.Skip(1)))
            Assert.True(b - a >= TimeSpan.FromMilliseconds(950), $"progress events {a:O} and {b:O} are closer than a second");
        Assert.All(events, e => Assert.Equal(id, e.Data.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task Filters_by_event_type_and_model_decide_which_endpoint_hears_of_a_task()
    {
        await using var receivers = await AssetServer.StartAsync();
        await using var server = await ServerProcess.StartAsync(settings: TaskWebhooks.Settings());
        var api = new ReelayApi(server);
        var tenant = await api.NewTenantAsync();
        var onlySucceeded = WebhookReceiver.Map(receivers, TaskWebhooks.Host);
        var otherModel = WebhookReceiver.Map(receivers, TaskWebhooks.Host);
        var otherEndpoint = WebhookReceiver.Map(receivers, TaskWebhooks.Host);
        await TaskWebhooks.RegisterAsync(api, tenant.Key, new { url = onlySucceeded.Url, events = new[] { "task.succeeded" }, models = new[] { "gen4.5" } });
        await TaskWebhooks.RegisterAsync(api, tenant.Key, new { url = otherModel.Url, models = new[] { "veo3.1" } });
        await TaskWebhooks.RegisterAsync(api, tenant.Key, new { url = otherEndpoint.Url, endpoints = new[] { "image_to_video" } });
        var secret = await TaskWebhooks.SecretAsync(api, tenant.Key);

        var id = await api.CreateTextTaskAsync(tenant.Key);
        var events = await TaskWebhooks.WaitForEventAsync(onlySucceeded, secret, e => e.Count >= 1);
        await api.WaitForAsync(tenant.Key, id, ReelayApi.IsTerminal);
        // A later event to the same endpoint would have been queued with the first: check the outbox is empty for the others.
        var log = await api.AdminAsync(HttpMethod.Get, $"/admin/v1/organizations/{tenant.OrgId}/webhook-deliveries?limit=100");
        Assert.Single(log.GetProperty("deliveries").EnumerateArray());
        Assert.Equal("task.succeeded", Assert.Single(events).Type);
        Assert.Empty(otherModel.Requests);
        Assert.Empty(otherEndpoint.Requests);
    }

    [Fact]
    public async Task Bad_registrations_are_refused_with_the_reason()
    {
        await using var server = await ServerProcess.StartAsync(settings: TaskWebhooks.Settings());
        var api = new ReelayApi(server);
        var tenant = await api.NewTenantAsync();
        async Task<string?> Refusal(object body)
        {
            var reply = await api.SendAsync(HttpMethod.Post, "/reelay/v1/webhooks", tenant.Key, body);
            Assert.Equal(400, reply.Status);
            return reply.Error;
        }
        Assert.StartsWith("url:", await Refusal(new { url = "http://example.com/hook" }));
        Assert.StartsWith("url:", await Refusal(new { url = "https://127.0.0.1/hook" }));
        Assert.Contains("task.nope", await Refusal(new { url = "https://example.com/hook", events = new[] { "task.nope" } }));
        Assert.Contains("no-such-model", await Refusal(new { url = "https://example.com/hook", models = new[] { "no-such-model" } }));
        Assert.Equal(401, (await api.SendAsync(HttpMethod.Get, "/reelay/v1/webhooks", "key_" + new string('0', 128))).Status);
    }

    [Fact]
    public async Task Another_organization_cannot_see_or_change_an_endpoint()
    {
        await using var server = await ServerProcess.StartAsync(settings: TaskWebhooks.Settings());
        var api = new ReelayApi(server);
        var owner = await api.NewTenantAsync();
        var stranger = await api.NewTenantAsync();
        var id = (await TaskWebhooks.RegisterAsync(api, owner.Key, new { url = "https://example.com/hook" })).GetProperty("id").GetString();
        Assert.Equal(404, (await api.SendAsync(HttpMethod.Get, $"/reelay/v1/webhooks/{id}", stranger.Key)).Status);
        Assert.Equal(404, (await api.SendAsync(HttpMethod.Delete, $"/reelay/v1/webhooks/{id}", stranger.Key)).Status);
        Assert.Equal(404, (await api.SendAsync(HttpMethod.Post, $"/reelay/v1/webhooks/{id}/test", stranger.Key)).Status);
        Assert.Empty((await api.SendAsync(HttpMethod.Get, "/reelay/v1/webhooks", stranger.Key)).Body.GetProperty("webhooks").EnumerateArray());
        // The operator sees it through the admin API.
        var listed = await api.AdminAsync(HttpMethod.Get, $"/admin/v1/organizations/{owner.OrgId}/webhooks");
        Assert.Equal(id, Assert.Single(listed.GetProperty("webhooks").EnumerateArray()).GetProperty("id").GetString());
    }
}
