using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Portal;

public class RequestLogBackpressureTests
{
    [Fact]
    public async Task When_the_log_queue_is_full_requests_still_succeed_and_the_server_log_says_entries_were_dropped()
    {
        await using var server = await ServerProcess.StartAsync(settings: new Dictionary<string, string>
        {
            ["RequestLog:QueueCapacity"] = "1",
            ["RequestLog:BatchSize"] = "1",
            ["RequestLog:DropWarningSeconds"] = "0.5",
        });
        var api = new ReelayApi(server);
        var tenant = await api.NewTenantAsync();
        using var gate = new SemaphoreSlim(32);
        var statuses = await Task.WhenAll(Enumerable.Range(0, 400).Select(async _ =>
        {
            await gate.WaitAsync();
            try { return (await api.GetTaskAsync(tenant.Key, Guid.NewGuid().ToString())).Status; }
            finally { gate.Release(); }
        }));
        Assert.All(statuses, status => Assert.Equal(404, status));

        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!server.Output.Contains("entries were dropped", StringComparison.Ordinal) && DateTime.UtcNow < deadline) await Task.Delay(100);
        Assert.Contains("Request log:", server.Output);
        Assert.Contains("entries were dropped", server.Output);
    }
}
