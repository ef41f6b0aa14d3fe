using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Workers;

/// <summary>`reelay worker` when nodes die or restart under it: a node's trouble never becomes a task's failure.</summary>
public class WorkerFailoverTests
{
    [Fact]
    public async Task Every_slot_of_a_worker_whose_first_node_is_dead_reaches_the_live_node_instead_of_giving_up()
    {
        await using var dead = await ServerProcess.StartAsync(settings: RemoteWorkerTests.RemoteOnly());
        await dead.KillAsync();
        await using var live = await ServerProcess.StartAsync(settings: RemoteWorkerTests.RemoteOnly("10"));
        var api = new ReelayApi(live);
        var tenant = await api.NewTenantAsync(credits: 10_000);
        await api.AdminAsync(HttpMethod.Put, $"/admin/v1/organizations/{tenant.OrgId}/limits",
            new { models = new Dictionary<string, object> { ["gen4.5"] = new { maxConcurrentGenerations = 50, maxDailyGenerations = 1000 } } });

        // Sixteen slots send their first lease to the dead node at once, and all fail there at the same moment: as
        // when a node dies under a busy worker. Each call must still go on to the live node.
        await using var worker = WorkerProcess.Start([dead.BaseUrl, live.BaseUrl], "survivor", "gen4.5", concurrency: 16, engine: "noop");
        var ids = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => api.CreateTextTaskAsync(tenant.Key)));
        foreach (var id in ids)
        {
            var task = await api.WaitForAsync(tenant.Key, id, ReelayApi.IsTerminal);
            Assert.True(task.GetProperty("status").GetString() == "SUCCEEDED", $"{task}\n{worker.Output}");
        }

        Assert.Contains($"{dead.BaseUrl} is unreachable", worker.Output);
        Assert.Contains("trying the next server", worker.Output);
        // "<node> is unreachable: ..." is a call giving up after every node failed it: never, with a live node listed.
        Assert.DoesNotContain(" is unreachable: ", worker.Output);
    }

    [Fact]
    public async Task A_worker_whose_only_node_restarts_while_it_renders_reports_the_task_once_the_node_is_back()
    {
        var dataDirectory = TestPaths.NewTempDirectory("reelay-restart");
        await using var node = await ServerProcess.StartAsync(dataDirectory, RemoteWorkerTests.RemoteOnly("30"));
        var tenant = await new ReelayApi(node).NewTenantAsync(credits: 1000);
        await using var worker = WorkerProcess.Start([node], "patient", "gen4.5", engine: "noop");
        var id = await new ReelayApi(node).CreateTextTaskAsync(tenant.Key, simulate: "delay=2");
        await RemoteWorkerTests.WaitUntilRunningAsync(node, id);
        // RUNNING is the claim's commit; the worker holds the task only once the claim's answer reached it. A kill in
        // between leaves the task to its lease instead, which is another test's story.
        await worker.WaitForOutputAsync($"leased task {id}");

        // The render ends while the node is down, so its upload cannot get through.
        await node.KillAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!worker.Output.Contains($"task {id} output upload failed") && !worker.Output.Contains($"task {id} failed"))
        {
            Assert.True(DateTime.UtcNow < deadline, "the worker never tried to report the task:\n" + worker.Output);
            await Task.Delay(50);
        }
        var settings = RemoteWorkerTests.RemoteOnly("30");
        settings["urls"] = $"http://127.0.0.1:{node.BaseUrl.Port}";
        await using var restarted = await ServerProcess.StartAsync(dataDirectory, settings);

        // The worker kept the finished render and reported it on the same lease: not failed, not run a second time.
        var done = await new ReelayApi(restarted).WaitForAsync(tenant.Key, id, ReelayApi.IsTerminal);
        Assert.True(done.GetProperty("status").GetString() == "SUCCEEDED", $"{done}\n{worker.Output}");
        Assert.Equal(1, await TestDatabase.ScalarAsync<long>(restarted, "SELECT attempts FROM tasks WHERE id = @id", new { id }));
        Assert.Contains($"patient/0: task {id} succeeded", worker.Output);
    }
}
