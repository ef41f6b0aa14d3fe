using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Api;

public class CrashSafetyTests
{
    [Fact]
    public async Task Killing_the_server_with_running_and_pending_tasks_loses_none_of_them()
    {
        var dataDirectory = TestPaths.NewTempDirectory("reelay-crash");
        var settings = new Dictionary<string, string> { ["Workers:Concurrency"] = "1", ["Workers:LeaseSeconds"] = "3" };
        var ids = new List<string>();
        string key, orgId;
        await using (var server = await ServerProcess.StartAsync(dataDirectory, settings))
        {
            var api = new ReelayApi(server);
            var tenant = await api.NewTenantAsync(credits: 1000);
            (key, orgId) = (tenant.Key, tenant.OrgId);
            await api.AdminAsync(HttpMethod.Put, $"/admin/v1/organizations/{orgId}/limits", new { models = new Dictionary<string, object> { ["gen4.5"] = new { maxConcurrentGenerations = 10 } } });
            ids.Add(await api.CreateTextTaskAsync(key, simulate: "delay=3"));
            await api.WaitForAsync(key, ids[0], s => s == "RUNNING");
            ids.Add(await api.CreateTextTaskAsync(key));
            ids.Add(await api.CreateTextTaskAsync(key));
            Assert.Equal("PENDING", (await api.GetTaskAsync(key, ids[1])).Body.GetProperty("status").GetString());
            await server.KillAsync();
        }

        await using var restarted = await ServerProcess.StartAsync(dataDirectory, settings);
        var again = new ReelayApi(restarted);
        foreach (var id in ids)
            Assert.Equal("SUCCEEDED", (await again.WaitForAsync(key, id, ReelayApi.IsTerminal)).GetProperty("status").GetString());
        // Each task was charged exactly once, even the one that ran twice.
        var org = await again.AdminAsync(HttpMethod.Get, $"/admin/v1/organizations/{orgId}");
        Assert.Equal(1000 - 3 * 24, org.GetProperty("creditBalance").GetInt64());
    }
}
