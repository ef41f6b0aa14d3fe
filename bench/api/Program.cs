// API overhead benchmark (bench/api/run.sh). Starts the real server (Release, request log on, SQLite unless
// REELAY_TEST_DATABASE=postgres) and a bare Kestrel process (bench/api/bare) serving a JSON body of the same size,
// then for each hot read measures with wrk -t1 -c32: bare first, then the server, one after the other, so the ratio
// is taken in one run on the same machine. Then the server again at half its measured rate, for p99 at that load.
// Every read is first served for warmup=<seconds> (10) so the figures are of the steady state, not of the JIT.
// Reads: GET /v1/tasks/{id} of a SUCCEEDED task (its signed output URL is signed afresh per read), GET
// /v1/organization, and RunBlob's GET /v1/sora/generations/{id}. Arguments: duration=<seconds> (10), connections=<n>
// (32), --smoke (1 s runs: checks that the bench builds and runs, figures meaningless).
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Reelay.Bench.Api;
using Reelay.Tests.Infrastructure;

var smoke = args.Contains("--smoke");
var seconds = Setting("duration", smoke ? 1 : 10);
var connections = Setting("connections", 32);
var warmup = Setting("warmup", smoke ? 1 : 10);
// server.<Key>=<value>: a configuration setting of the server under test (e.g. server.RequestLog:Enabled=false), to
// weigh one part of the request path against the default.
var serverSettings = args.Where(a => a.StartsWith("server.", StringComparison.Ordinal) && a.Contains('='))
    .ToDictionary(a => a["server.".Length..a.IndexOf('=')], a => a[(a.IndexOf('=') + 1)..]);
if (args.FirstOrDefault(a => a != "--smoke" && !a.StartsWith("duration=", StringComparison.Ordinal) && !a.StartsWith("connections=", StringComparison.Ordinal)
        && !a.StartsWith("warmup=", StringComparison.Ordinal) && !a.StartsWith("server.", StringComparison.Ordinal)) is { } unknown)
{
    Console.Error.WriteLine($"unknown argument '{unknown}'; use duration=<seconds>, connections=<n>, warmup=<seconds>, server.<Key>=<value>, --smoke");
    return 2;
}
var duration = TimeSpan.FromSeconds(seconds);
using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(10));
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };

var work = TestPaths.NewTempDirectory("reelay-bench-api");
ServerProcess? server = null;
BareKestrel? bare = null;
try
{
    Console.WriteLine($"Reelay API overhead benchmark: Release server (request log on) vs bare Kestrel, wrk -t1 -c{connections} -d{seconds}s, {Environment.ProcessorCount} CPUs shared by wrk and the servers");
    foreach (var (key, value) in serverSettings) Console.WriteLine($"server setting: {key}={value}");
    server = await ServerProcess.StartAsync(Path.Combine(work, "data"), serverSettings).WaitAsync(cancel.Token);
    var api = new ReelayApi(server);
    var tenant = await api.NewTenantAsync(credits: 1_000_000, name: "api bench");
    var taskId = await api.CreateTextTaskAsync(tenant.Key);
    var runBlob = await api.PostAsync("/v1/sora/generate", tenant.Key, new { prompt = "a red fox in snow" });
    if (runBlob.Status != 201) throw new InvalidOperationException($"RunBlob create: {runBlob.Status} {runBlob.Body}");
    var generationId = runBlob.Body.GetProperty("generation_id").GetString()!;
    await api.WaitForAsync(tenant.Key, taskId, s => s is "SUCCEEDED" or "FAILED", TimeSpan.FromMinutes(3));
    await api.WaitForAsync(tenant.Key, generationId, s => s is "SUCCEEDED" or "FAILED", TimeSpan.FromMinutes(3));
    bare = await BareKestrel.StartAsync(cancel.Token);

    var headers = new Dictionary<string, string> { ["Authorization"] = "Bearer " + tenant.Key, ["X-Runway-Version"] = ReelayApi.RunwayVersion };
    (string Name, string Path, double Goal)[] reads =
    [
        ("GET /v1/tasks/{id}", $"/v1/tasks/{taskId}", 0.60),
        ("GET /v1/organization", "/v1/organization", 0.50),
        ("GET /v1/sora/generations/{id}", $"/v1/sora/generations/{generationId}", 0.50),
    ];
    // A fresh server spends its first seconds under load tiering up its code (the JIT's background thread took a fifth
    // of the CPU 20 s in): every read is served for warmup seconds first, so the figures are of the steady state.
    foreach (var (_, path, _) in reads)
        await Wrk.RunAsync(new Uri(server.BaseUrl, path).ToString(), headers, connections, TimeSpan.FromSeconds(warmup), null, work, cancel.Token);
    var rows = new List<string>();
    var failed = false;
    foreach (var (name, path, goal) in reads)
    {
        var size = await BodySizeAsync(new Uri(server.BaseUrl, path), headers, name == reads[0].Name);
        Console.WriteLine($"{name}: {size} B body …");
        var (baseline, bareCpu) = await CpuTime.PerRequestAsync(bare.ProcessId,
            () => Wrk.RunAsync(new Uri(bare.BaseUrl, $"/body/{size}").ToString(), headers, connections, duration, null, work, cancel.Token));
        var (full, serverCpu) = await CpuTime.PerRequestAsync(server.ProcessId,
            () => Wrk.RunAsync(new Uri(server.BaseUrl, path).ToString(), headers, connections, duration, null, work, cancel.Token));
        var half = await Wrk.RunAsync(new Uri(server.BaseUrl, path).ToString(), headers, connections, duration, full.RequestsPerSecond / 2, work, cancel.Token);
        if (baseline.Failures + full.Failures + half.Failures > 0)
        {
            Console.Error.WriteLine($"{name}: {baseline.Failures + full.Failures + half.Failures} requests failed (non-2xx or socket errors)");
            failed = true;
        }
        var ratio = full.RequestsPerSecond / baseline.RequestsPerSecond;
        rows.Add($"{name,-31}{size,7}{baseline.RequestsPerSecond,12:N0}{full.RequestsPerSecond,12:N0}{ratio,8:0.00}{(ratio >= goal ? "≥" : "<") + goal.ToString("0.00", CultureInfo.InvariantCulture),7}" +
                 $"{full.P50Ms,10:0.00}{full.P99Ms,10:0.00}{half.RequestsPerSecond,12:N0}{half.P50Ms,10:0.00}{half.P99Ms,10:0.00}" +
                 $"{bareCpu,10:0}{serverCpu,10:0}{bareCpu / serverCpu,8:0.00}");
    }
    Console.WriteLine();
    var header = $"{"read",-31}{"body B",7}{"bare req/s",12}{"req/s",12}{"ratio",8}{"goal",7}{"p50 ms",10}{"p99 ms",10}{"half req/s",12}{"p50 ms",10}{"p99 ms",10}{"bare µs",10}{"µs/req",10}{"ratio",8}";
    Console.WriteLine(header);
    Console.WriteLine(new string('-', header.Length));
    rows.ForEach(Console.WriteLine);
    Console.WriteLine();
    Console.WriteLine("ratio: the server's req/s ÷ bare Kestrel's for a JSON body of the same size, measured just before it. p50/p99: wrk's latency at full load");
    Console.WriteLine("(32 connections, saturated) and at half the measured rate (each connection paced by a Lua delay(): closed loop, as Debian has no wrk2's -R).");
    Console.WriteLine("bare µs, µs/req: CPU time (user + system) each process spent per request at full load, and bare's ÷ the server's: what a read costs");
    Console.WriteLine("whatever else the machine runs (req/s also measures how much of the cores the server was given).");
    if (smoke) Console.WriteLine("--smoke: 1 s runs; the figures only show that the bench runs.");
    return failed ? 1 : 0;
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    Console.Error.WriteLine("benchmark stopped (interrupted or over its 10-minute bound)");
    return 2;
}
catch (Exception e)
{
    Console.Error.WriteLine($"benchmark failed: {e}");
    if (server is not null) Console.Error.WriteLine("server output:\n" + server.Output);
    return 1;
}
finally
{
    if (bare is not null) await bare.DisposeAsync();
    if (server is not null) await server.DisposeAsync();
    try { Directory.Delete(work, recursive: true); } catch (IOException) { }
}

// The body the server sends for this read (and, for the task, a check that it is the SUCCEEDED shape with its signed URL).
static async Task<int> BodySizeAsync(Uri url, Dictionary<string, string> headers, bool isTask)
{
    using var http = new HttpClient();
    using var request = new HttpRequestMessage(HttpMethod.Get, url);
    foreach (var (k, v) in headers) request.Headers.TryAddWithoutValidation(k, v);
    using var response = await http.SendAsync(request);
    var bytes = await response.Content.ReadAsByteArrayAsync();
    if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"GET {url} → {(int)response.StatusCode}");
    if (isTask)
    {
        var body = JsonDocument.Parse(bytes).RootElement;
        if (body.GetProperty("status").GetString() != "SUCCEEDED" || !body.GetProperty("output")[0].GetString()!.Contains("signature=", StringComparison.Ordinal))
            throw new InvalidOperationException($"the task is not SUCCEEDED with a signed output URL: {body}");
    }
    return bytes.Length;
}

int Setting(string name, int fallback)
{
    var text = args.FirstOrDefault(a => a.StartsWith(name + "=", StringComparison.Ordinal))?[(name.Length + 1)..];
    return text is null ? fallback : int.TryParse(text, out var value) && value >= 1 ? value : throw new ArgumentException($"{name} must be a whole number ≥ 1, got '{text}'");
}
