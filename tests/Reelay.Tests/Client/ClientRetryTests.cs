using System.Diagnostics;
using Reelay.Client;
using Reelay.Tests.Infrastructure;
using static Reelay.Tests.Client.FlakyProxy;

namespace Reelay.Tests.Client;

/// <summary>Retries through a misbehaving proxy in front of the real server, counting what reached it.</summary>
[Trait("Database", "independent")] // the C# client against a server: what it checks is the client's side, the same on either database
public class ClientRetryTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly ReelayApi _api = fixture.Api;
    private const string TextToVideo = "/v1/text_to_video";

    private static IReadOnlyDictionary<string, string> Header(string name, string value) => new Dictionary<string, string> { [name] = value };

    [Fact]
    public async Task A_create_that_fails_twice_then_succeeds_is_sent_three_times_with_one_key_and_makes_one_task()
    {
        var tenant = await _api.NewTenantAsync();
        await using var proxy = await FlakyProxy.StartAsync(_api.BaseUrl, (request, n) => request.Path != TextToVideo ? new Forward() : n switch
        {
            1 => new Answer(503, Headers: Header("retry-after-ms", "20")),
            2 => new Drop(),
            _ => new Forward(),
        });
        using var client = Clients.For(proxy.BaseUrl, tenant.Key);
        var created = await client.CreateTextToVideoAsync(Clients.Text());

        var attempts = proxy.To("POST", TextToVideo);
        Assert.Equal(3, attempts.Count);
        var key = attempts[0].Header("Idempotency-Key");
        Assert.False(string.IsNullOrEmpty(key));
        Assert.All(attempts, a => Assert.Equal(key, a.Header("Idempotency-Key")));
        Assert.All(attempts, a => Assert.Equal(ReelayClientOptions.DefaultRunwayVersion, a.Header("X-Runway-Version")));
        Assert.All(attempts, a => Assert.Equal("Bearer " + tenant.Key, a.Header("Authorization")));

        using var direct = Clients.For(_api, tenant);
        Assert.Equal(1, (await direct.GetOrganizationAsync()).Usage.Models[ReelayModels.Gen45].DailyGenerations);
        Assert.Equal(created.Id, (await direct.GetTaskAsync(created.Id)).Id);
    }

    [Fact]
    public async Task A_create_whose_answer_was_lost_is_replayed_by_the_server_not_repeated()
    {
        var tenant = await _api.NewTenantAsync();
        await using var proxy = await FlakyProxy.StartAsync(_api.BaseUrl, (request, n) =>
            request.Path == TextToVideo && n == 1 ? new ForwardThenDrop() : new Forward());
        using var client = Clients.For(proxy.BaseUrl, tenant.Key);
        var created = await client.CreateTextToVideoAsync(Clients.Text());

        Assert.Equal(2, proxy.To("POST", TextToVideo).Count); // both reached the server
        using var direct = Clients.For(_api, tenant);
        var organization = await direct.GetOrganizationAsync();
        Assert.Equal(1, organization.Usage.Models[ReelayModels.Gen45].DailyGenerations);
        Assert.Equal(10_000 - 24, organization.CreditBalance); // held once
        Assert.Equal(created.Id, (await direct.GetTaskAsync(created.Id)).Id);
    }

    [Fact]
    public async Task Each_create_call_gets_its_own_idempotency_key()
    {
        var tenant = await _api.NewTenantAsync();
        await using var proxy = await FlakyProxy.StartAsync(_api.BaseUrl, (_, _) => new Forward());
        using var client = Clients.For(proxy.BaseUrl, tenant.Key);
        var one = await client.CreateTextToVideoAsync(Clients.Text());
        var two = await client.CreateTextToVideoAsync(Clients.Text());
        Assert.NotEqual(one.Id, two.Id);
        var keys = proxy.To("POST", TextToVideo).Select(r => r.Header("Idempotency-Key")).ToList();
        Assert.Equal(2, keys.Distinct().Count());
        Assert.Null(proxy.To("GET", "/v1/organization").FirstOrDefault()?.Header("Idempotency-Key"));
    }

    [Theory]
    [InlineData(408, 3)]
    [InlineData(409, 3)]
    [InlineData(429, 3)]
    [InlineData(500, 3)]
    [InlineData(502, 3)]
    [InlineData(400, 1)]
    [InlineData(404, 1)]
    [InlineData(422, 1)]
    public async Task Transient_statuses_are_retried_up_to_the_limit_and_others_are_not(int status, int attempts)
    {
        var tenant = await _api.NewTenantAsync();
        await using var proxy = await FlakyProxy.StartAsync(_api.BaseUrl, (_, _) => new Answer(status));
        using var client = Clients.For(proxy.BaseUrl, tenant.Key);
        var error = await Assert.ThrowsAnyAsync<ApiException>(() => client.GetOrganizationAsync());
        Assert.Equal(status, error.StatusCode);
        Assert.Equal(attempts, proxy.To("GET", "/v1/organization").Count);
    }

    [Fact]
    public async Task X_should_retry_overrules_the_status_both_ways()
    {
        var tenant = await _api.NewTenantAsync();
        await using var never = await FlakyProxy.StartAsync(_api.BaseUrl, (_, _) => new Answer(503, Headers: Header("x-should-retry", "false")));
        using (var client = Clients.For(never.BaseUrl, tenant.Key))
            await Assert.ThrowsAsync<ServiceUnavailableException>(() => client.GetOrganizationAsync());
        Assert.Single(never.Requests);

        await using var always = await FlakyProxy.StartAsync(_api.BaseUrl, (_, n) => n == 1 ? new Answer(400, Headers: Header("x-should-retry", "true")) : new Forward());
        using (var client = Clients.For(always.BaseUrl, tenant.Key))
            Assert.Equal(10_000, (await client.GetOrganizationAsync()).CreditBalance);
        Assert.Equal(2, always.Requests.Count);
    }

    [Fact]
    public async Task Retry_after_is_honoured_and_a_too_long_one_is_raised_at_once()
    {
        var tenant = await _api.NewTenantAsync();
        await using var once = await FlakyProxy.StartAsync(_api.BaseUrl, (_, n) => n == 1 ? new Answer(429, Headers: Header("Retry-After", "1")) : new Forward());
        using (var client = Clients.For(once.BaseUrl, tenant.Key, o => o.InitialRetryDelay = TimeSpan.FromMilliseconds(1)))
        {
            var clock = Stopwatch.StartNew();
            await client.GetOrganizationAsync();
            Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(950), $"retried after {clock.Elapsed}");
        }

        await using var hours = await FlakyProxy.StartAsync(_api.BaseUrl, (_, _) => new Answer(429, Headers: Header("Retry-After", "7200")));
        using (var client = Clients.For(hours.BaseUrl, tenant.Key))
        {
            var error = await Assert.ThrowsAsync<RateLimitException>(() => client.GetOrganizationAsync());
            Assert.Equal(TimeSpan.FromHours(2), error.RetryAfter);
        }
        Assert.Single(hours.Requests);
    }

    [Fact]
    public async Task A_connection_dropped_twice_then_answered_succeeds_and_max_retries_zero_gives_up_at_once()
    {
        var tenant = await _api.NewTenantAsync();
        await using var proxy = await FlakyProxy.StartAsync(_api.BaseUrl, (_, n) => n <= 2 ? new Drop() : new Forward());
        using (var client = Clients.For(proxy.BaseUrl, tenant.Key))
            Assert.Equal(10_000, (await client.GetOrganizationAsync()).CreditBalance);
        Assert.Equal(3, proxy.Requests.Count);

        await using var dropping = await FlakyProxy.StartAsync(_api.BaseUrl, (_, _) => new Drop());
        using (var client = Clients.For(dropping.BaseUrl, tenant.Key, o => o.MaxRetries = 0))
            await Assert.ThrowsAsync<ApiConnectionException>(() => client.GetOrganizationAsync());
        Assert.Single(dropping.Requests);
    }
}
