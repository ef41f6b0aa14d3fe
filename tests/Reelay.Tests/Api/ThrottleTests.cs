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

        var startedAt = new Dictionary<string, int>();
        var deadline = DateTime.UtcNow.AddSeconds(90);
        for (var tick = 0; startedAt.Count < 3 || !await AllTerminalAsync(tenant.Key, ids); tick++)
        {
            Assert.True(DateTime.UtcNow < deadline, "Throttled tasks did not all run.\n" + fixture.Server.Output);
            var statuses = new List<string>();
            foreach (var id in ids)
            {
                var status = (await _api.GetTaskAsync(tenant.Key, id)).Body.GetProperty("status").GetString()!;
                statuses.Add(status);
                if (status is "RUNNING" or "SUCCEEDED") startedAt.TryAdd(id, tick);
            }
            Assert.True(statuses.Count(s => s is "RUNNING" or "PENDING") <= 1, "More than one task in flight: " + string.Join(",", statuses));
            await Task.Delay(100);
        }
        Assert.True(startedAt[ids[0]] < startedAt[ids[1]] && startedAt[ids[1]] < startedAt[ids[2]], string.Join(",", ids.Select(i => startedAt[i])));
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

    private async Task<bool> AllTerminalAsync(string key, IEnumerable<string> ids)
    {
        foreach (var id in ids)
            if (!ReelayApi.IsTerminal((await _api.GetTaskAsync(key, id)).Body.GetProperty("status").GetString()!)) return false;
        return true;
    }
}
