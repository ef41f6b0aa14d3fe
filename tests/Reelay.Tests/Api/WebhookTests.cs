using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Api;

/// <summary>Webhook deliveries against one server and one HTTPS receiver; each test has its own tenant and receiver path.</summary>
public class WebhookTests(WebhookFixture fixture) : IClassFixture<WebhookFixture>
{
    private readonly ReelayApi _api = fixture.Api;

    [Fact]
    public async Task A_completed_generation_is_posted_to_its_callback_url_signed_with_the_organizations_secret()
    {
        var tenant = await _api.NewTenantAsync();
        var receiver = fixture.NewReceiver();
        var id = await Webhooks.CreateGenerationAsync(_api, tenant.Key, receiver.Url);

        var request = Assert.Single(await receiver.WaitForAsync(1));
        var secret = await Webhooks.CurrentSecretAsync(_api, tenant.OrgId);
        Assert.StartsWith("whsec_", secret);
        Assert.True(StandardWebhooks.Verify(secret, request), $"signature {request.Signature} does not verify");
        Assert.False(StandardWebhooks.Verify(StandardWebhooks.NewSecret(), request), "a different secret must not verify");
        Assert.False(StandardWebhooks.Verify(secret, request with { Body = request.Body.Replace("completed", "failed") }), "a changed body must not verify");
        Assert.StartsWith("whd_", request.Id);

        var payload = JsonDocument.Parse(request.Body).RootElement;
        Assert.Equal(["generation_id", "status", "prompt", "video_url", "created_at", "completed_at"], payload.EnumerateObject().Select(p => p.Name));
        var generation = (await _api.SendAsync(HttpMethod.Get, $"/v1/sora/generations/{id}/", tenant.Key)).Body;
        Assert.Equal("completed", payload.GetProperty("status").GetString());
        foreach (var field in new[] { "generation_id", "status", "prompt", "created_at", "completed_at" })
            Assert.Equal(generation.GetProperty(field).GetString(), payload.GetProperty(field).GetString());
        var video = await ReelayApi.DownloadAsync(payload.GetProperty("video_url").GetString()!);
        Assert.Equal("ftyp", Encoding.ASCII.GetString(video, 4, 4));

        var delivery = await Webhooks.DeliveryAsync(_api, tenant.OrgId, id, state => state != "pending");
        Assert.Equal("delivered", delivery.GetProperty("state").GetString());
        Assert.Equal(request.Id, delivery.GetProperty("id").GetString());
        var attempt = Assert.Single(delivery.GetProperty("attempts").EnumerateArray());
        Assert.Equal(200, attempt.GetProperty("status").GetInt32());
        Assert.Equal("ok", attempt.GetProperty("responseSnippet").GetString());
        Assert.Equal(JsonValueKind.Null, attempt.GetProperty("error").ValueKind);
        Assert.True(attempt.GetProperty("latencyMs").GetInt64() >= 0);
    }

    [Fact]
    public async Task A_failed_generation_is_posted_with_a_null_video_url_and_its_error_message()
    {
        var tenant = await _api.NewTenantAsync();
        var receiver = fixture.NewReceiver();
        var id = await Webhooks.CreateGenerationAsync(_api, tenant.Key, receiver.Url, simulate: "fail=INTERNAL");

        var request = Assert.Single(await receiver.WaitForAsync(1));
        Assert.True(StandardWebhooks.Verify(await Webhooks.CurrentSecretAsync(_api, tenant.OrgId), request));
        var payload = JsonDocument.Parse(request.Body).RootElement;
        Assert.Equal(["generation_id", "status", "prompt", "video_url", "created_at", "completed_at", "error_message"], payload.EnumerateObject().Select(p => p.Name));
        var generation = (await _api.SendAsync(HttpMethod.Get, $"/v1/sora/generations/{id}", tenant.Key)).Body;
        Assert.Equal("failed", payload.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, payload.GetProperty("video_url").ValueKind);
        Assert.False(string.IsNullOrEmpty(payload.GetProperty("error_message").GetString()));
        Assert.Equal(generation.GetProperty("error_message").GetString(), payload.GetProperty("error_message").GetString());
        Assert.Equal(generation.GetProperty("completed_at").GetString(), payload.GetProperty("completed_at").GetString());
    }

    [Fact]
    public async Task A_cancelled_generation_is_posted_as_failed_with_the_cancellation_message()
    {
        var tenant = await _api.NewTenantAsync();
        var receiver = fixture.NewReceiver();
        var id = await Webhooks.CreateGenerationAsync(_api, tenant.Key, receiver.Url, simulate: "delay=30");
        Assert.Equal(204, (await _api.DeleteTaskAsync(tenant.Key, id)).Status);

        var payload = JsonDocument.Parse(Assert.Single(await receiver.WaitForAsync(1)).Body).RootElement;
        Assert.Equal("failed", payload.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, payload.GetProperty("video_url").ValueKind);
        Assert.Equal("The generation was cancelled.", payload.GetProperty("error_message").GetString());
    }

    [Fact]
    public async Task A_receiver_that_answers_500_twice_gets_the_same_delivery_again_on_the_retry_schedule()
    {
        var tenant = await _api.NewTenantAsync();
        var receiver = fixture.NewReceiver(500, 500, 200);
        var id = await Webhooks.CreateGenerationAsync(_api, tenant.Key, receiver.Url);

        var requests = await receiver.WaitForAsync(3);
        Assert.Single(requests.Select(r => r.Id).Distinct());
        var secret = await Webhooks.CurrentSecretAsync(_api, tenant.OrgId);
        Assert.All(requests, r => Assert.True(StandardWebhooks.Verify(secret, r)));

        var delivery = await Webhooks.DeliveryAsync(_api, tenant.OrgId, id, state => state != "pending");
        Assert.Equal("delivered", delivery.GetProperty("state").GetString());
        var attempts = delivery.GetProperty("attempts").EnumerateArray().ToList();
        Assert.Equal([500, 500, 200], attempts.Select(a => a.GetProperty("status").GetInt32()));
        Assert.Equal([1, 2, 3], attempts.Select(a => a.GetProperty("attempt").GetInt32()));
        Assert.Equal("The receiver answered 500.", attempts[0].GetProperty("error").GetString());
        Assert.Equal("nope", attempts[0].GetProperty("responseSnippet").GetString());
        var started = attempts.Select(a => DateTimeOffset.Parse(a.GetProperty("startedAt").GetString()!, CultureInfo.InvariantCulture)).ToList();
        for (var i = 1; i < started.Count; i++)
            Assert.True(started[i] - started[i - 1] >= TimeSpan.FromMilliseconds(950), $"attempt {i + 1} came {(started[i] - started[i - 1]).TotalMilliseconds} ms after the previous one");
    }

    [Fact]
    public async Task A_redirect_is_a_failed_attempt_and_its_location_is_never_requested()
    {
        var tenant = await _api.NewTenantAsync();
        var target = fixture.NewReceiver();
        var path = $"/redirects/{Guid.NewGuid():N}";
        fixture.Receivers.MapRedirect(path, 307, target.Url);
        var id = await Webhooks.CreateGenerationAsync(_api, tenant.Key, fixture.Receivers.Url(WebhookFixture.Host, path));

        var delivery = await Webhooks.DeliveryAsync(_api, tenant.OrgId, id, _ => true, until: d => d.GetProperty("attempts").GetArrayLength() >= 1);
        var first = delivery.GetProperty("attempts")[0];
        Assert.Equal(307, first.GetProperty("status").GetInt32());
        Assert.Contains("redirects are not followed", first.GetProperty("error").GetString());
        Assert.Empty(target.Requests);
    }

    [Fact]
    public async Task A_receiver_that_does_not_answer_within_the_attempt_timeout_is_logged_as_a_timeout()
    {
        var tenant = await _api.NewTenantAsync();
        var path = $"/hangs/{Guid.NewGuid():N}";
        fixture.Receivers.MapHangHeaders(path, TimeSpan.FromSeconds(30));
        var id = await Webhooks.CreateGenerationAsync(_api, tenant.Key, fixture.Receivers.Url(WebhookFixture.Host, path));

        var delivery = await Webhooks.DeliveryAsync(_api, tenant.OrgId, id, _ => true, until: d => d.GetProperty("attempts").GetArrayLength() >= 1);
        var first = delivery.GetProperty("attempts")[0];
        Assert.Equal("No response within 2 s.", first.GetProperty("error").GetString());
        Assert.Equal(JsonValueKind.Null, first.GetProperty("status").ValueKind);
        Assert.InRange(first.GetProperty("latencyMs").GetInt64(), 1900, 10_000);
    }

    [Fact]
    public async Task After_a_rotation_deliveries_carry_both_signatures_until_the_previous_secret_is_retired()
    {
        var tenant = await _api.NewTenantAsync();
        var previous = await Webhooks.CurrentSecretAsync(_api, tenant.OrgId);
        var rotated = (await _api.AdminAsync(HttpMethod.Post, $"/admin/v1/organizations/{tenant.OrgId}/webhook-secret/rotate")).GetProperty("secrets").EnumerateArray().ToList();
        Assert.Equal(2, rotated.Count);
        var current = rotated[0].GetProperty("secret").GetString()!;
        Assert.NotEqual(previous, current);
        Assert.True(rotated[0].GetProperty("current").GetBoolean());
        Assert.Equal(previous, rotated[1].GetProperty("secret").GetString());
        Assert.False(rotated[1].GetProperty("current").GetBoolean());

        var receiver = fixture.NewReceiver();
        await Webhooks.CreateGenerationAsync(_api, tenant.Key, receiver.Url);
        var request = Assert.Single(await receiver.WaitForAsync(1));
        var signatures = request.Signature.Split(' ');
        Assert.Equal(2, signatures.Length);
        Assert.True(StandardWebhooks.Verify(current, request with { Signature = signatures[0] }), "the first signature is the current secret's");
        Assert.True(StandardWebhooks.Verify(previous, request with { Signature = signatures[1] }), "the second signature is the previous secret's");

        var retired = (await _api.AdminAsync(HttpMethod.Post, $"/admin/v1/organizations/{tenant.OrgId}/webhook-secret/retire-previous")).GetProperty("secrets");
        Assert.Equal(current, Assert.Single(retired.EnumerateArray()).GetProperty("secret").GetString());
        var after = fixture.NewReceiver();
        await Webhooks.CreateGenerationAsync(_api, tenant.Key, after.Url);
        var single = Assert.Single(await after.WaitForAsync(1));
        Assert.DoesNotContain(' ', single.Signature);
        Assert.True(StandardWebhooks.Verify(current, single));
        Assert.False(StandardWebhooks.Verify(previous, single));
    }
}

/// <summary>Tests that start their own servers: a restart mid-delivery, two sending nodes, DNS that changes after registration.</summary>
public class WebhookRestartTests
{
    [Fact]
    public async Task A_pending_delivery_survives_a_server_restart_and_is_completed_by_the_next_process()
    {
        await using var receivers = await AssetServer.StartAsync();
        var receiver = WebhookReceiver.Map(receivers, "hooks.assets.test", 500, 200);
        var dataDirectory = TestPaths.NewTempDirectory("reelay-webhooks");
        // A long first retry delay leaves time to kill the server between the first and the second attempt.
        var settings = WebhookFixture.Settings("hooks.assets.test=127.0.0.1", retryDelays: "5,1,1,1,1");
        string orgId, id;
        await using (var server = await ServerProcess.StartAsync(dataDirectory, settings))
        {
            var api = new ReelayApi(server);
            var tenant = await api.NewTenantAsync();
            orgId = tenant.OrgId;
            id = await Webhooks.CreateGenerationAsync(api, tenant.Key, receiver.Url);
            await Webhooks.DeliveryAsync(api, orgId, id, _ => true, until: d => d.GetProperty("attempts").GetArrayLength() == 1);
            await server.KillAsync();
        }
        Assert.Single(receiver.Requests);

        var restartedAt = DateTimeOffset.UtcNow;
        await using var restarted = await ServerProcess.StartAsync(dataDirectory, settings);
        var again = new ReelayApi(restarted);
        var requests = await receiver.WaitForAsync(2);
        Assert.True(requests[1].At > restartedAt, "the second attempt came from the restarted server");
        Assert.Equal(requests[0].Id, requests[1].Id);
        var delivery = await Webhooks.DeliveryAsync(again, orgId, id, state => state != "pending");
        Assert.Equal("delivered", delivery.GetProperty("state").GetString());
        Assert.Equal([500, 200], delivery.GetProperty("attempts").EnumerateArray().Select(a => a.GetProperty("status").GetInt32()));
    }

    [Fact]
    public async Task Two_nodes_on_one_database_send_each_delivery_exactly_once()
    {
        await using var receivers = await AssetServer.StartAsync();
        var dataDirectory = TestPaths.NewTempDirectory("reelay-webhooks");
        var settings = WebhookFixture.Settings("hooks.assets.test=127.0.0.1");
        // The API node ends the tasks but sends nothing, so every delivery is due when the senders start.
        var apiSettings = new Dictionary<string, string>(settings) { ["Webhooks:Concurrency"] = "0" };
        await using var apiNode = await ServerProcess.StartAsync(dataDirectory, apiSettings);
        var api = new ReelayApi(apiNode);
        var tenant = await api.NewTenantAsync();
        // Slow answers keep deliveries in flight while the other loops and the other node keep claiming.
        var deliveries = new List<(string Id, WebhookReceiver Receiver)>();
        for (var i = 0; i < 10; i++)
        {
            var receiver = WebhookReceiver.Map(receivers, "hooks.assets.test", TimeSpan.FromMilliseconds(300));
            deliveries.Add((await Webhooks.CreateGenerationAsync(api, tenant.Key, receiver.Url, simulate: "fail=INTERNAL"), receiver));
        }
        foreach (var (id, _) in deliveries)
            await Webhooks.DeliveryAsync(api, tenant.OrgId, id, state => state == "pending");

        var senderSettings = new Dictionary<string, string>(settings) { ["Workers:Concurrency"] = "0" };
        var senders = await Task.WhenAll(ServerProcess.StartAsync(dataDirectory, senderSettings), ServerProcess.StartAsync(dataDirectory, senderSettings));
        try
        {
            foreach (var (id, _) in deliveries)
            {
                var delivery = await Webhooks.DeliveryAsync(api, tenant.OrgId, id, state => state != "pending");
                Assert.Equal("delivered", delivery.GetProperty("state").GetString());
                Assert.Single(delivery.GetProperty("attempts").EnumerateArray());
            }
            await Task.Delay(TimeSpan.FromSeconds(1)); // a duplicate sender would still be on its way
            Assert.All(deliveries, d => Assert.Single(d.Receiver.Requests));
        }
        finally
        {
            foreach (var sender in senders) await sender.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_callback_host_that_now_resolves_to_a_private_address_is_refused_at_every_attempt_without_connecting()
    {
        await using var receivers = await AssetServer.StartAsync();
        var receiver = WebhookReceiver.Map(receivers, "rebound.assets.test");
        var dataDirectory = TestPaths.NewTempDirectory("reelay-webhooks");
        string key, orgId, id;
        // Registered while the name was pinned (an operator's internal host), with no worker so the task waits.
        var registration = WebhookFixture.Settings("rebound.assets.test=127.0.0.1");
        registration["Workers:Concurrency"] = "0";
        await using (var server = await ServerProcess.StartAsync(dataDirectory, registration))
        {
            var api = new ReelayApi(server);
            var tenant = await api.NewTenantAsync();
            (key, orgId) = (tenant.Key, tenant.OrgId);
            id = await Webhooks.CreateGenerationAsync(api, key, receiver.Url);
        }

        // Then DNS answers with loopback, which is not public: every delivery must check again and refuse.
        var rebound = WebhookFixture.Settings(resolve: "");
        rebound["Assets:DnsOverrides"] = "rebound.assets.test=127.0.0.1";
        await using var restarted = await ServerProcess.StartAsync(dataDirectory, rebound);
        var again = new ReelayApi(restarted);
        var delivery = await Webhooks.DeliveryAsync(again, orgId, id, state => state != "pending");
        Assert.Equal("failed", delivery.GetProperty("state").GetString());
        var attempts = delivery.GetProperty("attempts").EnumerateArray().ToList();
        Assert.Equal(6, attempts.Count); // the first attempt and five retries: DNS answers can change, so refusals are retried
        Assert.All(attempts, a =>
        {
            Assert.Equal("URL resolves to an address that is not public.", a.GetProperty("error").GetString());
            Assert.Equal(JsonValueKind.Null, a.GetProperty("status").ValueKind);
        });
        Assert.Equal(0, receivers.AcceptedConnections);
        Assert.Empty(receiver.Requests);

        // Registering the same URL now is refused up front.
        var refused = await again.SendAsync(HttpMethod.Post, "/v1/sora/generate", key, Webhooks.GenerateBody(receiver.Url));
        Assert.Equal(400, refused.Status);
    }
}

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

/// <summary>A webhook endpoint on the HTTPS test server: records every request and answers from a script (then 200).</summary>
public sealed class WebhookReceiver
{
    public sealed record Request(string Id, string Timestamp, string Signature, string Body, DateTimeOffset At);

    private readonly ConcurrentQueue<int> _script;
    private readonly List<Request> _requests = [];

    private WebhookReceiver(IEnumerable<int> statuses, string url) => (_script, Url) = (new ConcurrentQueue<int>(statuses), url);

    public string Url { get; }

    public IReadOnlyList<Request> Requests { get { lock (_requests) return [.. _requests]; } }

    public static WebhookReceiver Map(AssetServer server, string host, params int[] statuses) => Map(server, host, TimeSpan.Zero, statuses);

    public static WebhookReceiver Map(AssetServer server, string host, TimeSpan answerAfter, params int[] statuses)
    {
        var path = $"/hooks/{Guid.NewGuid():N}";
        var receiver = new WebhookReceiver(statuses, server.Url(host, path));
        server.Map(path, async context =>
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var headers = context.Request.Headers;
            lock (receiver._requests)
                receiver._requests.Add(new Request(headers["webhook-id"].ToString(), headers["webhook-timestamp"].ToString(), headers["webhook-signature"].ToString(), body, DateTimeOffset.UtcNow));
            await Task.Delay(answerAfter);
            context.Response.StatusCode = receiver._script.TryDequeue(out var status) ? status : StatusCodes.Status200OK;
            await context.Response.WriteAsync(context.Response.StatusCode < 300 ? "ok" : "nope");
        });
        return receiver;
    }

    public async Task<IReadOnlyList<Request>> WaitForAsync(int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (Requests.Count < count)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{Url} got {Requests.Count} of {count} requests.");
            await Task.Delay(100);
        }
        return Requests;
    }
}

/// <summary>A receiver-side verifier written from the Standard Webhooks spec, independent of the server's code.</summary>
public static class StandardWebhooks
{
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    public static string NewSecret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static bool Verify(string secret, WebhookReceiver.Request request)
    {
        if (!long.TryParse(request.Timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp)) return false;
        if ((DateTimeOffset.UtcNow - DateTimeOffset.FromUnixTimeSeconds(timestamp)).Duration() > Tolerance) return false;
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var expected = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{request.Id}.{request.Timestamp}.{request.Body}"));
        foreach (var entry in request.Signature.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = entry.Split(',', 2);
            if (parts.Length != 2 || parts[0] != "v1") continue;
            var given = new byte[32];
            if (Convert.TryFromBase64String(parts[1], given, out var written) && written == 32 && CryptographicOperations.FixedTimeEquals(given, expected))
                return true;
        }
        return false;
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
