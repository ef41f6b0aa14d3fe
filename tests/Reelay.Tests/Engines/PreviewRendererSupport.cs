using System.Diagnostics;
using System.Text.Json;
using Reelay.Server.Features.Engines.Preview;

namespace Reelay.Tests.Engines;

/// <summary>Seeds, output checks and process helpers shared by the preview renderer tests; they use the system ffmpeg/ffprobe.</summary>
internal static class PreviewRendererSupport
{
    public static long SeedFor(string move)
        => Enumerable.Range(0, 10_000).First(seed => PreviewRenderer.CameraMove(seed) == move);

    public static void AssertVideo(VideoProbe probe, int width, int height, int durationSeconds)
    {
        Assert.Equal("h264", probe.Codec);
        Assert.Equal("yuv420p", probe.PixelFormat);
        Assert.Equal(width, probe.Width);
        Assert.Equal(height, probe.Height);
        Assert.InRange(probe.DurationSeconds, durationSeconds - 0.1, durationSeconds + 0.1);
    }

    public sealed record VideoProbe(string Codec, int Width, int Height, string PixelFormat, double DurationSeconds);

    public static async Task<VideoProbe> ProbeAsync(string path)
    {
        Assert.True(File.Exists(path), $"missing output {path}");
        var (exitCode, stdout, stderr) = await RunAsync("ffprobe",
        [
            "-v", "error", "-select_streams", "v:0",
            "-show_entries", "stream=codec_name,width,height,pix_fmt:format=duration",
            "-of", "json", "file:" + path,
        ]);
        Assert.True(exitCode == 0, $"ffprobe failed: {stderr}");

        using var json = JsonDocument.Parse(stdout);
        var stream = json.RootElement.GetProperty("streams")[0];
        var duration = double.Parse(
            json.RootElement.GetProperty("format").GetProperty("duration").GetString()!,
            System.Globalization.CultureInfo.InvariantCulture);
        return new VideoProbe(
            stream.GetProperty("codec_name").GetString()!,
            stream.GetProperty("width").GetInt32(),
            stream.GetProperty("height").GetInt32(),
            stream.GetProperty("pix_fmt").GetString()!,
            duration);
    }

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string fileName, IEnumerable<string> arguments)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Live processes whose command line mentions <paramref name="fragment"/> (Linux /proc; empty elsewhere).</summary>
    public static List<int> FfmpegProcessesMentioning(string fragment)
    {
        var found = new List<int>();
        if (!OperatingSystem.IsLinux())
        {
            return found;
        }

        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                var commandLine = File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ');
                if (commandLine.Contains("ffmpeg", StringComparison.Ordinal) && commandLine.Contains(fragment, StringComparison.Ordinal))
                {
                    found.Add(pid);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The process exited while we looked.
            }
        }

        return found;
    }
}
