using System.Diagnostics;

namespace Reelay.Server.Features.Engines;

/// <summary>
/// The "noop" engine: every task finishes at once with the same tiny placeholder MP4 (one black 16x16 frame).
/// It exists to load-test the API, the queue and dispatch without paying for renders.
/// </summary>
public static class NoopEngine
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static byte[]? _placeholder;

    public static async Task WriteAsync(string outputPath, string ffmpegPath, CancellationToken cancellationToken)
    {
        var bytes = await PlaceholderAsync(ffmpegPath, cancellationToken);
        await File.WriteAllBytesAsync(outputPath, bytes, cancellationToken);
    }

    /// <summary>Rendered once per process, so the engine costs one ffmpeg run in total rather than one per task.</summary>
    private static async Task<byte[]> PlaceholderAsync(string ffmpegPath, CancellationToken cancellationToken)
    {
        if (_placeholder is { } ready) return ready;
        await Gate.WaitAsync(cancellationToken);
        try
        {
            if (_placeholder is not null) return _placeholder;
            var path = Path.Combine(Path.GetTempPath(), $"reelay-noop-{Guid.NewGuid():N}.mp4");
            var info = new ProcessStartInfo(ffmpegPath) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var arg in new[] { "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "color=c=black:s=16x16:d=0.04:r=25",
                                        "-frames:v", "1", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-movflags", "+faststart", "-y", path })
                info.ArgumentList.Add(arg);
            using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {ffmpegPath}.");
            var errors = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            if (process.ExitCode != 0) throw new InvalidOperationException($"ffmpeg could not render the noop placeholder: {await errors}");
            _placeholder = await File.ReadAllBytesAsync(path, cancellationToken);
            File.Delete(path);
            return _placeholder;
        }
        finally
        {
            Gate.Release();
        }
    }
}
