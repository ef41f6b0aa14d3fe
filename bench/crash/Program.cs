// Crash-round benchmark (bench/crash/run.sh): the CI test's crash rounds (tests/Reelay.Tests/Reliability/CrashRounds.cs)
// with large counts. SQLite: one node killed `kills` times. PostgreSQL (when REELAY_TEST_PG names a server): two nodes
// on one database, killed alternately. Prints what the load did and every check that failed; exits 1 if any did.
using Npgsql;
using Reelay.Tests.Infrastructure;
using Reelay.Tests.Reliability;

var smoke = args.Contains("--smoke");
string Arg(string name, string fallback) => args.FirstOrDefault(a => a.StartsWith(name + "=", StringComparison.Ordinal))?[(name.Length + 1)..] ?? fallback;
var kills = int.Parse(Arg("kills", smoke ? "1" : "10"));
var clients = int.Parse(Arg("clients", smoke ? "2" : "6"));
var seed = int.Parse(Arg("seed", Environment.TickCount.ToString()));
Console.WriteLine($"Reelay crash rounds: {kills} kills, {clients} clients, seed {seed}, {Environment.ProcessorCount} CPUs");

var failed = false;
var pg = Environment.GetEnvironmentVariable("REELAY_TEST_PG");
foreach (var (name, nodes) in new[] { ("SQLite", 1), ("PostgreSQL", 2) })
{
    Dictionary<string, string>? database = null;
    if (name == "PostgreSQL")
    {
        if (string.IsNullOrWhiteSpace(pg)) { Console.WriteLine("PostgreSQL: skipped (REELAY_TEST_PG is not set)"); continue; }
        // Named like the tests' databases, so a killed run's leftovers are pruned by a later run.
        var connectionString = await TestDatabase.ForDataDirectoryAsync(TestPaths.NewTempDirectory("reelay-bench-crash-pg"));
        database = new() { ["Database:Provider"] = "postgres", ["ConnectionStrings:Reelay"] = connectionString };
    }
    var started = DateTime.UtcNow;
    var outcome = await new CrashRounds(kills, nodes, clients, seed, line => Console.WriteLine("  " + line),
        minUpMs: smoke ? 2000 : 3000, maxUpMs: smoke ? 3000 : 10000, database: database, maxTasks: smoke ? 6 : 400).RunAsync();
    Console.WriteLine($"{name}, {nodes} node(s): {(DateTime.UtcNow - started).TotalSeconds:0} s; {outcome.Tasks} tasks ({outcome.Reruns} ran again after a crash), " +
                      $"{outcome.Uploads} confirmed uploads, {outcome.Deliveries} callback requests, {outcome.Requests} requests, " +
                      $"{outcome.Refused} refused while a node was down, {outcome.Unavailable} 503s, {outcome.Orphaned} keys orphaned by a kill");
    Console.WriteLine(outcome.Problems.Count == 0 ? "  all checks hold" : "  FAILED:\n  " + string.Join("\n  ", outcome.Problems));
    failed |= outcome.Problems.Count > 0;
    if (database is not null) NpgsqlConnection.ClearAllPools();
}
return failed ? 1 : 0;
