using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Reelay.Server.Features.Assets;

/// <summary>
/// Runs ffprobe on a local asset file the way every asset probe must: one demuxer, local files only, headers
/// only, a hard deadline and bounded output, so a hostile file can cost neither unbounded time nor memory.
/// <see cref="VideoProbe"/> and <see cref="AudioProbe"/> only decide what the JSON means.
/// </summary>
public static class Ffprobe
{
    private const int MaxOutputBytes = 1 << 20;
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// ffprobe's JSON for <paramref name="showEntries"/>, or null when it failed, ran past <paramref name="timeout"/>
    /// (default 10 s; it is killed) or wrote more than 1 MiB. Throws <see cref="OperationCanceledException"/> when the
    /// caller cancels, and lets a failure to start ffprobe propagate: a missing binary is a server fault, not a bad asset.
    /// </summary>
    public static async Task<JsonDocument?> RunAsync(string path, string demuxer, string showEntries, string ffprobePath,
        TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(ffprobePath)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // -format_whitelist limits ffprobe to the one demuxer the declared type allows, and -protocol_whitelist to local
        // files: a playlist or concat file disguised as media can then never make ffprobe open URLs or other files.
        // The "file:" prefix makes ffprobe take the rest as a local path whatever it contains; it is never a protocol name.
        // (ffprobe 5.1 has no -nostdin; stdin is a redirected pipe closed right after start instead.)
        string[] arguments =
        [
            "-v", "error", "-hide_banner",
            "-protocol_whitelist", "file",
            "-format_whitelist", demuxer,
            "-show_entries", showEntries,
            "-of", "json",
            "file:" + Path.GetFullPath(path),
        ];
        foreach (var argument in arguments) start.ArgumentList.Add(argument);

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{ffprobePath} did not start.");
        process.StandardInput.Close();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout ?? DefaultTimeout);
        // Killing closes the pipes, so every pending read ends even if a pipe read ignored its token.
        using var killOnDeadline = deadline.Token.Register(() => Kill(process));
        try
        {
            // stderr must be drained or a chatty ffprobe blocks on a full pipe; its text is not needed (exit code decides).
            var drain = process.StandardError.BaseStream.CopyToAsync(Stream.Null, deadline.Token);
            var output = await ReadCappedAsync(process.StandardOutput.BaseStream, deadline.Token);
            if (output is null) return null;
            await process.WaitForExitAsync(deadline.Token);
            await drain;
            return process.ExitCode == 0 ? ParseObject(output) : null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null; // our own deadline: the file took too long to probe
        }
        finally
        {
            Kill(process); // a no-op once ffprobe exited; otherwise (output cap, cancellation) it must not outlive us
        }
    }

    /// <summary>The "format" object when its format_name (a comma list such as "mov,mp4,m4a") names one of <paramref name="accepted"/>.</summary>
    public static JsonElement? FormatOf(JsonDocument document, params string[] accepted)
    {
        if (!document.RootElement.TryGetProperty("format", out var format) || format.ValueKind != JsonValueKind.Object) return null;
        if (String(format, "format_name") is not { } names || !names.Split(',').Any(accepted.Contains)) return null;
        return format;
    }

    /// <summary>The stream objects, skipping anything that is not one.</summary>
    public static IEnumerable<JsonElement> Streams(JsonDocument document) =>
        document.RootElement.TryGetProperty("streams", out var streams) && streams.ValueKind == JsonValueKind.Array
            ? streams.EnumerateArray().Where(s => s.ValueKind == JsonValueKind.Object)
            : [];

    /// <summary>The format's duration in seconds; null when absent ("N/A" included), negative or not finite.</summary>
    public static double? Duration(JsonElement format) =>
        String(format, "duration") is { } text
        && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var duration)
        && double.IsFinite(duration) && duration >= 0
            ? duration : null;

    public static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public static int? Int(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number)
            ? number : null;

    private static JsonDocument? ParseObject(byte[] json)
    {
        try
        {
            var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind == JsonValueKind.Object) return document;
            document.Dispose();
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Reads the stream to its end; null once it passes the cap, since valid ffprobe JSON here is tiny.</summary>
    private static async Task<byte[]?> ReadCappedAsync(Stream stream, CancellationToken cancellationToken)
    {
        // Pooled, so a probe does not allocate a fresh 1 MiB large-object array for a few hundred bytes of JSON.
        var buffer = ArrayPool<byte>.Shared.Rent(MaxOutputBytes + 1);
        try
        {
            var length = 0;
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory(length, MaxOutputBytes + 1 - length), cancellationToken)) > 0)
            {
                length += read;
                if (length > MaxOutputBytes) return null;
            }
            return buffer[..length];
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // It exited between the check and the kill: nothing left to stop.
        }
    }
}
