using Reelay.Tests.Client;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Relays;

/// <summary>The relay through a proxy that answers 503 and 429 in bursts and drops the create's answer.</summary>
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
}
