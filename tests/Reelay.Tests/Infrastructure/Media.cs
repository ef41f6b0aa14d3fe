using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;

namespace Reelay.Tests.Infrastructure;

/// <summary>Test images, videos and audio made by ffmpeg, and ffprobe facts about videos.</summary>
public static class Media
{
    private static readonly ConcurrentDictionary<string, byte[]> Cache = new();

    public static byte[] Image(int width, int height, string format = "png") =>
        Cache.GetOrAdd($"{width}x{height}.{format}", name =>
        {
            var path = Path.Combine(TestPaths.NewTempDirectory("reelay-img"), name);
            Run("ffmpeg", "-v", "error", "-f", "lavfi", "-i", $"testsrc=size={width}x{height}", "-frames:v", "1", "-y", path);
            return File.ReadAllBytes(path);
        });

    /// <summary>A small H.264 MP4 of the given size and length (testsrc pattern).</summary>
    public static byte[] Video(int width, int height, double seconds) =>
        Cache.GetOrAdd($"{width}x{height}x{seconds}.mp4", name =>
        {
            var path = Path.Combine(TestPaths.NewTempDirectory("reelay-vid"), name);
            Run("ffmpeg", "-v", "error", "-f", "lavfi", "-i", $"testsrc=size={width}x{height}:rate=12:duration={seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}",
                "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-y", path);
            return File.ReadAllBytes(path);
        });

    /// <summary>A 440 Hz sine of the given length, in the container its extension names (codec options may follow).</summary>
    public static byte[] Audio(double seconds, string extension, params string[] codec) =>
        Cache.GetOrAdd($"{seconds}s {string.Join(' ', codec)}.{extension}", _ =>
        {
            var path = Path.Combine(TestPaths.NewTempDirectory("reelay-aud"), "tone." + extension);
            Run("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", $"sine=frequency=440:duration={seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}", .. codec, "-y", path]);
            return File.ReadAllBytes(path);
        });

    public static string DataUri(int width = 640, int height = 360, string format = "png") =>
        $"data:image/{format};base64,{Convert.ToBase64String(Image(width, height, format))}";

    public sealed record VideoFacts(string Codec, string PixelFormat, int Width, int Height, double Duration);

    /// <summary>The first video stream's facts; a still image (PNG, JPEG) probes too, with duration 0.</summary>
    public static VideoFacts Probe(string path)
    {
        var json = Run("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
            "stream=codec_name,width,height,pix_fmt:format=duration", "-of", "json", path);
        using var doc = JsonDocument.Parse(json);
        var stream = doc.RootElement.GetProperty("streams")[0];
        return new VideoFacts(stream.GetProperty("codec_name").GetString()!, stream.GetProperty("pix_fmt").GetString()!,
            stream.GetProperty("width").GetInt32(), stream.GetProperty("height").GetInt32(),
            doc.RootElement.TryGetProperty("format", out var format) && format.TryGetProperty("duration", out var duration)
                ? double.Parse(duration.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : 0);
    }

    public static string Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed: {stderr.Result}");
        return stdout.Result;
    }
}
