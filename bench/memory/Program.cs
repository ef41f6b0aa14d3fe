// Memory benchmark (bench/memory/run.sh). Starts the real server (Release) and sends it hostile JSON bodies one kind
// at a time — a million unknown keys, deeply nested arrays, one huge string, a million-element array of the wrong
// type — to a Runway create, a RunBlob create, an admin route and the worker protocol, each on a fresh server. Prints
// per case the body size, the answer's status and size, the peak RSS increase (VmHWM, reset just before the body),
// that increase over the body size (goal ≤ ~4) and the RSS left after a light-traffic settle. Then a mixed phase:
// valid creates, reads and hostile bodies for `minutes=`, and the settled RSS against the RSS after warm-up (goal ≤ 1.25).
// gc=server|workstation|datas|conserve|datas-conserve overrides the server's GC settings (environment variables) for comparisons.
using System.Globalization;
using Reelay.Bench.Memory;
using Reelay.Tests.Infrastructure;

var smoke = args.Contains("--smoke");
string Arg(string name, string fallback) => args.FirstOrDefault(a => a.StartsWith(name + "=", StringComparison.Ordinal))?[(name.Length + 1)..] ?? fallback;
double Number(string name, string fallback) => double.Parse(Arg(name, fallback), CultureInfo.InvariantCulture);
var size = smoke ? 64 << 10 : (int)(Number("size_mb", "13") * 1_000_000);
var fresh = !smoke && Arg("fresh", "1") == "1"; // a fresh server per case: earlier cases' heap growth cannot hide a later case's
var settle = TimeSpan.FromSeconds(smoke ? 0.25 : Number("settle_s", "10"));
var minutes = smoke ? 0.1 : Number("minutes", "2");
var gc = Arg("gc", "");
var only = Arg("cases", ""); // e.g. cases=RunBlob: only the targets whose name contains it
// e.g. kinds=HugeString: only the body kinds whose name contains it (UnknownKeys, NestedArrays, HugeString, WrongTypeArray)
var onlyKinds = Arg("kinds", "");

// Environment variables override runtimeconfig.json, and the server process inherits them from this one.
foreach (var (name, value) in GcSettings(gc)) Environment.SetEnvironmentVariable(name, value);
using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(minutes + 25));
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };

const string WorkerToken = "bench-memory-worker-token-0123456789";
var settings = new Dictionary<string, string> { ["Database:Provider"] = "sqlite", ["Workers:Token"] = WorkerToken, ["Workers:Concurrency"] = "1" };
Target[] targets =
[
    new("Runway POST /v1/text_to_image", "/v1/text_to_image", "runway",
        [("model", "\"gen4_image\""), ("promptText", "\"a red fox\""), ("ratio", "\"1280:720\"")], "promptText", "referenceImages"),
    new("RunBlob POST /v1/gemini/generate", "/v1/gemini/generate", "runblob", [("prompt", "\"a red fox\""), ("aspect_ratio", "\"1:1\"")], "prompt", "images"),
    new("admin POST /admin/v1/organizations", "/admin/v1/organizations", "admin", [("name", "\"bench\""), ("credits", "10")], "name", "name"),
    new("worker POST /worker/v1/lease", "/worker/v1/lease", "worker", [("models", "[\"gen4.5\"]"), ("waitSeconds", "0")], "workerId", "models"),
];
targets = [.. targets.Where(t => t.Name.Contains(only, StringComparison.OrdinalIgnoreCase))];

async Task<(ServerProcess Server, Hostile Client)> StartAsync()
{
    var server = await ServerProcess.StartAsync(settings: settings).WaitAsync(cancel.Token);
    var api = new ReelayApi(server);
    var tenant = await api.NewTenantAsync(credits: 100_000_000);
    var limits = new { maxConcurrentGenerations = 1000, maxDailyGenerations = 1_000_000 };
    await api.AdminAsync(HttpMethod.Put, $"/admin/v1/organizations/{tenant.OrgId}/limits",
        new { models = new Dictionary<string, object> { ["gen4.5"] = limits, ["nano_banana"] = limits } });
    return (server, new Hostile(server, tenant.Key, WorkerToken));
}

var results = new List<CaseResult>();
ServerProcess? shared = null;
try
{
    (ServerProcess Server, Hostile Client)? current = null;
    Console.WriteLine($"Reelay memory benchmark: Release server, SQLite, {Environment.ProcessorCount} CPUs, hostile bodies of {size / 1e6:0.###} MB, " +
                      $"{(fresh ? "a fresh server per case" : "one server")}, GC {(gc.Length == 0 ? "as configured" : gc)}");
    long? idle = null;
    foreach (var kind in Enum.GetValues<HostileKind>().Where(k => k.ToString().Contains(onlyKinds, StringComparison.OrdinalIgnoreCase)))
        foreach (var target in targets)
        {
            if (current is null || fresh)
            {
                if (current is { } old) await old.Server.DisposeAsync();
                current = await StartAsync();
                shared = current.Value.Server;
                idle ??= ProcStatus.Bytes(shared.ProcessId, "VmRSS");
            }
            results.Add(await current.Value.Client.MeasureAsync(kind, target, size, settle, cancel.Token));
        }
    if (current is { } last) await last.Server.DisposeAsync();
    shared = null;
    MemoryReport.PrintCases(results, idle ?? 0);
    var failures = results.Count(r => r.Status is >= 500 or 0 || r.AnswerBytes > MemoryReport.BoundedAnswer);
    if (minutes <= 0) return Verdict(failures); // minutes=0: the per-case figures only

    var mixedServer = await StartAsync();
    shared = mixedServer.Server;
    var mixed = await Mixed.RunAsync(mixedServer.Server, mixedServer.Client, targets, size,
        TimeSpan.FromSeconds(smoke ? 3 : 30), TimeSpan.FromMinutes(minutes), TimeSpan.FromSeconds(smoke ? 2 : 30), cancel.Token);
    MemoryReport.PrintMixed(mixed, minutes);
    // A surface that ignores unknown fields may accept a body; a 5xx is never right, and an answer must stay small.
    return Verdict(failures + mixed.ServerErrors);
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    Console.Error.WriteLine("benchmark stopped (interrupted or over its time bound)");
    return 2;
}
catch (Exception e)
{
    Console.Error.WriteLine($"benchmark failed: {e}");
    if (shared is not null) Console.Error.WriteLine("server output:\n" + shared.Output);
    return 1;
}
finally
{
    if (shared is not null) await shared.DisposeAsync();
}

static int Verdict(int failures)
{
    if (failures > 0) Console.Error.WriteLine($"{failures} hostile answer(s) were a 5xx or not bounded");
    return failures == 0 ? 0 : 1;
}

static (string, string)[] GcSettings(string gc) => gc switch
{
    "" => [],
    "server" => [("DOTNET_gcServer", "1"), ("DOTNET_GCDynamicAdaptationMode", "0")],
    "datas" => [("DOTNET_gcServer", "1"), ("DOTNET_GCDynamicAdaptationMode", "1")],
    "workstation" => [("DOTNET_gcServer", "0")],
    "conserve" => [("DOTNET_gcServer", "0"), ("DOTNET_GCConserveMemory", "5")],
    "datas-conserve" => [("DOTNET_gcServer", "1"), ("DOTNET_GCDynamicAdaptationMode", "1"), ("DOTNET_GCConserveMemory", "5")],
    _ => throw new ArgumentException($"gc={gc}: expected server, datas, workstation, conserve or datas-conserve"),
};
