using System.Text.Json.Nodes;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Workers;

public class WorkerPoolEngineTests(ServerFixture plain) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Without_a_worker_token_the_worker_protocol_does_not_exist()
    {
        var reply = await new WorkerClient(plain.Server).LeaseAsync("gen4.5");
        Assert.Equal(404, reply.Status);
    }

    [Fact]
    public async Task A_stopping_node_answers_its_waiting_workers_at_once_so_they_can_move_on()
    {
        await using var server = await ServerProcess.StartAsync(settings: new Dictionary<string, string>
        {
            ["Workers:Concurrency"] = "0",
            ["Workers:Token"] = WorkerProcess.Token,
        });
        var waiting = new WorkerClient(server).LeaseAsync("gen4.5", waitSeconds: 60);
        await Task.Delay(500);
        Assert.False(waiting.IsCompleted);

        await server.TerminateAsync();
        Assert.Equal(204, (await waiting).Status);
    }

    [Fact]
    public async Task Models_whose_engine_is_a_worker_pool_are_left_to_remote_workers()
    {
        // gen4.5 is served by the pool "gpu"; the node's own two workers must leave its tasks alone.
        var catalogFile = TestCatalogs.WriteDefault(catalog => TestCatalogs.Serve(catalog, "gen4.5", "pool:gpu"));
        await using var server = await ServerProcess.StartAsync(settings: new Dictionary<string, string>
        {
            ["Models:CatalogFile"] = catalogFile,
            ["Workers:Concurrency"] = "2",
            ["Workers:Token"] = WorkerProcess.Token,
        });
        var api = new ReelayApi(server);
        var tenant = await api.NewTenantAsync();
        var pooled = await api.CreateTextTaskAsync(tenant.Key, model: "gen4.5");
        var local = await api.CreateTextTaskAsync(tenant.Key, duration: 4, model: "veo3.1_fast");

        // The local model's task finishes on the node while the pooled one, created first, still waits.
        Assert.Equal("SUCCEEDED", (await api.WaitForAsync(tenant.Key, local, ReelayApi.IsTerminal)).GetProperty("status").GetString());
        Assert.Equal("PENDING", (await api.GetTaskAsync(tenant.Key, pooled)).Body.GetProperty("status").GetString());

        var leased = await new WorkerClient(server).LeaseAsync("gen4.5");
        Assert.Equal(200, leased.Status);
        Assert.Equal((pooled, "pool:gpu"), (leased.Body.GetProperty("id").GetString(), leased.Body.GetProperty("engine").GetString()));
    }

    [Fact]
    public async Task Noop_models_get_their_own_pool_of_workers_beside_the_preview_renders()
    {
        // gen4.5 runs on the noop engine (3 workers), veo3.1_fast on preview (1 worker): each pool is sized apart.
        var catalogFile = TestCatalogs.WriteDefault(catalog => TestCatalogs.Serve(catalog, "gen4.5", "noop"));
        await using var server = await ServerProcess.StartAsync(settings: new Dictionary<string, string>
        {
            ["Models:CatalogFile"] = catalogFile,
            ["Workers:Concurrency"] = "1",
            ["Workers:NoopConcurrency"] = "3",
        });
        var api = new ReelayApi(server);
        // One task per organization, so no organization's concurrency limit throttles them.
        var noop = new List<(string Key, string Id)>();
        for (var i = 0; i < 3; i++)
        {
            var tenant = await api.NewTenantAsync();
            noop.Add((tenant.Key, await api.CreateTextTaskAsync(tenant.Key, simulate: "delay=60")));
        }
        var renders = new List<(string Key, string Id)>();
        for (var i = 0; i < 2; i++)
        {
            var tenant = await api.NewTenantAsync();
            renders.Add((tenant.Key, await api.CreateTextTaskAsync(tenant.Key, duration: 4, simulate: "delay=60", model: "veo3.1_fast")));
        }

        foreach (var (key, id) in noop) await api.WaitForAsync(key, id, s => s == "RUNNING");
        var running = await api.WaitForAsync(renders[0].Key, renders[0].Id, s => s == "RUNNING");
        // All three noop tasks hold a worker at once, while the second render waits for the one preview worker.
        foreach (var (key, id) in noop)
            Assert.Equal("RUNNING", (await api.GetTaskAsync(key, id)).Body.GetProperty("status").GetString());
        Assert.Equal("RUNNING", running.GetProperty("status").GetString());
        Assert.Equal("PENDING", (await api.GetTaskAsync(renders[1].Key, renders[1].Id)).Body.GetProperty("status").GetString());
    }
}
