using System.Collections.Concurrent;
using System.Text.Json;
using Reelay.Tests.Api;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.RunBlob;

/// <summary>
/// One server and one HTTPS host (webhook receivers, image URLs) for every RunBlob family class. Each family's
/// completed and failed generations are made once and shared by the tests that look at them (one render per family).
/// </summary>
public sealed class RunBlobFamilyFixture : IAsyncLifetime
{
    public const string Host = "families.assets.test";
    private readonly ConcurrentDictionary<string, Lazy<Task<Journey>>> _journeys = new();

    public AssetServer Assets { get; private set; } = null!;
    public ServerProcess Server { get; private set; } = null!;
    public ReelayApi Api { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Assets = await AssetServer.StartAsync();
        var settings = WebhookFixture.Settings($"{Host}=127.0.0.1");
        // The families' own schedules (linear 30 s, Gemini's 3 retries), shortened the way an operator can.
        settings["Webhooks:Schedules:linear"] = "1,1,1,1";
        settings["Webhooks:Schedules:gemini"] = "1,1,1";
        Server = await ServerProcess.StartAsync(settings: settings);
        Api = new ReelayApi(Server);
    }

    public async Task DisposeAsync()
    {
        if (Server is not null) await Server.DisposeAsync();
        if (Assets is not null) await Assets.DisposeAsync();
    }

    public WebhookReceiver NewReceiver(params int[] statuses) => WebhookReceiver.Map(Assets, Host, statuses);

    /// <summary>An https URL on the test host that serves these bytes.</summary>
    public string Serve(byte[] body, string contentType)
    {
        var path = $"/images/{Guid.NewGuid():N}";
        Assets.MapFile(path, body, contentType);
        return Assets.Url(Host, path);
    }

    public Task<ReelayApi.Reply> CallAsync(HttpMethod method, string path, string? key, object? body = null, string? simulate = null) =>
        Api.SendAsync(method, path, key, body, simulate is null ? null : r => r.Headers.Add("X-Reelay-Simulate", simulate));

    /// <summary>A generation from create to completed (sandboxed: 1 s throttled, 1 s delayed), with every state it was seen in.</summary>
    public Task<Journey> CompletedAsync(FamilySpec family) => JourneyAsync(family, "throttle=1, delay=1", "completed");

    /// <summary>A generation failed by the sandbox's image moderation code.</summary>
    public Task<Journey> ModeratedAsync(FamilySpec family) => JourneyAsync(family, "fail=SAFETY.INPUT.IMAGE", "failed");

    private Task<Journey> JourneyAsync(FamilySpec family, string simulate, string end) =>
        _journeys.GetOrAdd($"{family.Path} {simulate}", _ => new Lazy<Task<Journey>>(() => RunAsync(family, simulate, end))).Value;

    private async Task<Journey> RunAsync(FamilySpec family, string simulate, string end)
    {
        var tenant = await Api.NewTenantAsync();
        var receiver = NewReceiver();
        var created = await CallAsync(HttpMethod.Post, $"/v1/{family.Path}/generate", tenant.Key, family.Body(this, receiver.Url), simulate);
        Assert.True(created.Status == 201, $"create failed: {created.Status} {created.Body}");
        var id = created.Body.GetProperty(family.IdField).GetString()!;
        var balance = (await CallAsync(HttpMethod.Get, "/v1/data/balance", tenant.Key)).Body.GetProperty("balance").GetString()!;
        var seen = new Dictionary<string, JsonElement>();
        var states = new List<string>();
        var final = await WaitAsync(family, tenant.Key, id, body =>
        {
            var status = body.GetProperty("status").GetString()!;
            if (states.Count == 0 || states[^1] != status) states.Add(status);
            seen.TryAdd(status, body);
        });
        Assert.True(final.GetProperty("status").GetString() == end, $"expected {end}: {final}");
        return new Journey(tenant, id, created.Body, balance, states, seen, final, receiver);
    }

    /// <summary>Polls the family's status read until the generation has ended; <paramref name="each"/> sees every body.</summary>
    public async Task<JsonElement> WaitAsync(FamilySpec family, string key, string id, Action<JsonElement>? each = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var reply = await CallAsync(HttpMethod.Get, $"/v1/{family.Path}/generations/{id}", key);
            Assert.True(reply.Status == 200, $"status read failed: {reply.Status} {reply.Body}");
            each?.Invoke(reply.Body);
            if (reply.Body.GetProperty("status").GetString() is "completed" or "failed") return reply.Body;
            Assert.True(DateTime.UtcNow < deadline, $"{family.Path} generation {id} stuck: {reply.Body}");
            await Task.Delay(100);
        }
    }
}

/// <summary>One generation's life: its 201, the balance right after, the states in order, the first body seen in each, the end.</summary>
public sealed record Journey(ReelayApi.Tenant Tenant, string Id, JsonElement Created, string BalanceAfterCreate,
    IReadOnlyList<string> States, IReadOnlyDictionary<string, JsonElement> Seen, JsonElement Final, WebhookReceiver Receiver);

[CollectionDefinition(Name)]
public sealed class RunBlobFamilies : ICollectionFixture<RunBlobFamilyFixture>
{
    public const string Name = "RunBlob families";
}
