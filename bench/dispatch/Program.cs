// Dispatch benchmark (bench/dispatch/run.sh). For SQLite and then PostgreSQL: measures the raw database's commit
// rate (single-row INSERT + COMMIT, as many concurrent writers as the bench has clients), then starts the real
// server (Release) on that database with a noop-engine catalog and measures tasks created per second through
// POST /v1/text_to_video in a burst spread round-robin over `orgs` organizations (the headline figure), the same
// burst in one organization, the creation rate in each quarter of a burst (a create whose cost grows with the table
// shows as a slower last quarter), create-to-RUNNING under those bursts, and create-to-RUNNING on an idle server (one
// create at a time: the wake-up path). Then a second server on the same database with no workers (node A) takes creates one
// at a time, which the first server's workers (node B) run: the cross-node wake-up path (LISTEN/NOTIFY on PostgreSQL,
// the workers' 0.5 s poll on SQLite). The ratio created/raw is the number to watch; absolute rates depend on the machine.
// prefill=N first writes N earlier finished tasks and their ledger rows into the database by SQL (Prefill.cs), so the
// same phases run against a database with a history.
// Settings: name=value arguments or DISPATCH_<NAME> variables (tasks, orgs, prefill, clients, warmup, warmup_seconds, idle, xnode,
// workers, raw_seconds).
// PostgreSQL runs when REELAY_TEST_PG names a server (run.sh starts scripts/ensure-postgres.sh's cluster).
using Microsoft.Data.Sqlite;
using Npgsql;
using Reelay.Bench.Dispatch;
using Reelay.Server.Infrastructure;
using Reelay.Tests.Infrastructure;

string[] known = ["tasks", "orgs", "prefill", "clients", "warmup", "warmup_seconds", "idle", "xnode", "workers", "raw_seconds"];
string[] mayBeZero = ["warmup", "warmup_seconds", "prefill"];
// --smoke: tiny counts, so CI checks that the bench builds and runs (tests/Reelay.Tests/Bench); explicit settings still win.
var smoke = args.Contains("--smoke");
if (args.FirstOrDefault(a => a != "--smoke" && !known.Any(k => a.StartsWith(k + "=", StringComparison.Ordinal))) is { } unknown)
{
    Console.Error.WriteLine($"unknown argument '{unknown}'; use name=value with name one of: {string.Join(", ", known)}");
    return 2;
}
int tasks, orgs, prefill, clients, warmup, warmupSeconds, idle, xnode, workers, rawSeconds;
try
{
    tasks = Setting("tasks", smoke ? 40 : 5000);
    orgs = Setting("orgs", smoke ? 4 : 50);
    prefill = Setting("prefill", smoke ? 2000 : 0); // the smoke run exercises the prefill SQL on both databases
    clients = Setting("clients", 8);
    warmup = Setting("warmup", smoke ? 5 : 500); // JIT tiers and thread-pool growth, or the first quarter measures them
    // ...and warm-up bursts of that many go on until this long has passed. A count alone was too short on PostgreSQL:
    // 500 creates are 2 s there, and `perf` still found a fifth of the server's CPU in the JIT's tiering thread 10 s
    // into the measured burst, whose quarters then rose by half from first to last; after 6,000 (about 20 s) they were flat.
    warmupSeconds = Setting("warmup_seconds", smoke ? 0 : 20);
    idle = Setting("idle", smoke ? 4 : 50);
    xnode = Setting("xnode", smoke ? 4 : 50);
    workers = Setting("workers", 16); // the server's default Workers:NoopConcurrency (the catalog's models are noop)
    rawSeconds = Setting("raw_seconds", smoke ? 1 : 3);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(prefill > 0 ? 25 : 12));
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); }; // Ctrl-C or run.sh's timeout: clean up, then stop

var pg = Environment.GetEnvironmentVariable("REELAY_TEST_PG");
var root = TestPaths.NewTempDirectory("reelay-bench-dispatch");
var results = new List<Result>();
ServerProcess? server = null, nodeA = null;
string? pgDatabase = null;
try
{
    Console.WriteLine($"Reelay dispatch benchmark: Release server, noop engine, {Environment.ProcessorCount} CPUs (bench clients and server share them)");
    Console.WriteLine($"per database: raw commits with {clients} writers for {rawSeconds} s; " +
                      (prefill > 0 ? $"{prefill:N0} earlier tasks and ledger rows inserted by SQL; " : "") +
                      $"then {clients} HTTP clients create {tasks:N0} tasks over {orgs} organizations (after warm-up bursts of {warmup} for at least {warmupSeconds} s), " +
                      $"then {tasks:N0} in one organization, with {workers} in-process noop workers; then {idle} idle creates, one at a time; " +
                      $"then {xnode} one at a time on a second server without workers (node A), run by the first one's workers (node B)");

    var sqliteData = Directory.CreateDirectory(Path.Combine(root, "sqlite-data")).FullName;
    var sqliteRaw = new Db(Path.Combine(Directory.CreateDirectory(Path.Combine(root, "raw")).FullName, "raw.db"));
    Migrations.Apply(sqliteRaw); // the server's set-up of its own file: journal_mode=WAL
    // The server's own file (ReelayOptions.DatabasePath), migrated here so the history goes in before it starts.
    var sqliteServer = new Db(Path.Combine(sqliteData, "reelay.db"));
    results.Add(await HalfAsync("SQLite", sqliteRaw, sqliteServer, sqliteData, new() { ["Database:Provider"] = "sqlite" }));
    SqliteConnection.ClearAllPools();

    if (string.IsNullOrWhiteSpace(pg))
        Console.WriteLine("PostgreSQL: skipped (REELAY_TEST_PG is not set; bench/dispatch/run.sh sets it when scripts/ensure-postgres.sh starts a cluster)");
    else
    {
        var dataDirectory = Path.Combine(root, "pg-data");
        // Named like the tests' databases, so a run killed before its clean-up is pruned by a later test or bench run.
        var connectionString = await TestDatabase.ForDataDirectoryAsync(dataDirectory);
        pgDatabase = new NpgsqlConnectionStringBuilder(connectionString).Database;
        var postgres = Db.Postgres(connectionString);
        results.Add(await HalfAsync("PostgreSQL", postgres, postgres, dataDirectory,
            new() { ["Database:Provider"] = "postgres", ["ConnectionStrings:Reelay"] = connectionString }));
    }
    Report.Print(results, new(tasks, orgs, prefill, clients, workers, idle, xnode));
    return 0;
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    Console.Error.WriteLine($"benchmark stopped (interrupted or over its {(prefill > 0 ? 25 : 12)}-minute bound)");
    return 2;
}
catch (Exception e)
{
    Console.Error.WriteLine($"benchmark failed: {e}");
    if (server is not null) Console.Error.WriteLine("server output:\n" + server.Output);
    if (nodeA is not null) Console.Error.WriteLine("node A output:\n" + nodeA.Output);
    return 1;
}
finally
{
    if (nodeA is not null) await nodeA.DisposeAsync();
    if (server is not null) await server.DisposeAsync();
    if (pgDatabase is not null) await DropAsync(pg!, pgDatabase);
    SqliteConnection.ClearAllPools();
    try { Directory.Delete(root, recursive: true); } catch (IOException) { }
}

// One database: the raw baseline first (nothing else runs on it yet), the history if asked for, then the server on the same database.
async Task<Result> HalfAsync(string name, Db raw, Db serverDb, string dataDirectory, Dictionary<string, string> database)
{
    Console.WriteLine($"{name}: raw commits …");
    var rawDescription = await RawCommits.DescribeAsync(raw);
    var (rawPerSecond, rawP50, rawP99, rawMax) = await RawCommits.MeasureAsync(raw, clients, TimeSpan.FromSeconds(rawSeconds), cancel.Token);
    TimeSpan? prefilled = null;
    if (prefill > 0)
    {
        Console.WriteLine($"{name}: inserting {prefill:N0} earlier tasks and ledger rows …");
        Migrations.Apply(serverDb);
        prefilled = await Prefill.InsertAsync(serverDb, prefill, cancel.Token);
    }

    var config = new Dictionary<string, string>(database)
    {
        ["Models:CatalogFile"] = Path.Combine(AppContext.BaseDirectory, "catalog.json"),
        ["Workers:NoopConcurrency"] = workers.ToString(),
        ["Workers:LeaseSeconds"] = "30", // the server's default (ServerProcess shortens it for the crash tests)
        ["Limits:MaxQueuedTasks"] = "1000000", // the overload guard (503) must not cut the burst short
    };
    Console.WriteLine($"{name}: server, warm-up, burst over {orgs} organizations, burst in one, idle, across nodes …");
    server = await ServerProcess.StartAsync(Directory.CreateDirectory(dataDirectory).FullName, config).WaitAsync(cancel.Token);
    var dispatch = new DispatchClient(server, cancel.Token);
    var spread = await dispatch.TenantsAsync(orgs);
    await WarmUpAsync(dispatch); // JIT, pools, connections
    var burst = await dispatch.BurstAsync(spread, tasks, clients);
    var single = await dispatch.BurstAsync([await dispatch.TenantAsync()], tasks, clients);
    var quiet = await dispatch.IdleAsync(await dispatch.TenantAsync(), idle);

    // Node A: the same data directory and database settings, no workers; the server above stays up as node B.
    nodeA = await ServerProcess.StartAsync(dataDirectory, new Dictionary<string, string>(config) { ["Workers:Concurrency"] = "0" }).WaitAsync(cancel.Token);
    var onA = new DispatchClient(nodeA, cancel.Token);
    var crossNode = await onA.IdleAsync(await onA.TenantAsync(), xnode, new Random(1));
    await nodeA.DisposeAsync();
    nodeA = null;
    await server.DisposeAsync();
    server = null;
    return new Result(name, $"{rawDescription}; one commit p50 {rawP50:0.0} ms, p99 {rawP99:0.0} ms, max {rawMax:0} ms", rawPerSecond,
        burst, single, quiet, crossNode, prefilled);
}

async Task WarmUpAsync(DispatchClient dispatch)
{
    if (warmup == 0) return;
    var clock = System.Diagnostics.Stopwatch.StartNew();
    do await dispatch.BurstAsync([await dispatch.TenantAsync()], warmup, clients); // a burst reads back its organization's tasks
    while (clock.Elapsed < TimeSpan.FromSeconds(warmupSeconds));
}

int Setting(string name, int fallback)
{
    var text = args.FirstOrDefault(a => a.StartsWith(name + "=", StringComparison.Ordinal))?[(name.Length + 1)..]
               ?? Environment.GetEnvironmentVariable("DISPATCH_" + name.ToUpperInvariant());
    if (string.IsNullOrWhiteSpace(text)) return fallback;
    var minimum = mayBeZero.Contains(name) ? 0 : 1;
    return int.TryParse(text, out var value) && value >= minimum
        ? value
        : throw new ArgumentException($"{name} must be a whole number ≥ {minimum}, got '{text}'");
}

static async Task DropAsync(string baseConnectionString, string name)
{
    try
    {
        await using var connection = new NpgsqlConnection(baseConnectionString);
        await connection.OpenAsync();
        // FORCE: the baseline's pooled connections are still open in this process.
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
    catch (NpgsqlException e)
    {
        Console.Error.WriteLine($"could not drop the bench database {name}: {e.Message} (a later test run prunes it)");
    }
}

internal sealed record Result(string Name, string RawDescription, double RawPerSecond, Phase Burst, Phase Single, Phase Idle, Phase CrossNode, TimeSpan? Prefilled);
