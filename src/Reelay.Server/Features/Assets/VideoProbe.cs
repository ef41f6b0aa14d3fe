using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Reelay.Server.Features.Assets;

/// <summary>What ffprobe reports for a video asset, read from container and stream headers only.</summary>
/// <param name="MediaType">The canonical media type the file was checked against.</param>
/// <param name="DurationSeconds">0 for a raw H.264 stream, which has no container to state a duration.</param>
public sealed record VideoInfo(string MediaType, int Width, int Height, double DurationSeconds);

/// <summary>
/// Checks that a video asset really is what its declared media type says, using ffprobe on headers only
/// (it never decodes the whole file), with a hard deadline and bounded output so a hostile file can cost
/// neither unbounded time nor memory.
/// </summary>
public static class VideoProbe
{
    private const string Mp4 = "video/mp4", QuickTime = "video/quicktime", Webm = "video/webm", Ogg = "video/ogg", H264 = "video/h264";
    private const int MaxOutputBytes = 1 << 20;
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    // ISO-BMFF brands that mean a still image or audio-only file: "ftyp" alone does not make a video.
    private static readonly string[] NonVideoBrands = ["avif", "avis", "heic", "heix", "mif1", "msf1", "M4A ", "M4B ", "M4P "];

    /// <summary>
    /// Lowercases and trims; returns the canonical type for an approved video type ("video/mov" → "video/quicktime"),
    /// null for anything else. Parameters ("; codecs=…") are dropped: a Content-Type header may carry them and they
    /// do not change the type.
    /// </summary>
    public static string? NormalizeMediaType(string mediaType)
    {
        ArgumentNullException.ThrowIfNull(mediaType);
        var semicolon = mediaType.IndexOf(';');
        var type = (semicolon >= 0 ? mediaType[..semicolon] : mediaType).Trim().ToLowerInvariant();
        return type switch
        {
            Mp4 or Webm or QuickTime or Ogg or H264 => type,
            "video/mov" => QuickTime,
            _ => null,
        };
    }

    /// <summary>
    /// Runs ffprobe on a local file and returns its first video stream's size and the duration, or null when the file
    /// is not a readable video of the declared media type. Returns null when ffprobe runs past <paramref name="timeout"/>
    /// (default 10 s; it is killed) or writes more than 1 MiB. Throws <see cref="OperationCanceledException"/> when the
    /// caller cancels, and lets a failure to start ffprobe propagate: a missing binary is a server fault, not a bad asset.
    /// </summary>
    public static async Task<VideoInfo?> ReadAsync(string path, string declaredMediaType, string ffprobePath = "ffprobe",
        TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(declaredMediaType);
        var mediaType = NormalizeMediaType(declaredMediaType);
        if (mediaType is null) return null;

        var start = new ProcessStartInfo(ffprobePath)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // -format_whitelist limits ffprobe to the one demuxer the declared type allows, and -protocol_whitelist to local
        // files: a playlist or concat file disguised as a video can then never make ffprobe open URLs or other files.
        // The "file:" prefix makes ffprobe take the rest as a local path whatever it contains; it is never a protocol name.
        // (ffprobe 5.1 has no -nostdin; stdin is a redirected pipe closed right after start instead.)
        string[] arguments =
        [
            "-v", "error", "-hide_banner",
            "-protocol_whitelist", "file",
            "-format_whitelist", Demuxer(mediaType),
            "-show_entries", "stream=codec_type,codec_name,width,height:stream_disposition=attached_pic:format=format_name,duration",
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
            return process.ExitCode == 0 ? Parse(output, mediaType) : null;
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

    /// <summary>
    /// Cheap magic-number sniff from the first bytes, for uploads without a trustworthy type. Only a hint:
    /// <see cref="ReadAsync"/> is what verifies the file. Raw H.264 is not sniffed; its start codes are too generic.
    /// </summary>
    public static string? Sniff(ReadOnlySpan<byte> head)
    {
        if (head.Length >= 12 && head.Slice(4, 4).SequenceEqual("ftyp"u8))
        {
            Span<char> brand = stackalloc char[4];
            for (var i = 0; i < 4; i++) brand[i] = (char)head[8 + i];
            if (brand.SequenceEqual("qt  ")) return QuickTime;
            foreach (var nonVideo in NonVideoBrands)
                if (brand.SequenceEqual(nonVideo)) return null;
            return Mp4;
        }
        if (head.StartsWith((ReadOnlySpan<byte>)[0x1A, 0x45, 0xDF, 0xA3])) return Webm;
        if (head.StartsWith("OggS"u8)) return Ogg;
        return null;
    }

    // The whitelist matches any one name of a demuxer ffprobe calls "mov,mp4,m4a,3gp,3g2,mj2" or "matroska,webm".
    private static string Demuxer(string mediaType) => mediaType switch
    {
        Mp4 or QuickTime => "mov",
        Webm => "matroska",
        Ogg => "ogg",
        _ => "h264",
    };

    private static bool ContainerMatches(string mediaType, string[] formatNames) => mediaType switch
    {
        Mp4 or QuickTime => formatNames.Contains("mov") || formatNames.Contains("mp4"),
        Webm => formatNames.Contains("matroska") || formatNames.Contains("webm"),
        Ogg => formatNames.Contains("ogg"),
        _ => formatNames.Contains("h264"),
    };

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

    private static VideoInfo? Parse(byte[] json, string mediaType)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("format", out var format) || format.ValueKind != JsonValueKind.Object
                || String(format, "format_name") is not { } formatName
                || !ContainerMatches(mediaType, formatName.Split(',')))
                return null;

            if (!root.TryGetProperty("streams", out var streams) || streams.ValueKind != JsonValueKind.Array) return null;
            // Cover art is a "video" stream too; an audio file with a picture must not pass as a video.
            var video = streams.EnumerateArray().FirstOrDefault(s => s.ValueKind == JsonValueKind.Object
                && String(s, "codec_type") == "video" && !IsAttachedPicture(s));
            if (video.ValueKind != JsonValueKind.Object) return null;
            if (Int(video, "width") is not { } width || width <= 0 || Int(video, "height") is not { } height || height <= 0) return null;
            // Matroska with H.264 has the same container as WebM; WebM only allows these codecs.
            if (mediaType == Webm && String(video, "codec_name") is not ("vp8" or "vp9" or "av1")) return null;

            // A raw H.264 elementary stream has no container to state a duration, and computing one would mean
            // counting frames; 0 means "unknown" there. Every container type must state a real one.
            var durationText = String(format, "duration");
            if (durationText is null) return mediaType == H264 ? new VideoInfo(mediaType, width, height, 0) : null;
            if (!double.TryParse(durationText, NumberStyles.Float, CultureInfo.InvariantCulture, out var duration)
                || !double.IsFinite(duration) || duration < 0)
                return null;
            return new VideoInfo(mediaType, width, height, duration);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool IsAttachedPicture(JsonElement stream) =>
        stream.TryGetProperty("disposition", out var disposition) && disposition.ValueKind == JsonValueKind.Object
        && Int(disposition, "attached_pic") == 1;

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static int? Int(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number)
            ? number : null;

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
