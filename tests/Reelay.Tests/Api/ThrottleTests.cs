using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Api;

public class ThrottleTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly ReelayApi _api = fixture.Api;

    [Fact]
    public async Task Tasks_over_the_concurrency_limit_are_throttled_and_run_one_at_a_time_in_submission_order()
    {
        var tenant = await _api.NewTenantAsync();
        await _api.AdminAsync(HttpMethod.Put, $"/admin/v1/organizations/{tenant.OrgId}/limits", new { models = new Dictionary<string, object> { ["gen4.5"] = new { maxConcurrentGenerations = 1 } } });
        var ids = new List<string>();
        for (var i = 0; i < 3; i++) ids.Add(await _api.CreateTextTaskAsync(tenant.Key, simulate: "delay=1.5"));
        Assert.Equal("THROTTLED", (await _api.GetTaskAsync(tenant.Key, ids[1])).Body.GetProperty("status").GetString());
        Assert.Equal("THROTTLED", (await _api.GetTaskAsync(tenant.Key, ids[2])).Body.GetProperty("status").GetString());

        foreach (var id in ids)
            Assert.Equal("SUCCEEDED", (await _api.WaitForAsync(tenant.Key, id, ReelayApi.IsTerminal)).GetProperty("status").GetString());

        // The server's own start and finish times, read in one consistent snapshot: each task started
        // only after the one before it had finished (one slot), and in submission order.
        var runs = new List<(long Started, long Finished)>();
        foreach (var id in ids)
            runs.Add((await TestDatabase.ScalarAsync<long>(fixture.Server, "SELECT started_at FROM tasks WHERE id = @id", new { id }),
                      await TestDatabase.ScalarAsync<long>(fixture.Server, "SELECT finished_at FROM tasks WHERE id = @id", new { id })));
        for (var i = 1; i < runs.Count; i++)
            Assert.True(runs[i].Started >= runs[i - 1].Finished, $"task {i} started at {runs[i].Started}, before task {i - 1} finished at {runs[i - 1].Finished}");
    }

    [Fact]
    public async Task A_simulated_throttle_keeps_a_task_throttled_for_a_while_then_it_runs()
    {
        var tenant = await _api.NewTenantAsync();
        var id = await _api.CreateTextTaskAsync(tenant.Key, simulate: "throttle=2");
        Assert.Equal("THROTTLED", (await _api.GetTaskAsync(tenant.Key, id)).Body.GetProperty("status").GetString());
        await Task.Delay(1000);
        Assert.Equal("THROTTLED", (await _api.GetTaskAsync(tenant.Key, id)).Body.GetProperty("status").GetString());
        Assert.Equal("SUCCEEDED", (await _api.WaitForAsync(tenant.Key, id, ReelayApi.IsTerminal)).GetProperty("status").GetString());
    }

}
