using System.Text.Json;
using Reelay.Tests.Api;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Operations;

/// <summary>Registering endpoints through /reelay/v1/webhooks with an organization's key, and reading what a receiver got.</summary>
public static class TaskWebhooks
{
    public const string Host = "hooks.assets.test";

    public static Dictionary<string, string> Settings(string retryDelays = "1,1,1,1,1", int disableAfter = 20) =>
        new(WebhookFixture.Settings($"{Host}=127.0.0.1", retryDelays)) { ["Webhooks:DisableAfterFailures"] = disableAfter.ToString() };

    public static async Task<JsonElement> RegisterAsync(ReelayApi api, string key, object body)
    {
        var reply = await api.SendAsync(HttpMethod.Post, "/reelay/v1/webhooks", key, body);
        Assert.True(reply.Status == 201, $"register failed: {reply.Status} {reply.Body}");
        return reply.Body;
    }

    public static async Task<string> SecretAsync(ReelayApi api, string key)
    {
        var reply = await api.SendAsync(HttpMethod.Get, "/reelay/v1/webhook-secret", key);
        Assert.Equal(200, reply.Status);
        return reply.Body.GetProperty("secrets").EnumerateArray().Single(s => s.GetProperty("current").GetBoolean()).GetProperty("secret").GetString()!;
    }

    /// <summary>The events a receiver got, each verified against the organization's secret; in arrival order.</summary>
    public static List<(string Type, JsonElement Data, WebhookReceiver.Request Request)> Events(WebhookReceiver receiver, string secret) =>
    [
        .. receiver.Requests.Select(r =>
        {
            Assert.True(StandardWebhooks.Verify(secret, r), $"bad signature on {r.Body}");
            var body = JsonDocument.Parse(r.Body).RootElement.Clone();
            return (body.GetProperty("type").GetString()!, body.GetProperty("data"), r);
        }),
    ];

    public static async Task<List<(string Type, JsonElement Data, WebhookReceiver.Request Request)>> WaitForEventAsync(
        WebhookReceiver receiver, string secret, Func<List<(string Type, JsonElement Data, WebhookReceiver.Request Request)>, bool> until)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (true)
        {
            var events = Events(receiver, secret);
            if (until(events)) return events;
            if (DateTime.UtcNow > deadline) throw new TimeoutException("events so far: " + string.Join(", ", events.Select(e => e.Type)));
            await Task.Delay(100);
        }
    }

    public static async Task<JsonElement> EndpointAsync(ReelayApi api, string key, string id, Func<JsonElement, bool> until)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (true)
        {
            var reply = await api.SendAsync(HttpMethod.Get, $"/reelay/v1/webhooks/{id}", key);
            Assert.Equal(200, reply.Status);
            if (until(reply.Body)) return reply.Body;
            if (DateTime.UtcNow > deadline) throw new TimeoutException("endpoint: " + reply.Body);
            await Task.Delay(100);
        }
    }
}
