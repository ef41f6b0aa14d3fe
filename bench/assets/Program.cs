// Asset-intake benchmark (bench/assets/run.sh). Starts the real server (Release) with a local HTTPS asset
// origin it trusts, then times POST /v1/assets/check on a small valid image (the baseline of this run),
// on oversized, lying and over-dimension assets, and measures the server's peak RSS while 8 clients
// each preflight a 16 MB image at once. Loopback only; bounded; removes its temporary files.
using System.Diagnostics;
using Reelay.Bench.Assets;
using Reelay.Tests.Infrastructure;

// --smoke: one run per case, so CI checks that the bench builds and runs (tests/Reelay.Tests/Bench).
var smoke = args.Contains("--smoke");
var repeats = smoke ? 1 : 5;
const int Clients = 8;
var warmups = smoke ? 1 : 3;
const string Host = "good.assets.test";
const long UrlLimit = 16L << 20; // MB = 2^20 bytes, as in spec/assets.md
const string SizeExceeds = "Asset size exceeds 16.0MB.";

using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(10));
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); }; // Ctrl-C or run.sh's timeout: clean up, then stop

var root = TestPaths.NewTempDirectory("reelay-bench-assets");
AssetServer? origin = null;
ServerProcess? server = null;
try
{
    var imageDir = Directory.CreateDirectory(Path.Combine(root, "img")).FullName;
    var small = Images.TestPattern(imageDir, 640, 360);
    var wide = Images.TestPattern(imageDir, 9000, 600);
    var large = Images.NoiseUnder(imageDir, UrlLimit);

    origin = await AssetServer.StartAsync();
    server = await ServerProcess.StartAsync(Directory.CreateDirectory(Path.Combine(root, "data")).FullName, new Dictionary<string, string>
    {
        ["Assets:TrustedCaFile"] = TestCertificates.CaPemFile,
        ["Assets:Resolve"] = $"{Host}=127.0.0.1",
        ["Assets:FetchTimeout"] = "30", // 8 × 16 MB at once on a slow machine must not turn into timeouts
        ["Workers:Concurrency"] = "0",  // no renders: nothing else runs in the server
    });
    var api = new ReelayApi(server);
    var tenant = await api.NewTenantAsync().WaitAsync(cancel.Token);
    var preflight = new Preflight(api, origin, Host, tenant.Key, cancel.Token);
    var pid = server.ProcessId;

    Console.WriteLine($"Reelay asset intake benchmark: Release server (pid {pid}), HTTPS origin on 127.0.0.1, {Environment.ProcessorCount} CPUs");
    Console.WriteLine($"images: 640x360 PNG {small.Length:N0} B, 9000x600 PNG {wide.Length:N0} B, noise PNG {large.Length:N0} B ({Stats.Mb(large.Length)}; limit {UrlLimit:N0} B)");

    var cases = new (string Name, Action<string> Map, string Expect)[]
    {
        ("valid 640x360 PNG (baseline)", p => origin.MapFile(p, small, "image/png"), "accepted"),
        ("Content-Length 17 MB", p => origin.MapHuge(p, 17L << 20, "image/png", 17L << 20), SizeExceeds),
        // A body longer than its Content-Length: refused as spec/assets.md says (the byte count differs), reading stops at the declared length.
        ("200 MB body, Content-Length 16 MB", p => origin.MapHuge(p, 200L << 20, "image/png", UrlLimit), SizeExceeds),
        ("9000x600 PNG (over 8000 px)", p => origin.MapFile(p, wide, "image/png"), "Invalid asset dimensions."),
        ($"valid {Stats.Mb(large.Length)} PNG, 1 client", p => origin.MapFile(p, large, "image/png"), "accepted"),
    };

    for (var i = 0; i < warmups; i++) // JIT, TLS and connection set-up, not measured
    {
        var path = $"/warmup-{i}.png";
        cases[0].Map(path);
        await preflight.CheckAsync(path, cases[0].Expect);
    }

    // Rounds interleave the cases, so drift on a noisy machine hits them all alike.
    var samples = cases.Select(_ => new List<Sample>()).ToArray();
    for (var round = 0; round < repeats; round++)
        for (var c = 0; c < cases.Length; c++)
        {
            var path = $"/case{c}-round{round}.png"; // a fresh path: BytesWritten counts this request only
            cases[c].Map(path);
            samples[c].Add(await preflight.CheckAsync(path, cases[c].Expect));
        }

    // Memory: 8 clients each preflight the large image at once; VmHWM is reset to the idle RSS before each round.
    var memory = new List<(long Idle, long Peak, long Sampled, double WallMs)>();
    var hwmReset = true;
    for (var round = 0; round < repeats; round++)
    {
        await Task.Delay(1000, cancel.Token); // let the previous round's connections and temp files go
        hwmReset &= ProcStatus.TryResetPeak(pid);
        var idle = ProcStatus.Bytes(pid, "VmRSS");
        var paths = Enumerable.Range(0, Clients).Select(k => $"/memory-round{round}-client{k}.png").ToArray();
        foreach (var p in paths) origin.MapFile(p, large, "image/png");
        var sampler = new ProcStatus.Sampler(pid);
        var clock = Stopwatch.StartNew();
        Sample[] results;
        try
        {
            results = await Task.WhenAll(paths.Select(p => preflight.CheckAsync(p, "accepted", settleOrigin: false)));
        }
        finally
        {
            clock.Stop();
            await sampler.DisposeAsync();
        }
        var peak = hwmReset ? ProcStatus.Bytes(pid, "VmHWM") : sampler.Max;
        memory.Add((idle, Math.Max(peak, idle), sampler.Max, clock.Elapsed.TotalMilliseconds));
        if (results.Any(r => r.BytesRead != large.Length)) throw new InvalidOperationException("a concurrent preflight did not read the whole image");
    }

    // Report.
    var baseline = Stats.Median(samples[0].Select(s => s.RoundTripMs));
    Console.WriteLine();
    Console.WriteLine($"POST /v1/assets/check, median of {repeats} (after {warmups} warm-ups); \"× baseline\" = round trip / the 640x360 baseline's, same run");
    var header = $"{"case",-36} {"verdict",-8} {"bytes read",13} {"origin sent",13} {"server ms",10} {"round trip ms",13} {"× baseline",10}";
    Console.WriteLine(header);
    Console.WriteLine(new string('-', header.Length));
    for (var c = 0; c < cases.Length; c++)
    {
        var s = samples[c];
        var roundTrip = Stats.Median(s.Select(x => x.RoundTripMs));
        Console.WriteLine($"{cases[c].Name,-36} {s[0].Verdict,-8} {Stats.Median(s.Select(x => x.BytesRead)),13:N0} {Stats.Median(s.Select(x => x.OriginBytes)),13:N0} " +
                          $"{Stats.Median(s.Select(x => x.ServerMs)),10:N0} {roundTrip,13:0.0} {roundTrip / baseline,10:0.00}");
    }
    var wall = Stats.Median(memory.Select(m => m.WallMs));
    Console.WriteLine($"{$"{Clients} clients × {Stats.Mb(large.Length)} at once (wall)",-36} {"accepted",-8} {(long)Clients * large.Length,13:N0} {(long)Clients * large.Length,13:N0} {"",10} {wall,13:0.0} {wall / baseline,10:0.00}");
    Console.WriteLine();
    foreach (var c in new[] { 1, 2, 3 }) Console.WriteLine($"  {cases[c].Name}: {samples[c][0].Reason}");

    var idleMedian = Stats.Median(memory.Select(m => m.Idle));
    var peakMedian = Stats.Median(memory.Select(m => m.Peak));
    var increases = memory.Select(m => m.Peak - m.Idle).ToArray();
    var increase = Stats.Median(increases);
    var bodies = (double)Clients * large.Length;
    Console.WriteLine();
    Console.WriteLine($"server memory, {Clients} clients each preflighting the {Stats.Mb(large.Length)} PNG at once, median of {repeats} rounds " +
                      (hwmReset ? "(VmHWM, reset to idle before each round)" : "(VmRSS sampled every 5 ms: VmHWM could not be reset)"));
    Console.WriteLine($"  idle RSS before             {Stats.Mb(idleMedian),10}");
    Console.WriteLine($"  peak RSS during             {Stats.Mb(peakMedian),10}   (highest sampled VmRSS {Stats.Mb(Stats.Median(memory.Select(m => m.Sampled)))})");
    Console.WriteLine($"  increase over idle          {Stats.Mb(increase),10}   (rounds: {string.Join(", ", increases.Select(i => Stats.Mb(i)))})");
    Console.WriteLine($"  increase / ({Clients} × {Stats.Mb(large.Length)})   {increase / bodies,10:0.000}   (worst round {increases.Max() / bodies:0.000}; 1.0 would mean every body held in memory at once)");
    return 0;
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    Console.Error.WriteLine("benchmark stopped (interrupted or over its 10-minute bound)");
    return 2;
}
catch (Exception e)
{
    Console.Error.WriteLine($"benchmark failed: {e.Message}");
    if (server is not null) Console.Error.WriteLine("server output:\n" + server.Output);
    return 1;
}
finally
{
    if (server is not null) await server.DisposeAsync();
    if (origin is not null) await origin.DisposeAsync();
    try { Directory.Delete(root, recursive: true); } catch (IOException) { }
}
