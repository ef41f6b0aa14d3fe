// Dispatch benchmark (bench/dispatch/run.sh). For SQLite and then PostgreSQL: measures the raw database's commit
// rate (single-row INSERT + COMMIT, as many concurrent writers as the bench has clients), then starts the real
// server (Release) on that database with a noop-engine catalog and measures tasks created per second through
// POST /v1/text_to_video, create-to-RUNNING under that burst, and create-to-RUNNING on an idle server (one create
// at a time: the wake-up path). Then a second server on the same database with no workers (node A) takes creates one
// at a time, which the first server's workers (node B) run: the cross-node wake-up path (LISTEN/NOTIFY on PostgreSQL,
// the workers' 0.5 s poll on SQLite). The ratio created/raw is the number to watch; absolute rates depend on the machine.
// Settings: name=value arguments or DISPATCH_<NAME> variables (tasks, clients, warmup, idle, xnode, workers, raw_seconds).
// PostgreSQL runs when REELAY_TEST_PG names a server (run.sh starts scripts/ensure-postgres.sh's cluster).
using Microsoft.Data.Sqlite;
using Npgsql;
using Reelay.Bench.Dispatch;
using Reelay.Server.Infrastructure;
using Reelay.Tests.Infrastructure;

string[] known = ["tasks", "clients", "warmup", "idle", "xnode", "workers", "raw_seconds"];
// --smoke: tiny counts, so CI checks that the bench builds and runs (tests/Reelay.Tests/Bench); explicit settings still win.
var smoke = args.Contains("--smoke");
if (args.FirstOrDefault(a => a != "--smoke" && !known.Any(k => a.StartsWith(k + "=", StringComparison.Ordinal))) is { } unknown)
{
    Console.Error.WriteLine($"unknown argument '{unknown}'; use name=value with name one of: {string.Join(", ", known)}");
    return 2;
}
int tasks, clients, warmup, idle, xnode, workers, rawSeconds;
try
{
    tasks = Setting("tasks", smoke ? 40 : 1000);
    clients = Setting("clients", 8);
    warmup = Setting("warmup", smoke ? 5 : 100);
    idle = Setting("idle", smoke ? 4 : 50);
    xnode = Setting("xnode", smoke ? 4 : 50);
    workers = Setting("workers", 2); // the server's default Workers:Concurrency
    rawSeconds = Setting("raw_seconds", smoke ? 1 : 3);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(12));
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); }; // Ctrl-C or run.sh's timeout: clean up, then stop

var pg = Environment.GetEnvironmentVariable("REELAY_TEST_PG");
var root = TestPaths.NewTempDirectory("reelay-bench-dispatch");
var results = new List<Result>();
ServerProcess? server = null, nodeA = null;
string? pgDatabase = null;
try
{
    Console.WriteLine($"Reelay dispatch benchmark: Release server, noop engine, {Environment.ProcessorCount} CPUs (bench clients and server share them)");
    Console.WriteLine($"per database: raw commits with {clients} writers for {rawSeconds} s; then {clients} HTTP clients create {tasks:N0} tasks " +
                      $"(after {warmup} warm-up) with {workers} in-process workers; then {idle} idle creates, one at a time; " +
                      $"then {xnode} one at a time on a second server without workers (node A), run by the first one's workers (node B)");

    var sqliteRaw = new Db(Path.Combine(Directory.CreateDirectory(Path.Combine(root, "raw")).FullName, "raw.db"));
    Migrations.Apply(sqliteRaw); // the server's set-up of its own file: journal_mode=WAL
    results.Add(await HalfAsync("SQLite", sqliteRaw, Path.Combine(root, "sqlite-data"), new() { ["Database:Provider"] = "sqlite" }));
    SqliteConnection.ClearAllPools();

    if (string.IsNullOrWhiteSpace(pg))
        Console.WriteLine("PostgreSQL: skipped (REELAY_TEST_PG is not set; bench/dispatch/run.sh sets it when scripts/ensure-postgres.sh starts a cluster)");
    else
    {
        var dataDirectory = Path.Combine(root, "pg-data");
        // Named like the tests' databases, so a run killed before its clean-up is pruned by a later test or bench run.
        var connectionString = await TestDatabase.ForDataDirectoryAsync(dataDirectory);
        pgDatabase = new NpgsqlConnectionStringBuilder(connectionString).Database;
        results.Add(await HalfAsync("PostgreSQL", Db.Postgres(connectionString), dataDirectory,
            new() { ["Database:Provider"] = "postgres", ["ConnectionStrings:Reelay"] = connectionString }));
    }

    Console.WriteLine();
    var header = $"{"database",-11}{"raw commits/s",14}{"created/s",11}{"created/raw",13}{"done/s",9}" +
                 $"{"→RUNNING p50",14}{"p99",8}{"idle p50",10}{"idle p99",10}{"x-node p50",12}{"x-node p99",12}";
    Console.WriteLine(header);
    Console.WriteLine(new string('-', header.Length));
    foreach (var r in results)
        Console.WriteLine($"{r.Name,-11}{r.RawPerSecond,14:N0}{r.Burst.CreatedPerSecond,11:N0}{r.Burst.CreatedPerSecond / r.RawPerSecond,13:0.000}{r.Burst.DonePerSecond,9:N0}" +
                          $"{Ms(r.Burst.ToRunningMs, 0.5),14}{Ms(r.Burst.ToRunningMs, 0.99),8}{Ms(r.Idle.ToRunningMs, 0.5),10}{Ms(r.Idle.ToRunningMs, 0.99),10}" +
                          $"{Ms(r.CrossNode.ToRunningMs, 0.5),12}{Ms(r.CrossNode.ToRunningMs, 0.99),12}");
    Console.WriteLine();
    Console.WriteLine($"created/s: {tasks:N0} creates ÷ wall time of the burst ({clients} clients); created/raw: ÷ the raw commit rate of the same database, same run, same concurrency.");
    Console.WriteLine("done/s: tasks succeeded ÷ (last finished_at − first created_at). →RUNNING: started_at − created_at, both stamped by the server (ms), p50/p99;");
    Console.WriteLine($"under the burst it includes queueing behind {workers} workers; idle: {idle} sequential creates on an idle server (the wake-up path: the create's in-process signal).");
    Console.WriteLine($"x-node: {xnode} sequential creates on node A (Workers:Concurrency=0), run by node B's workers on the same database, 20–520 ms apart. On PostgreSQL A's NOTIFY");
    Console.WriteLine("wakes B's LISTEN, so expect milliseconds; SQLite has no cross-process notification, so B finds each task at its next 0.5 s poll: expect p50 ~250 ms, p99 ~500 ms.");
    foreach (var r in results)
    {
        var (first, last) = r.Burst.QuarterRates();
        Console.WriteLine();
        Console.WriteLine($"{r.Name}: raw baseline on {r.RawDescription}");
        Console.WriteLine($"  burst: create round trip p50 {Stats.Percentile(r.Burst.RoundTripMs, 0.5):0.0} ms, p99 {Stats.Percentile(r.Burst.RoundTripMs, 0.99):0.0} ms, max {r.Burst.RoundTripMs.Max():0} ms; " +
                          $"creates/s in the first quarter {first:N0}, last quarter {last:N0}");
        Console.WriteLine($"  idle:  create round trip p50 {Stats.Percentile(r.Idle.RoundTripMs, 0.5):0.0} ms, p99 {Stats.Percentile(r.Idle.RoundTripMs, 0.99):0.0} ms; " +
                          $"→RUNNING max {r.Idle.ToRunningMs.Max()} ms");
        Console.WriteLine($"  x-node: create round trip on A p50 {Stats.Percentile(r.CrossNode.RoundTripMs, 0.5):0.0} ms, p99 {Stats.Percentile(r.CrossNode.RoundTripMs, 0.99):0.0} ms; " +
                          $"→RUNNING on B min {r.CrossNode.ToRunningMs.Min()} ms, max {r.CrossNode.ToRunningMs.Max()} ms");
    }
    return 0;
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    Console.Error.WriteLine("benchmark stopped (interrupted or over its 12-minute bound)");
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

// One database: the raw baseline first (nothing else runs on it yet), then the server on the same database.
async Task<Result> HalfAsync(string name, Db raw, string dataDirectory, Dictionary<string, string> database)
{
    Console.WriteLine($"{name}: raw commits …");
    var rawDescription = await RawCommits.DescribeAsync(raw);
    var (rawPerSecond, rawP50, rawP99, rawMax) = await RawCommits.MeasureAsync(raw, clients, TimeSpan.FromSeconds(rawSeconds), cancel.Token);

    var config = new Dictionary<string, string>(database)
    {
        ["Models:CatalogFile"] = Path.Combine(AppContext.BaseDirectory, "catalog.json"),
        ["Workers:Concurrency"] = workers.ToString(),
        ["Workers:LeaseSeconds"] = "30", // the server's default (ServerProcess shortens it for the crash tests)
        ["Limits:MaxQueuedTasks"] = "1000000", // the overload guard (503) must not cut the burst short
    };
    Console.WriteLine($"{name}: server, warm-up, burst, idle, across nodes …");
    server = await ServerProcess.StartAsync(Directory.CreateDirectory(dataDirectory).FullName, config).WaitAsync(cancel.Token);
    var dispatch = new DispatchClient(server, cancel.Token);
    if (warmup > 0) await dispatch.BurstAsync(await dispatch.TenantAsync(), warmup, clients); // JIT, pools, connections
    var burst = await dispatch.BurstAsync(await dispatch.TenantAsync(), tasks, clients);
    var quiet = await dispatch.IdleAsync(await dispatch.TenantAsync(), idle);

    // Node A: the same data directory and database settings, no workers; the server above stays up as node B.
    nodeA = await ServerProcess.StartAsync(dataDirectory, new Dictionary<string, string>(config) { ["Workers:Concurrency"] = "0" }).WaitAsync(cancel.Token);
    var onA = new DispatchClient(nodeA, cancel.Token);
    var crossNode = await onA.IdleAsync(await onA.TenantAsync(), xnode, new Random(1));
    await nodeA.DisposeAsync();
    nodeA = null;
    await server.DisposeAsync();
    server = null;
    return new Result(name, $"{rawDescription}; one commit p50 {rawP50:0.0} ms, p99 {rawP99:0.0} ms, max {rawMax:0} ms", rawPerSecond, burst, quiet, crossNode);
}

int Setting(string name, int fallback)
{
    var text = args.FirstOrDefault(a => a.StartsWith(name + "=", StringComparison.Ordinal))?[(name.Length + 1)..]
               ?? Environment.GetEnvironmentVariable("DISPATCH_" + name.ToUpperInvariant());
    if (string.IsNullOrWhiteSpace(text)) return fallback;
    return int.TryParse(text, out var value) && value >= (name == "warmup" ? 0 : 1)
        ? value
        : throw new ArgumentException($"{name} must be a whole number ≥ {(name == "warmup" ? 0 : 1)}, got '{text}'");
}

static string Ms(long[] values, double p) => values.Length == 0 ? "-" : $"{Stats.Percentile(values, p):0} ms";

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

internal sealed record Result(string Name, string RawDescription, double RawPerSecond, Phase Burst, Phase Idle, Phase CrossNode);
