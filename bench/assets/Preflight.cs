using System.Diagnostics;
using System.Text.Json;
using Reelay.Tests.Infrastructure;

namespace Reelay.Bench.Assets;

/// <summary>One preflight as the bench saw it: the server's report plus what the origin sent and the client-side time.</summary>
public sealed record Sample(string Verdict, string? Reason, long BytesRead, long OriginBytes, long ServerMs, double RoundTripMs);

/// <summary><c>POST /v1/assets/check</c> against URLs of the local HTTPS origin.</summary>
public sealed class Preflight(ReelayApi api, AssetServer origin, string host, string key, CancellationToken cancel)
{
    /// <summary>Checks the asset mapped at <paramref name="path"/>; fails loudly when the verdict is not <paramref name="expect"/>
    /// ("accepted", or the start of the rejection reason): a bench that measures the wrong outcome is worse than none.</summary>
    public async Task<Sample> CheckAsync(string path, string expect, bool settleOrigin = true)
    {
        var url = origin.Url(host, path);
        var clock = Stopwatch.StartNew();
        var reply = await api.PostAsync("/v1/assets/check", key, new { uri = url }).WaitAsync(cancel);
        var roundTrip = clock.Elapsed.TotalMilliseconds;
        if (reply.Status != 200) throw new InvalidOperationException($"preflight of {url} → {reply.Status}: {reply.Body}");

        var body = reply.Body;
        var verdict = body.GetProperty("verdict").GetString()!;
        var reason = body.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
        var ok = expect == "accepted" ? verdict == "accepted" : reason?.StartsWith(expect, StringComparison.Ordinal) == true;
        if (!ok) throw new InvalidOperationException($"preflight of {url}: expected {expect}, got {verdict} ({reason})\n{body}");

        var observed = body.GetProperty("observed");
        var bytesRead = observed.TryGetProperty("bytesRead", out var b) && b.ValueKind == JsonValueKind.Number ? b.GetInt64() : 0;
        var originBytes = settleOrigin ? await SettledBytesWrittenAsync(path) : origin.BytesWritten(path);
        return new Sample(verdict, reason, bytesRead, originBytes, body.GetProperty("elapsedMs").GetInt64(), roundTrip);
    }

    /// <summary>
    /// What the origin managed to write for <paramref name="path"/>, once it stopped growing: a refused body
    /// keeps flowing into socket buffers for a moment after the server hung up. Bounded to 5 s.
    /// </summary>
    public async Task<long> SettledBytesWrittenAsync(string path)
    {
        var deadline = Stopwatch.StartNew();
        var last = origin.BytesWritten(path);
        var stableSince = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(5) && stableSince.Elapsed < TimeSpan.FromMilliseconds(250))
        {
            await Task.Delay(25, cancel);
            var now = origin.BytesWritten(path);
            if (now != last) { last = now; stableSince.Restart(); }
        }
        return last;
    }
}

/// <summary>The bench's images, made by ffmpeg into the bench's own temporary directory.</summary>
public static class Images
{
    public static byte[] TestPattern(string directory, int width, int height)
    {
        var path = Path.Combine(directory, $"testsrc-{width}x{height}.png");
        Media.Run("ffmpeg", "-v", "error", "-f", "lavfi", "-i", $"testsrc=size={width}x{height}", "-frames:v", "1", "-y", path);
        return File.ReadAllBytes(path);
    }

    /// <summary>
    /// A valid PNG of uniform noise (barely compressible, deterministic) just under <paramref name="limit"/>:
    /// ~16.5 MB at 2560x2560; shrinks the side until it fits, a bounded number of times.
    /// </summary>
    public static byte[] NoiseUnder(string directory, long limit)
    {
        for (var side = 2560; side >= 2000; side -= 64)
        {
            var path = Path.Combine(directory, $"noise-{side}.png");
            Media.Run("ffmpeg", "-v", "error", "-f", "lavfi", "-i", $"color=gray:s={side}x{side},format=rgb24,noise=alls=100:allf=u",
                "-frames:v", "1", "-y", path);
            var bytes = File.ReadAllBytes(path);
            if (bytes.Length < limit) return bytes;
        }
        throw new InvalidOperationException($"ffmpeg made no noise PNG under {limit} bytes.");
    }
}

public static class Stats
{
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) throw new ArgumentException("no values", nameof(values));
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    public static long Median(IEnumerable<long> values) => (long)Median(values.Select(v => (double)v));

    public static string Mb(double bytes) => $"{bytes / (1 << 20):0.0} MB";
}
