using Reelay.Tests.Client;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Relays;

/// <summary>
/// The relay through a fault-injecting proxy (<see cref="FlakyProxy"/>) between gateway and upstream: bursts of 503
/// and 429, a dropped create answer, downloads cut off mid-body, an upstream slow to answer and slow to generate.
/// </summary>
public sealed class RelayFaultTests
{
    [Fact]
    public async Task Bursts_of_503_and_429_and_a_lost_create_answer_still_end_in_one_upstream_task_and_success()
    {
        FlakyProxy? proxy = null;
        await using var pair = await RelayPair.StartAsync(async upstream =>
        {
            proxy = await FlakyProxy.StartAsync(upstream, (request, n) => request switch
            {
                { Method: "POST", Path: "/v1/text_to_video" } when n <= 2 => new FlakyProxy.Answer(503),
                // The upstream makes the task, the gateway never hears of it: the retry's Idempotency-Key finds it again.
                { Method: "POST", Path: "/v1/text_to_video" } when n == 3 => new FlakyProxy.ForwardThenDrop(),
                { Method: "GET" } when n is >= 2 and <= 4 => new FlakyProxy.Answer(429, Headers: new Dictionary<string, string> { ["Retry-After"] = "0" }),
                { Method: "GET" } when n == 5 => new FlakyProxy.Answer(502),
                _ => new FlakyProxy.Forward(),
            });
            return proxy.BaseUrl;
        });
        await using var _ = proxy!;
        var tenant = await pair.GatewayApi.NewTenantAsync(credits: 1000);
        var id = await pair.GatewayApi.CreateTextTaskAsync(tenant.Key);
        var task = await pair.GatewayApi.WaitForAsync(tenant.Key, id, ReelayApi.IsTerminal);
        Assert.True(task.GetProperty("status").GetString() == "SUCCEEDED", $"{task}\n{pair.GatewayOutput}");

        var creates = proxy!.To("POST", "/v1/text_to_video");
        Assert.True(creates.Count >= 4, $"{creates.Count} creates");
        Assert.Single(creates.Select(c => c.Header("Idempotency-Key")).Distinct());
        Assert.Equal(24, await pair.UpstreamChargedAsync());
        Assert.Equal(1000 - 24, await pair.GatewayBalanceAsync(tenant.OrgId));
        await pair.AssertKeyNeverLoggedAsync();
    }

    [Fact]
    public async Task A_connection_reset_mid_download_is_retried_alone_and_the_upstream_generates_only_once()
    {
        // The upstream signs its output URLs with its public address: the proxy, so the downloads pass through it too.
        await using var proxy = await FlakyProxy.StartAsync(new Uri("http://127.0.0.1:9/"), (request, n) =>
            request.Method == "GET" && request.Path.StartsWith("/outputs/", StringComparison.Ordinal) && n <= 2
                ? new FlakyProxy.ForwardPartThenDrop(4096) : new FlakyProxy.Forward());
        await using var pair = await RelayPair.StartAsync(upstream =>
        {
            proxy.Target = upstream;
            return Task.FromResult(proxy.BaseUrl);
        }, upstreamSettings: new Dictionary<string, string> { ["Server:PublicBaseUrl"] = proxy.BaseUrl.ToString().TrimEnd('/') });
        var tenant = await pair.GatewayApi.NewTenantAsync(credits: 1000);
        var id = await pair.GatewayApi.CreateTextTaskAsync(tenant.Key);
        var task = await pair.GatewayApi.WaitForAsync(tenant.Key, id, ReelayApi.IsTerminal);
        Assert.True(task.GetProperty("status").GetString() == "SUCCEEDED", $"{task}\n{pair.GatewayOutput}");

        var downloads = proxy.Requests.Where(r => r.Method == "GET" && r.Path.StartsWith("/outputs/", StringComparison.Ordinal)).ToList();
        Assert.True(downloads.Count >= 3, $"{downloads.Count} downloads: the two cut ones and the one that completed");
        Assert.Single(proxy.To("POST", "/v1/text_to_video"));
        Assert.Equal(24, await pair.UpstreamChargedAsync());
        Assert.Equal(1000 - 24, await pair.GatewayBalanceAsync(tenant.OrgId));
        var file = Path.Combine(TestPaths.NewTempDirectory("reelay-relay-reset"), "out.mp4");
        await File.WriteAllBytesAsync(file, await ReelayApi.DownloadAsync(task.GetProperty("output")[0].GetString()!));
        Assert.Equal(("h264", 1280, 720), (Media.Probe(file).Codec, Media.Probe(file).Width, Media.Probe(file).Height));
        await pair.AssertKeyNeverLoggedAsync();
    }

    [Fact]
    public async Task A_slow_upstream_whose_generation_outlasts_the_relay_timeout_still_succeeds_with_one_upstream_task()
    {
        FlakyProxy? proxy = null;
        await using var pair = await RelayPair.StartAsync(async upstream =>
        {
            // Each answer takes seconds (polls come every 0.2 s); the generation itself runs twice the relay's Timeout.
            proxy = await FlakyProxy.StartAsync(upstream, (request, _) => new FlakyProxy.Slow(TimeSpan.FromSeconds(request.Method == "POST" ? 2 : 1.5)));
            return proxy.BaseUrl;
        }, relaySettings: new Dictionary<string, string> { ["Relays:up:Timeout"] = "8" });
        await using var _ = proxy!;
        var tenant = await pair.GatewayApi.NewTenantAsync(credits: 1000);
        var id = await pair.GatewayApi.CreateTextTaskAsync(tenant.Key, simulate: "delay=16");
        var seen = new HashSet<string>();
        var task = await pair.GatewayApi.WaitForAsync(tenant.Key, id, status =>
        {
            seen.Add(status);
            return ReelayApi.IsTerminal(status);
        }, TimeSpan.FromSeconds(120));
        Assert.True(task.GetProperty("status").GetString() == "SUCCEEDED", $"{task}\n{pair.GatewayOutput}");
        Assert.Contains("RUNNING", seen);

        // Under load a 2 s answer may outlast its attempt and be asked again: always with the same key, to one upstream task.
        var creates = proxy!.To("POST", "/v1/text_to_video");
        Assert.Single(creates.Select(c => c.Header("Idempotency-Key")).Distinct());
        await AllForwardedAsync(proxy, creates.Count);
        Assert.True(proxy.Requests.Count(r => r.Method == "GET" && r.Path.StartsWith("/v1/tasks/", StringComparison.Ordinal)) >= 3, "the slow upstream was polled");
        Assert.Equal(24, await pair.UpstreamChargedAsync());
        Assert.Equal(1000 - 24, await pair.GatewayBalanceAsync(tenant.OrgId));
        await pair.AssertKeyNeverLoggedAsync();
    }

    [Fact]
    public async Task A_create_and_a_poll_answered_slower_than_the_relay_timeout_are_asked_again_and_find_the_same_upstream_task()
    {
        FlakyProxy? proxy = null;
        await using var pair = await RelayPair.StartAsync(async upstream =>
        {
            // Timeout 6 s: each attempt may take 3 s. The first create and the first poll take 8 s, longer than the whole deadline.
            proxy = await FlakyProxy.StartAsync(upstream, (request, n) => n == 1 && request.Method == "POST" || n == 1 && request.Path.StartsWith("/v1/tasks/", StringComparison.Ordinal)
                ? new FlakyProxy.Slow(TimeSpan.FromSeconds(8)) : new FlakyProxy.Forward());
            return proxy.BaseUrl;
        }, relaySettings: new Dictionary<string, string> { ["Relays:up:Timeout"] = "6" });
        await using var _ = proxy!;
        var tenant = await pair.GatewayApi.NewTenantAsync(credits: 1000);
        var id = await pair.GatewayApi.CreateTextTaskAsync(tenant.Key);
        var task = await pair.GatewayApi.WaitForAsync(tenant.Key, id, ReelayApi.IsTerminal);
        Assert.True(task.GetProperty("status").GetString() == "SUCCEEDED", $"{task}\n{pair.GatewayOutput}");

        var creates = proxy!.To("POST", "/v1/text_to_video");
        Assert.True(creates.Count >= 2, $"{creates.Count} creates: the slow one was not abandoned");
        Assert.Single(creates.Select(c => c.Header("Idempotency-Key")).Distinct());
        // The abandoned create still reaches the upstream (the proxy forwards it late): one task there all the same.
        await AllForwardedAsync(proxy, creates.Count);
        Assert.Equal(24, await pair.UpstreamChargedAsync());
        Assert.Equal(1000 - 24, await pair.GatewayBalanceAsync(tenant.OrgId));
        await pair.AssertKeyNeverLoggedAsync();
    }

    /// <summary>Waits (bounded) until the upstream has answered every create the proxy took, late ones included.</summary>
    private static async Task AllForwardedAsync(FlakyProxy proxy, int creates)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (proxy.Forwarded("POST", "/v1/text_to_video") < creates && DateTime.UtcNow < deadline) await Task.Delay(100);
        Assert.Equal(creates, proxy.Forwarded("POST", "/v1/text_to_video"));
    }
}
