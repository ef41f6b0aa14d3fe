// Soak benchmark (bench/soak/run.sh). One real server on SQLite under mixed load for N minutes: a creator renders on
// both surfaces at a steady rate (Runway text_to_video, RunBlob Nano Banana) while clients read tasks, generations,
// the organization, the request history and portal pages. Every answer outside the expected status is an error.
// Prints per time slice the requests, errors and p99 latency of each route and the server's RSS, then whether RSS
// after the warm-up (the first fifth) stayed within 10 % of its mean.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Reelay.Tests.Infrastructure;
using Reelay.Tests.Portal;

var smoke = args.Contains("--smoke");
string Arg(string name, string fallback) => args.FirstOrDefault(a => a.StartsWith(name + "=", StringComparison.Ordinal))?[(name.Length + 1)..] ?? fallback;
var duration = smoke ? TimeSpan.FromSeconds(10) : TimeSpan.FromMinutes(double.Parse(Arg("minutes", "15"), System.Globalization.CultureInfo.InvariantCulture));
var clients = int.Parse(Arg("clients", "4"));
var createEvery = TimeSpan.FromMilliseconds(int.Parse(Arg("create_every_ms", "2000")));
const int Slices = 10;
var slice = duration / Slices;

await using var server = await ServerProcess.StartAsync(settings: new Dictionary<string, string> { ["Database:Provider"] = "sqlite" });
var api = new ReelayApi(server);
var tenant = await api.NewTenantAsync(credits: 100_000_000);
var limits = new { maxConcurrentGenerations = 1000, maxDailyGenerations = 1_000_000 };
await api.AdminAsync(HttpMethod.Put, $"/admin/v1/organizations/{tenant.OrgId}/limits", new { models = new Dictionary<string, object> { ["gen4.5"] = limits, ["nano_banana"] = limits } });
Console.WriteLine($"Reelay soak: {duration.TotalMinutes:0.##} min, {clients} clients, a create every {createEvery.TotalMilliseconds:0} ms, {Environment.ProcessorCount} CPUs, SQLite");

var http = new HttpClient { BaseAddress = server.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
var samples = new ConcurrentBag<(int Slice, string Route, double Ms, bool Error)>();
var errors = new ConcurrentBag<string>();
var runway = new ConcurrentQueue<string>();
var runBlob = new ConcurrentQueue<string>();
var rss = new ConcurrentBag<(int Slice, double Mb)>();
var clock = Stopwatch.StartNew();
int Slice() => Math.Min(Slices - 1, (int)(clock.Elapsed / slice));

async Task<JsonElement?> CallAsync(string route, HttpMethod method, string path, object? body, int expected, HttpClient? client = null)
{
    using var request = new HttpRequestMessage(method, path);
    if (client is null)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tenant.Key);
        request.Headers.Add("X-Runway-Version", ReelayApi.RunwayVersion);
    }
    if (body is not null) request.Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
    var watch = Stopwatch.StartNew();
    try
    {
        using var response = await (client ?? http).SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var ok = (int)response.StatusCode == expected;
        samples.Add((Slice(), route, watch.Elapsed.TotalMilliseconds, !ok));
        if (!ok) errors.Add($"{route}: {(int)response.StatusCode} {text[..Math.Min(200, text.Length)]}");
        return ok && text.StartsWith('{') ? JsonDocument.Parse(text).RootElement.Clone() : null;
    }
    catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
    {
        samples.Add((Slice(), route, watch.Elapsed.TotalMilliseconds, true));
        errors.Add($"{route}: {e.Message}");
        return null;
    }
}

using var stop = new CancellationTokenSource(duration);
var creator = Task.Run(async () =>
{
    for (var i = 0; !stop.IsCancellationRequested; i++)
    {
        if (i % 2 == 0 && await CallAsync("POST /v1/text_to_video", HttpMethod.Post, "/v1/text_to_video",
                new { model = "gen4.5", promptText = "a lighthouse at dusk", ratio = "1280:720", duration = 2 }, 200) is { } t) runway.Enqueue(t.GetProperty("id").GetString()!);
        if (i % 2 == 1 && await CallAsync("POST /v1/gemini/generate", HttpMethod.Post, "/v1/gemini/generate", new { prompt = "a red fox in snow", aspect_ratio = "1:1" }, 201) is { } g)
            runBlob.Enqueue(g.GetProperty("task_uuid").GetString()!);
        try { await Task.Delay(createEvery, stop.Token); } catch (OperationCanceledException) { }
    }
});
var sampler = Task.Run(async () =>
{
    while (!stop.IsCancellationRequested)
    {
        var line = File.ReadLines($"/proc/{server.ProcessId}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        rss.Add((Slice(), double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024));
        try { await Task.Delay(TimeSpan.FromSeconds(smoke ? 1 : 5), stop.Token); } catch (OperationCanceledException) { }
    }
});
var readers = Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
{
    var random = new Random(c);
    using var portal = await PortalClient.SignInAsync(server.BaseUrl, tenant.Key);
    var portalHttp = (HttpClient)typeof(PortalClient).GetField("_http", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(portal)!;
    while (!stop.IsCancellationRequested)
    {
        var pick = random.Next(100);
        if (pick < 30 && runway.TryPeek(out _)) await CallAsync("GET /v1/tasks/{id}", HttpMethod.Get, $"/v1/tasks/{runway.ElementAt(random.Next(runway.Count))}", null, 200);
        else if (pick < 45 && runBlob.TryPeek(out _)) await CallAsync("GET /v1/gemini/generations/{id}", HttpMethod.Get, $"/v1/gemini/generations/{runBlob.ElementAt(random.Next(runBlob.Count))}", null, 200);
        else if (pick < 55) await CallAsync("GET /v1/organization", HttpMethod.Get, "/v1/organization", null, 200);
        else if (pick < 70) await CallAsync("GET /v1/requests", HttpMethod.Get, "/v1/requests?limit=50", null, 200);
        else if (pick < 80) await CallAsync("GET /portal/history", HttpMethod.Get, "/portal/history", null, 200, portalHttp);
        else if (pick < 90) await CallAsync("GET /portal/tasks", HttpMethod.Get, "/portal/tasks", null, 200, portalHttp);
        else await CallAsync("GET /portal/usage", HttpMethod.Get, "/portal/usage", null, 200, portalHttp);
        try { await Task.Delay(random.Next(20, 80), stop.Token); } catch (OperationCanceledException) { }
    }
})).ToList();
await Task.WhenAll([creator, sampler, .. readers]);

SoakReport.Print(samples, rss, errors, slice, Slices);
return errors.IsEmpty ? 0 : 1;
