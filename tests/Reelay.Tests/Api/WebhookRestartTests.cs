using System.Text.Json;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Api;

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
        // The restarted process's first send is its first TLS connection: on a loaded machine it can outlast the fixture's
        // 2 s attempt timeout, which would add a timed-out attempt this test is not about.
        var settings = new Dictionary<string, string>(WebhookFixture.Settings("hooks.assets.test=127.0.0.1", retryDelays: "5,1,1,1,1"))
        {
            ["Webhooks:AttemptTimeoutSeconds"] = "20",
        };
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

        // A generous attempt timeout: on a loaded machine a 300 ms answer can take over 2 s, and a timed-out attempt
        // is retried by design, which is not the duplicate this test looks for.
        var senderSettings = new Dictionary<string, string>(settings) { ["Workers:Concurrency"] = "0", ["Webhooks:AttemptTimeoutSeconds"] = "20" };
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
