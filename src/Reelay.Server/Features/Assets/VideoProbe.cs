using System.Text.Json;

namespace Reelay.Server.Features.Assets;

/// <summary>What ffprobe reports for a video asset, read from container and stream headers only.</summary>
/// <param name="MediaType">The canonical media type the file was checked against.</param>
/// <param name="DurationSeconds">0 for a raw H.264 stream, which has no container to state a duration.</param>
public sealed record VideoInfo(string MediaType, int Width, int Height, double DurationSeconds);

/// <summary>
/// Checks that a video asset really is what its declared media type says, using ffprobe on headers only
/// (it never decodes the whole file) through <see cref="Ffprobe"/>, whose deadline and output cap keep a
/// hostile file from costing unbounded time or memory.
/// </summary>
public static class VideoProbe
{
    private const string Mp4 = "video/mp4", QuickTime = "video/quicktime", Webm = "video/webm", Ogg = "video/ogg", H264 = "video/h264";

    // ISO-BMFF brands that mean a still image or audio-only file: "ftyp" alone does not make a video.
    private static readonly string[] NonVideoBrands = ["avif", "avis", "heic", "heix", "mif1", "msf1", "M4A ", "M4B ", "M4P "];

    /// <summary>
    /// Lowercases and trims; returns the canonical type for an approved video type ("video/mov" → "video/quicktime"),
    /// null for anything else. Parameters ("; codecs=…") are dropped: a Content-Type header may carry them and they
    /// do not change the type.
    /// </summary>
    public static string? NormalizeMediaType(string mediaType)
    {
        var type = AssetOptions.Essence(mediaType);
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
        using var document = await Ffprobe.RunAsync(path, Demuxer(mediaType),
            "stream=codec_type,codec_name,width,height:stream_disposition=attached_pic:format=format_name,duration",
            ffprobePath, timeout, cancellationToken);
        return document is null ? null : Parse(document, mediaType);
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

    // The names ffprobe may report for the container each type allows.
    private static string[] ContainerNames(string mediaType) => mediaType switch
    {
        Mp4 or QuickTime => ["mov", "mp4"],
        Webm => ["matroska", "webm"],
        Ogg => ["ogg"],
        _ => ["h264"],
    };

    private static VideoInfo? Parse(JsonDocument document, string mediaType)
    {
        if (Ffprobe.FormatOf(document, ContainerNames(mediaType)) is not { } format) return null;
        // Cover art is a "video" stream too; an audio file with a picture must not pass as a video.
        var video = Ffprobe.Streams(document).FirstOrDefault(s => Ffprobe.String(s, "codec_type") == "video" && !IsAttachedPicture(s));
        if (video.ValueKind != JsonValueKind.Object) return null;
        if (Ffprobe.Int(video, "width") is not { } width || width <= 0 || Ffprobe.Int(video, "height") is not { } height || height <= 0) return null;
        // Matroska with H.264 has the same container as WebM; WebM only allows these codecs.
        if (mediaType == Webm && Ffprobe.String(video, "codec_name") is not ("vp8" or "vp9" or "av1")) return null;

        // A raw H.264 elementary stream has no container to state a duration, and computing one would mean
        // counting frames; 0 means "unknown" there. Every container type must state a real one.
        if (Ffprobe.String(format, "duration") is null) return mediaType == H264 ? new VideoInfo(mediaType, width, height, 0) : null;
        return Ffprobe.Duration(format) is { } duration ? new VideoInfo(mediaType, width, height, duration) : null;
    }

    private static bool IsAttachedPicture(JsonElement stream) =>
        stream.TryGetProperty("disposition", out var disposition) && disposition.ValueKind == JsonValueKind.Object
        && Ffprobe.Int(disposition, "attached_pic") == 1;
}
