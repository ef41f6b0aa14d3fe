using System.Text.Json;
using System.Text.Json.Nodes;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Relays;

/// <summary>
/// Two real servers: an upstream Reelay (speaking the Runway dialect, default catalog) with an organization and key
/// of its own, and a gateway whose catalog serves gen4.5 with "engine": "relay:up" pointing at it (or at a proxy in
/// front of it). The gateway can be killed and started again on the same data.
/// </summary>
public sealed class RelayPair : IAsyncDisposable
{
    private readonly Dictionary<string, string> _gatewaySettings;

    private RelayPair(ServerProcess upstream, ReelayApi.Tenant upstreamTenant, ServerProcess gateway, Dictionary<string, string> settings)
    {
        Upstream = upstream;
        UpstreamApi = new ReelayApi(upstream);
        UpstreamTenant = upstreamTenant;
        Gateway = gateway;
        GatewayApi = new ReelayApi(gateway);
        _gatewaySettings = settings;
    }

    public ServerProcess Upstream { get; }
    public ReelayApi UpstreamApi { get; }
    public ReelayApi.Tenant UpstreamTenant { get; }
    public ServerProcess Gateway { get; private set; }
    public ReelayApi GatewayApi { get; private set; }

    /// <summary>
    /// Starts both; <paramref name="upstreamUrl"/> rewrites where the gateway sends upstream calls (a proxy);
    /// <paramref name="moreSettings"/> adds gateway settings once the upstream runs (a second relay, another account);
    /// <paramref name="catalog"/> edits the gateway's catalog (default: gen4.5 on relay:up).
    /// </summary>
    public static async Task<RelayPair> StartAsync(Func<Uri, Task<Uri>>? upstreamUrl = null, IDictionary<string, string>? relaySettings = null,
        Func<ServerProcess, Task<IDictionary<string, string>>>? moreSettings = null, Action<JsonObject>? catalog = null,
        IDictionary<string, string>? upstreamSettings = null)
    {
        var upstream = await ServerProcess.StartAsync(settings: upstreamSettings);
        var tenant = await new ReelayApi(upstream).NewTenantAsync(credits: 100_000, name: "gateway account");
        var baseUrl = upstreamUrl is null ? upstream.BaseUrl : await upstreamUrl(upstream.BaseUrl);
        var settings = GatewaySettings(baseUrl, tenant.Key, relaySettings, catalog);
        if (moreSettings is not null) foreach (var (k, v) in await moreSettings(upstream)) settings[k] = v;
        return new RelayPair(upstream, tenant, await ServerProcess.StartAsync(settings: settings), settings);
    }

    /// <summary>
    /// A gateway whose <paramref name="model"/> runs on "relay:rb", a RunBlob-dialect relay to the upstream under an
    /// account of its own (polling every 0.3 s, no callbacks); <paramref name="adjust"/> changes those rb settings.
    /// </summary>
    public static async Task<(RelayPair Pair, ReelayApi.Tenant Account)> StartRunBlobAsync(string model,
        Action<Dictionary<string, string>>? adjust = null, IDictionary<string, string>? upstreamSettings = null)
    {
        ReelayApi.Tenant? account = null;
        var pair = await StartAsync(upstreamSettings: upstreamSettings, catalog: c => TestCatalogs.Serve(c, model, "relay:rb"),
            moreSettings: async upstream =>
            {
                account = await new ReelayApi(upstream).NewTenantAsync(credits: 100_000, name: "runblob account");
                var settings = new Dictionary<string, string>
                {
                    ["Relays:rb:Dialect"] = "runblob",
                    ["Relays:rb:BaseUrl"] = upstream.BaseUrl.ToString(),
                    ["Relays:rb:ApiKey"] = account.Key,
                    ["Relays:rb:PollSeconds"] = "0.3",
                    ["Relays:rb:Callbacks"] = "false",
                };
                adjust?.Invoke(settings);
                return settings;
            });
        return (pair, account!);
    }

    public static Dictionary<string, string> GatewaySettings(Uri upstream, string key, IDictionary<string, string>? relaySettings = null, Action<JsonObject>? edit = null)
    {
        var catalogFile = TestCatalogs.WriteDefault(edit ?? (catalog => TestCatalogs.Serve(catalog, "gen4.5", "relay:up")));
        var settings = new Dictionary<string, string>
        {
            ["Models:CatalogFile"] = catalogFile,
            ["Relays:up:Dialect"] = "runway",
            ["Relays:up:BaseUrl"] = upstream.ToString(),
            ["Relays:up:ApiKey"] = key,
            ["Relays:up:PollSeconds"] = "0.2",
            ["Relays:up:Timeout"] = "20",
            ["Relays:up:MaxConcurrent"] = "4",
            // Debug on purpose: even the most talkative log must not show the upstream key.
            ["Logging:LogLevel:Default"] = "Debug",
        };
        foreach (var (k, v) in relaySettings ?? new Dictionary<string, string>()) settings[k] = v;
        return settings;
    }

    /// <summary>kill -9 of the gateway, then a new gateway process on the same data directory and settings.</summary>
    public async Task CrashAndRestartGatewayAsync()
    {
        var output = Gateway.Output;
        await Gateway.KillAsync();
        await Gateway.DisposeAsync();
        Gateway = await ServerProcess.StartAsync(Gateway.DataDirectory, _gatewaySettings);
        GatewayApi = new ReelayApi(Gateway);
        EarlierGatewayOutput += output;
    }

    /// <summary>Everything the gateway processes printed, across restarts.</summary>
    public string GatewayOutput => EarlierGatewayOutput + Gateway.Output;
    private string EarlierGatewayOutput { get; set; } = "";

    /// <summary>The gateway's record of which engine served a task and the upstream's id for it (null until stored).</summary>
    public async Task<(string? Engine, string? UpstreamTaskId, long? Cost)> RelayedAsync(string taskId)
    {
        var view = await GatewayApi.AdminAsync(HttpMethod.Get, $"/admin/v1/relays/tasks/{taskId}");
        string? Text(string name) => view.GetProperty(name).ValueKind == JsonValueKind.String ? view.GetProperty(name).GetString() : null;
        return (Text("upstreamEngine"), Text("upstreamTaskId"),
            view.GetProperty("upstreamCost").ValueKind == JsonValueKind.Number ? view.GetProperty("upstreamCost").GetInt64() : null);
    }

    public async Task<string> WaitForUpstreamIdAsync(string taskId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            if ((await RelayedAsync(taskId)).UpstreamTaskId is { } id) return id;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Task {taskId} was never relayed.\n{GatewayOutput}");
            await Task.Delay(100);
        }
    }

    /// <summary>The credits the upstream's usage report shows for gen4.5 today: what the gateway's account was charged there.</summary>
    public async Task<long> UpstreamCreditsUsedAsync()
    {
        var usage = await UpstreamApi.SendAsync(HttpMethod.Post, "/v1/organization/usage", UpstreamTenant.Key, new { });
        Assert.True(usage.Status == 200, $"upstream usage: {usage.Status} {usage.Body}\n{Upstream.Output}");
        var today = usage.Body.GetProperty("results").EnumerateArray().Single(r => r.GetProperty("date").GetString() == DateTime.UtcNow.ToString("yyyy-MM-dd"));
        return today.GetProperty("usedCredits").EnumerateArray().Where(u => u.GetProperty("model").GetString() == "gen4.5").Sum(u => u.GetProperty("amount").GetInt64());
    }

    /// <summary>What the upstream charged the gateway's account: its grant less its balance.</summary>
    public async Task<long> UpstreamChargedAsync() =>
        100_000 - (await UpstreamApi.AdminAsync(HttpMethod.Get, $"/admin/v1/organizations/{UpstreamTenant.OrgId}")).GetProperty("creditBalance").GetInt64();

    public async Task<long> GatewayBalanceAsync(string orgId) =>
        (await GatewayApi.AdminAsync(HttpMethod.Get, $"/admin/v1/organizations/{orgId}")).GetProperty("creditBalance").GetInt64();

    /// <summary>Neither the gateway's log output nor its database (SQLite files, or every text column on PostgreSQL) holds the upstream key.</summary>
    public async Task AssertKeyNeverLoggedAsync(params string[] moreKeys)
    {
        foreach (var k in moreKeys.Append(UpstreamTenant.Key)) await AssertKeyNeverStoredAsync(k);
    }

    private async Task AssertKeyNeverStoredAsync(string secret)
    {
        Assert.False(GatewayOutput.Contains(secret, StringComparison.Ordinal), "The upstream key appeared in the gateway's output.");
        if (Gateway.DatabaseConnectionString is not null)
        {
            Assert.DoesNotContain((await TestDatabase.AllStoredTextAsync(Gateway)), v => v.Contains(secret, StringComparison.Ordinal));
            return;
        }
        var key = System.Text.Encoding.UTF8.GetBytes(secret);
        foreach (var file in Directory.GetFiles(Gateway.DataDirectory, "reelay.db*"))
        {
            using var copy = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var buffer = new MemoryStream();
            copy.CopyTo(buffer);
            Assert.True(buffer.ToArray().AsSpan().IndexOf(key) < 0, $"The upstream key is stored in {Path.GetFileName(file)}.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Upstream.DisposeAsync();
    }
}
