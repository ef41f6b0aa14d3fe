using System.Text.Json;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Api;

public sealed class WebhookFixture : IAsyncLifetime
{
    public const string Host = "hooks.assets.test";
    public AssetServer Receivers { get; private set; } = null!;
    public ServerProcess Server { get; private set; } = null!;
    public ReelayApi Api { get; private set; } = null!;

    public static Dictionary<string, string> Settings(string resolve, string retryDelays = "1,1,1,1,1") => new()
    {
        ["Assets:TrustedCaFile"] = TestCertificates.CaPemFile,
        ["Assets:Resolve"] = resolve,
        ["Webhooks:RetryDelaysSeconds"] = retryDelays,
        ["Webhooks:PollMilliseconds"] = "100",
        ["Webhooks:AttemptTimeoutSeconds"] = "2",
    };

    public WebhookReceiver NewReceiver(params int[] statuses) => WebhookReceiver.Map(Receivers, Host, statuses);

    public async Task InitializeAsync()
    {
        Receivers = await AssetServer.StartAsync();
        Server = await ServerProcess.StartAsync(settings: Settings($"{Host}=127.0.0.1"));
        Api = new ReelayApi(Server);
    }

    public async Task DisposeAsync()
    {
        if (Server is not null) await Server.DisposeAsync();
        if (Receivers is not null) await Receivers.DisposeAsync();
    }
}

/// <summary>RunBlob creates and the admin delivery log.</summary>
public static class Webhooks
{
    public static object GenerateBody(string callbackUrl) =>
        new { prompt = "a lighthouse at dusk", orientation = "16:9", duration = 10, callback_url = callbackUrl };

    public static async Task<string> CreateGenerationAsync(ReelayApi api, string key, string callbackUrl, string? simulate = null)
    {
        var reply = await api.SendAsync(HttpMethod.Post, "/v1/sora/generate", key, GenerateBody(callbackUrl),
            simulate is null ? null : r => r.Headers.Add("X-Reelay-Simulate", simulate));
        Assert.True(reply.Status == 201, $"create failed: {reply.Status} {reply.Body}");
        return reply.Body.GetProperty("generation_id").GetString()!;
    }

    public static async Task<string> CurrentSecretAsync(ReelayApi api, string orgId)
    {
        var secrets = (await api.AdminAsync(HttpMethod.Get, $"/admin/v1/organizations/{orgId}/webhook-secret")).GetProperty("secrets");
        return secrets.EnumerateArray().Single(s => s.GetProperty("current").GetBoolean()).GetProperty("secret").GetString()!;
    }

    /// <summary>Polls the delivery log until the task's delivery is in a state that satisfies the predicates.</summary>
    public static async Task<JsonElement> DeliveryAsync(ReelayApi api, string orgId, string taskId, Func<string, bool> state,
        Func<JsonElement, bool>? until = null, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var log = await api.AdminAsync(HttpMethod.Get, $"/admin/v1/organizations/{orgId}/webhook-deliveries?limit=100");
            var delivery = log.GetProperty("deliveries").EnumerateArray().FirstOrDefault(d => d.GetProperty("taskId").GetString() == taskId);
            if (delivery.ValueKind == JsonValueKind.Object && state(delivery.GetProperty("state").GetString()!) && (until?.Invoke(delivery) ?? true))
                return delivery;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Delivery for {taskId} not ready: {log}");
            await Task.Delay(100);
        }
    }
}
