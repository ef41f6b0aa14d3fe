using Reelay.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Reelay.Tests.Reliability;

/// <summary>Crash rounds with CI-sized counts; bench/crash runs the same rounds with large ones.</summary>
public class CrashRoundTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Under_mixed_load_repeated_kill_9_loses_no_task_charge_callback_or_upload()
    {
        // SQLite: one node killed again and again. PostgreSQL: two nodes on one database, killed alternately.
        var nodes = TestDatabase.IsPostgres ? 2 : 1;
        var seed = Environment.TickCount;
        // Ten kills, as the bench does, with shorter lives than the bench's so the round stays under a minute.
        var rounds = new CrashRounds(kills: 10, nodes, clients: 3, seed, output.WriteLine, minUpMs: 1000, maxUpMs: 3500);
        var outcome = await rounds.RunAsync();
        output.WriteLine($"seed {seed}: {outcome.Tasks} tasks ({outcome.Reruns} ran again after a crash), {outcome.Uploads} uploads, {outcome.Deliveries} callbacks, " +
                         $"{outcome.Requests} requests, {outcome.Refused} refused while a node was down, {outcome.Unavailable} 503s, {outcome.Orphaned} keys orphaned by a kill");
        Assert.True(outcome.Problems.Count == 0, string.Join("\n", outcome.Problems.Take(40)));
        Assert.True(outcome.Tasks >= 5, $"only {outcome.Tasks} tasks were created: the load did not run");
    }

    /// <summary>
    /// On a cluster of its own (the shared one serves every other test): two nodes killed alternately, and once in the
    /// middle PostgreSQL itself crashes (immediate stop) and comes back under the same load.
    /// </summary>
    [Fact]
    [Trait("Database", "sqlite-only")] // it brings its own PostgreSQL, so it runs once, in the first pass
    public async Task Two_nodes_and_a_postgresql_crash_mid_load_lose_no_task_charge_callback_or_upload()
    {
        await using var postgres = await PrivatePostgres.StartAsync();
        var seed = Environment.TickCount;
        var rounds = new CrashRounds(kills: 4, nodes: 2, clients: 3, seed, output.WriteLine, minUpMs: 1500, maxUpMs: 4000, database: postgres.Settings,
            restartDatabase: () => postgres.CrashAndRestartAsync(TimeSpan.FromSeconds(2)));
        var outcome = await rounds.RunAsync();
        output.WriteLine($"seed {seed}: {outcome.Tasks} tasks ({outcome.Reruns} ran again), {outcome.Uploads} uploads, {outcome.Deliveries} callbacks, " +
                         $"{outcome.Requests} requests, {outcome.Refused} refused, {outcome.Unavailable} 503s");
        Assert.True(outcome.Problems.Count == 0, string.Join("\n", outcome.Problems.Take(40)));
        Assert.True(outcome.Tasks >= 5, $"only {outcome.Tasks} tasks were created: the load did not run");
    }
}
