// Relay latency benchmark (bench/relay/run.sh): what the relay adds on either side of an upstream generation, with
// the upstream on the same machine, next to baselines measured in the same run on the same upstream.
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Reelay.Tests.Infrastructure;
using Reelay.Tests.Relays;

var smoke = args.Contains("--smoke");
string Arg(string name, string fallback) => args.FirstOrDefault(a => a.StartsWith(name + "=", StringComparison.Ordinal))?[(name.Length + 1)..] ?? fallback;
var tasks = int.Parse(Arg("tasks", smoke ? "3" : "30"), CultureInfo.InvariantCulture);
var poll = Arg("poll", "0.2");
Console.WriteLine($"Reelay relay latency: {tasks} tasks one at a time, gen4.5 2 s on relay:up (Runway dialect, PollSeconds {poll}), {Environment.ProcessorCount} CPUs");

await using var pair = await RelayPair.StartAsync(relaySettings: new Dictionary<string, string> { ["Relays:up:PollSeconds"] = poll, ["Logging:LogLevel:Default"] = "Information" });
var tenant = await pair.GatewayApi.NewTenantAsync(credits: 1_000_000);
var (relayCreate, directCreate, relayFinish, directCopy) = (new List<double>(), new List<double>(), new List<double>(), new List<double>());
for (var i = 0; i < tasks; i++)
{
    // Baseline: the same create made directly on the upstream (what the relay's own POST costs at least), then the
    // download of its output (the copy the relay makes before its task reads SUCCEEDED).
    var clock = Stopwatch.StartNew();
    var direct = await pair.UpstreamApi.CreateTextTaskAsync(pair.UpstreamTenant.Key);
    directCreate.Add(clock.Elapsed.TotalMilliseconds);
    var done = await pair.UpstreamApi.WaitForAsync(pair.UpstreamTenant.Key, direct, ReelayApi.IsTerminal);
    clock.Restart();
    await ReelayApi.DownloadAsync(done.GetProperty("output")[0].GetString()!);
    directCopy.Add(clock.Elapsed.TotalMilliseconds);

    var id = await pair.GatewayApi.CreateTextTaskAsync(tenant.Key);
    var upstreamId = await pair.WaitForUpstreamIdAsync(id);
    var finish = await FinishGapAsync(pair, tenant.Key, id, upstreamId);
    relayFinish.Add(finish);
    // The gateway logs the other side itself: its task's created_at to the upstream's id stored.
    var line = new Regex($"Task {id} relayed to relay:up as upstream task \\S+, (\\d+) ms after it was created");
    var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
    while (line.Match(pair.GatewayOutput) is not { Success: true } && DateTime.UtcNow < deadline) await Task.Delay(50);
    relayCreate.Add(double.Parse(line.Match(pair.GatewayOutput).Groups[1].Value, CultureInfo.InvariantCulture));
}

Report("create → upstream create", relayCreate, "direct create on the upstream", directCreate);
Report("upstream SUCCEEDED → ours", relayFinish, "direct download of the output", directCopy);
// Most of that gap is the poll: the upstream's end is seen on average half a poll interval after it happens.
Console.WriteLine($"  (PollSeconds {poll}: about {double.Parse(poll, CultureInfo.InvariantCulture) * 500:0} ms of it is the wait for the next poll)");
return 0;

// Polls the upstream's task and ours every 10 ms: the time from the upstream reading SUCCEEDED to ours reading it.
static async Task<double> FinishGapAsync(RelayPair pair, string key, string id, string upstreamId)
{
    var clock = Stopwatch.StartNew();
    TimeSpan? upstreamDone = null;
    while (true)
    {
        if (upstreamDone is null && (await pair.UpstreamApi.GetTaskAsync(pair.UpstreamTenant.Key, upstreamId)).Body.GetProperty("status").GetString() == "SUCCEEDED")
            upstreamDone = clock.Elapsed;
        if (upstreamDone is not null)
        {
            var status = (await pair.GatewayApi.GetTaskAsync(key, id)).Body.GetProperty("status").GetString();
            if (status == "SUCCEEDED") return (clock.Elapsed - upstreamDone.Value).TotalMilliseconds;
            if (status is "FAILED" or "CANCELLED") throw new InvalidOperationException($"Task {id} ended {status}.\n{pair.GatewayOutput}");
        }
        if (clock.Elapsed > TimeSpan.FromSeconds(120)) throw new TimeoutException($"Task {id} did not finish.\n{pair.GatewayOutput}");
        await Task.Delay(10);
    }
}

static void Report(string what, List<double> relay, string baselineName, List<double> baseline)
{
    var (p50, p99, b50, b99) = (Percentile(relay, 50), Percentile(relay, 99), Percentile(baseline, 50), Percentile(baseline, 99));
    Console.WriteLine($"{what}: p50 {p50:0} ms, p99 {p99:0} ms (n={relay.Count}); baseline {baselineName}: p50 {b50:0} ms, p99 {b99:0} ms; " +
                      $"p50 {p50 / Math.Max(b50, 0.001):0.0}× baseline");
}

static double Percentile(List<double> values, int p)
{
    var sorted = values.Order().ToList();
    return sorted[Math.Clamp((int)Math.Ceiling(p / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
}
