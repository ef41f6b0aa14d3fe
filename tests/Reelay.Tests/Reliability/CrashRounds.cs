using System.Text.Json;
using Reelay.Tests.Api;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Reliability;

/// <summary>
/// Crash rounds: mixed load on one node (SQLite) or two nodes on one database (PostgreSQL), each killed with SIGKILL at
/// random moments and started again on the same data, then the checks of what the clients were told against the
/// database: every task terminal, none created twice for one key, none charged twice, the ledger adds up, every
/// callback delivered with one webhook-id, every confirmed upload stored. Used by the CI test and by bench/crash.
/// </summary>
public sealed class CrashRounds(int kills, int nodes, int clients, int seed, Action<string> log, int minUpMs = 3000, int maxUpMs = 8000,
    Dictionary<string, string>? database = null, int maxTasks = 24, Func<Task>? restartDatabase = null)
{
    private const string Hooks = "hooks.assets.test";
    private readonly Random _random = new(seed);
    private readonly List<string> _outputs = [];

    public sealed record Outcome(List<string> Problems, int Tasks, int Uploads, int Requests, int Refused, int Unavailable, int Orphaned, int Deliveries, int Reruns);

    public async Task<Outcome> RunAsync()
    {
        await using var receivers = await AssetServer.StartAsync();
        var receiver = WebhookReceiver.Map(receivers, Hooks);
        var settings = WebhookFixture.Settings($"{Hooks}=127.0.0.1");
        settings["Workers:LeaseSeconds"] = "3";
        foreach (var (k, v) in database ?? []) settings[k] = v; // the bench names its database; the tests take TestDatabase's
        var dataDirectory = TestPaths.NewTempDirectory("reelay-crash-rounds");
        var live = new ServerProcess?[nodes];
        for (var i = 0; i < nodes; i++) live[i] = await ServerProcess.StartAsync(dataDirectory, settings);
        try
        {
            var api = new ReelayApi(live[0]!);
            var tenant = await api.NewTenantAsync(credits: 1_000_000);
            var limits = new { maxConcurrentGenerations = 50, maxDailyGenerations = 100_000 };
            await api.AdminAsync(HttpMethod.Put, $"/admin/v1/organizations/{tenant.OrgId}/limits", new { models = new Dictionary<string, object> { ["gen4.5"] = limits, ["nano_banana"] = limits } });

            Uri? Node()
            {
                var up = live.Where(n => n is not null).ToList();
                lock (_random) return up.Count == 0 ? null : up[_random.Next(up.Count)]!.BaseUrl;
            }
            var load = new CrashLoad(Node, tenant.Key, receiver.Url, seed, maxTasks);
            using var stop = new CancellationTokenSource();
            var running = Enumerable.Range(0, clients).Select(c => Task.Run(() => load.RunClientAsync(c, stop.Token))).ToList();
            for (var k = 0; k < kills; k++)
            {
                await Task.Delay(Next(minUpMs, maxUpMs)); // a random moment of the node's life: mid-create, mid-render, mid-callback
                var victim = k % nodes;
                var process = live[victim]!;
                live[victim] = null;
                await process.KillAsync();
                lock (_outputs) _outputs.Add(process.Output);
                log($"kill {k + 1}/{kills}: node {victim} (pid {process.ProcessId}) after {load.Tasks.Count} tasks");
                await process.DisposeAsync();
                await Task.Delay(Next(0, 1000));
                live[victim] = await ServerProcess.StartAsync(dataDirectory, settings);
                if (k == kills / 2 && restartDatabase is not null)
                {
                    log($"database restart after kill {k + 1}, under load");
                    await restartDatabase();
                }
            }
            await Task.Delay(2000);
            await stop.CancelAsync();
            await Task.WhenAll(running);

            var checker = live[0]!;
            var problems = new List<string>(load.Problems);
            await WaitAsync("every task terminal", () => NotTerminalAsync(checker, tenant.OrgId), TimeSpan.FromSeconds(180), problems);
            var runBlob = load.Tasks.Where(t => t.Value == "runblob").Select(t => t.Key).ToList();
            await WaitAsync("every callback delivered", async () => runBlob.Count(id => !receiver.Requests.Any(r => r.Body.Contains(id))), TimeSpan.FromSeconds(90), problems);
            var reruns = await CrashChecks.VerifyAsync(checker, new ReelayApi(checker), tenant.OrgId, load, receiver, runBlob, problems);
            foreach (var node in live) if (node is not null) lock (_outputs) _outputs.Add(node.Output);
            lock (_outputs)
                foreach (var output in _outputs.Where(o => o.Contains("An unhandled exception has occurred")))
                    problems.Add("a node logged an unhandled exception:\n" + string.Join("\n", output.Split('\n').SkipWhile(l => !l.Contains("An unhandled exception")).Take(12)));
            return new Outcome(problems, load.Tasks.Count, load.ConfirmedUploads.Count, load.Requests, load.Refused, load.Unavailable, load.OrphanedKeys.Count,
                receiver.Requests.Count, reruns);
        }
        finally
        {
            foreach (var node in live) if (node is not null) await node.DisposeAsync();
        }
    }

    private int Next(int min, int max) { lock (_random) return _random.Next(min, max); }

    private static async Task<int> NotTerminalAsync(ServerProcess server, string orgId) =>
        (await TestDatabase.QueryAsync<string>(server, "SELECT id FROM tasks WHERE org_id = @orgId AND status NOT IN ('succeeded', 'failed', 'cancelled')", new { orgId })).Count;

    private static async Task WaitAsync(string what, Func<Task<int>> remaining, TimeSpan timeout, List<string> problems)
    {
        var deadline = DateTime.UtcNow + timeout;
        int left;
        while ((left = await remaining()) > 0 && DateTime.UtcNow < deadline) await Task.Delay(250);
        if (left > 0) problems.Add($"not {what} after {timeout.TotalSeconds:0} s: {left} left");
    }
}
