using System.Diagnostics;
using System.Globalization;
using Reelay.Server.Features.Engines.Preview;

namespace Reelay.Bench.Render;

/// <summary>ffmpeg run directly, without the renderer around it: the baseline.</summary>
public static class Bare
{
    /// <summary>The renderer's own argument list for <paramref name="request"/>, with the prompt file it would write, run as one ffmpeg process.</summary>
    public static async Task RenderLikeAsync(PreviewRenderRequest request, string? font, string root)
    {
        var output = Path.Combine(root, "bare.tmp");
        var text = Path.Combine(root, "bare.txt");
        var hasText = font is not null && request.ImagePath is null && request.VideoPath is null && request.PromptText is not null;
        if (hasText) await File.WriteAllTextAsync(text, request.PromptText);
        var args = PreviewRenderer.BuildArguments(request, output, hasText ? font : null, hasText ? text : null);
        await RunAsync(args);
    }

    public static async Task<string> RunAsync(IEnumerable<string> args, string executable = "ffmpeg")
    {
        var info = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{executable} exited with {process.ExitCode}: {await stderr}");
        return await stdout;
    }

    public static async Task<string> VersionAsync() => (await RunAsync(["-version"])).Split('\n')[0].Trim();

    public static async Task<double> DurationMsAsync(string file) =>
        double.Parse((await RunAsync(["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", file], "ffprobe")).Trim(), CultureInfo.InvariantCulture) * 1000;
}

public static class Timing
{
    /// <summary>Median wall time in ms of <paramref name="repeats"/> runs, after one untimed warm-up (JIT, page cache).</summary>
    public static async Task<double> MedianAsync(int repeats, Func<Task> run) => (await MedianWithCpuAsync(repeats, run)).Wall;

    /// <summary>
    /// Median wall time and median CPU time of this process (all its threads) in ms. For work done in-process the CPU
    /// time is what the work costs without the wait for a core, which on a shared, loaded machine is most of the wall time.
    /// </summary>
    public static async Task<(double Wall, double Cpu)> MedianWithCpuAsync(int repeats, Func<Task> run)
    {
        await run();
        var (walls, cpus) = (new List<double>(), new List<double>());
        using var self = Process.GetCurrentProcess();
        for (var i = 0; i < repeats; i++)
        {
            self.Refresh();
            var cpu = self.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            await run();
            walls.Add(clock.Elapsed.TotalMilliseconds);
            self.Refresh();
            cpus.Add((self.TotalProcessorTime - cpu).TotalMilliseconds);
        }
        return (Median(walls), Median(cpus));
    }

    private static double Median(List<double> times)
    {
        times.Sort();
        return times.Count % 2 == 1 ? times[times.Count / 2] : (times[times.Count / 2 - 1] + times[times.Count / 2]) / 2;
    }
}
