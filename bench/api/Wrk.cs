using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Reelay.Bench.Api;

/// <summary>What one wrk run reported.</summary>
public sealed record WrkResult(double RequestsPerSecond, double P50Ms, double P99Ms, long Requests, long Failures);

/// <summary>
/// Runs wrk (-t1 -cN --latency) against one URL with the given headers. With a target rate, a Lua delay() spaces each
/// connection's requests so the whole run averages that rate: closed-loop pacing, which is what plain wrk can do (wrk2's
/// -R is an open-loop schedule that also counts the delays a slow reply causes; Debian has no wrk2).
/// </summary>
public static partial class Wrk
{
    public static async Task<WrkResult> RunAsync(string url, IReadOnlyDictionary<string, string> headers, int connections, TimeSpan duration,
        double? targetRate, string workDirectory, CancellationToken cancel)
    {
        var script = Path.Combine(workDirectory, $"wrk-{Guid.NewGuid():N}.lua");
        await File.WriteAllTextAsync(script, Script(headers, connections, targetRate), cancel);
        var info = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-t1", $"-c{connections}", $"-d{Math.Max(1, (int)duration.TotalSeconds)}s", "--latency", "-s", script, url })
            info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start wrk");
        var output = process.StandardOutput.ReadToEndAsync(cancel);
        var errors = process.StandardError.ReadToEndAsync(cancel);
        await process.WaitForExitAsync(cancel);
        File.Delete(script);
        var text = await output;
        if (process.ExitCode != 0) throw new InvalidOperationException($"wrk exited with {process.ExitCode}: {text}{await errors}");
        return Parse(text);
    }

    public static string Script(IReadOnlyDictionary<string, string> headers, int connections, double? targetRate)
    {
        var lines = headers.Select(h => $"wrk.headers[\"{h.Key}\"] = \"{h.Value}\"").ToList();
        if (targetRate is > 0 and var rate)
        {
            // Milliseconds between one connection's requests; wrk takes whole milliseconds, so round at random to keep the mean.
            var gap = connections * 1000.0 / rate;
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"local gap = {gap:0.####}"));
            lines.Add("function delay() local base = math.floor(gap) if math.random() < gap - base then return base + 1 end return base end");
        }
        return string.Join('\n', lines) + '\n';
    }

    public static WrkResult Parse(string output)
    {
        double Latency(string percentile)
        {
            var m = Regex.Match(output, $@"^\s+{percentile}%\s+([\d.]+)(us|ms|s)\s*$", RegexOptions.Multiline);
            if (!m.Success) throw new InvalidOperationException($"no {percentile}% latency in wrk's output:\n{output}");
            var value = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            return m.Groups[2].Value switch { "us" => value / 1000, "s" => value * 1000, _ => value };
        }
        var rate = RequestsPerSecond().Match(output);
        var count = RequestCount().Match(output);
        if (!rate.Success || !count.Success) throw new InvalidOperationException($"unexpected wrk output:\n{output}");
        var non2xx = Non2xx().Match(output);
        var socket = SocketErrors().Match(output);
        long failures = (non2xx.Success ? long.Parse(non2xx.Groups[1].Value, CultureInfo.InvariantCulture) : 0)
                        + (socket.Success ? socket.Groups[1].Value.Split(',').Sum(p => long.Parse(Regex.Match(p, @"\d+").Value, CultureInfo.InvariantCulture)) : 0);
        return new WrkResult(double.Parse(rate.Groups[1].Value, CultureInfo.InvariantCulture), Latency("50"), Latency("99"),
            long.Parse(count.Groups[1].Value, CultureInfo.InvariantCulture), failures);
    }

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"(\d+) requests in")]
    private static partial Regex RequestCount();

    [GeneratedRegex(@"Non-2xx or 3xx responses:\s+(\d+)")]
    private static partial Regex Non2xx();

    [GeneratedRegex(@"Socket errors:\s+(.*)")]
    private static partial Regex SocketErrors();
}
