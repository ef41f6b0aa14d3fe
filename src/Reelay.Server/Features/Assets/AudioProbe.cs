using System.Text.Json;

namespace Reelay.Server.Features.Assets;

/// <summary>What ffprobe reports for an audio asset, read from container and stream headers only.</summary>
/// <param name="MediaType">The canonical media type the file was checked against.</param>
/// <param name="DurationSeconds">As the container states it (estimated from the bitrate for raw MP3 and ADTS AAC).</param>
public sealed record AudioInfo(string MediaType, double DurationSeconds);

/// <summary>
/// Checks that an audio asset really is what its declared media type says: ffprobe (through <see cref="Ffprobe"/>,
/// headers only, one demuxer) must find the declared container with at least one audio stream and a duration.
/// </summary>
public static class AudioProbe
{
    private const string Mpeg = "audio/mpeg", Wav = "audio/wav", Aac = "audio/aac", Flac = "audio/flac", Ogg = "audio/ogg", Mp4 = "audio/mp4";

    /// <summary>The approved types as assets.md lists them, aliases included.</summary>
    public static readonly IReadOnlyList<string> ApprovedMediaTypes =
        [Mpeg, "audio/mp3", Wav, "audio/x-wav", Aac, Flac, Ogg, Mp4];

    /// <summary>
    /// The canonical type for an approved audio type ("audio/mp3" → "audio/mpeg", "audio/x-wav" → "audio/wav"),
    /// null for anything else; parameters are dropped, as for videos.
    /// </summary>
    public static string? NormalizeMediaType(string mediaType)
    {
        var type = AssetOptions.Essence(mediaType);
        return type switch
        {
            "audio/mp3" => Mpeg,
            "audio/x-wav" => Wav,
            Mpeg or Wav or Aac or Flac or Ogg or Mp4 => type,
            _ => null,
        };
    }

    /// <summary>
    /// Runs ffprobe on a local file and returns the duration, or null when the file is not readable audio of the
    /// declared media type. Timeouts, output caps, cancellation and a missing ffprobe behave as in <see cref="Ffprobe.RunAsync"/>.
    /// </summary>
    public static async Task<AudioInfo?> ReadAsync(string path, string declaredMediaType, string ffprobePath = "ffprobe",
        TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(declaredMediaType);
        var mediaType = NormalizeMediaType(declaredMediaType);
        if (mediaType is null) return null;
        using var document = await Ffprobe.RunAsync(path, Demuxer(mediaType), "stream=codec_type,codec_name:format=format_name,duration",
            ffprobePath, timeout, cancellationToken);
        if (document is null || Ffprobe.FormatOf(document, ContainerNames(mediaType)) is not { } format) return null;
        if (!Ffprobe.Streams(document).Any(s => Ffprobe.String(s, "codec_type") == "audio")) return null;
        return Ffprobe.Duration(format) is { } duration ? new AudioInfo(mediaType, duration) : null;
    }

    /// <summary>
    /// Cheap magic-number sniff from the first bytes, for uploads without a trustworthy type. Only a hint:
    /// <see cref="ReadAsync"/> is what verifies the file.
    /// </summary>
    public static string? Sniff(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith("ID3"u8)) return Mpeg;
        if (head.Length >= 12 && head.StartsWith("RIFF"u8) && head.Slice(8, 4).SequenceEqual("WAVE"u8)) return Wav;
        if (head.StartsWith("fLaC"u8)) return Flac;
        if (head.StartsWith("OggS"u8)) return Ogg;
        if (head.Length >= 12 && head.Slice(4, 4).SequenceEqual("ftyp"u8))
        {
            // The major brands of audio-only files (iTunes audio, audiobooks); other brands are left to the video sniff.
            var brand = head.Slice(8, 4);
            return brand.SequenceEqual("M4A "u8) || brand.SequenceEqual("M4B "u8) ? Mp4 : null;
        }
        if (head.Length < 3 || head[0] != 0xFF) return null;
        // Both start with a run of sync bits; ADTS has layer bits 00 where an MPEG audio frame never does.
        if ((head[1] & 0xF6) == 0xF0) return Aac;
        return IsMpegFrameHeader(head) ? Mpeg : null;
    }

    // An MP3 without an ID3 tag starts with a frame: 11 sync bits, then no reserved version, layer, bitrate or rate.
    private static bool IsMpegFrameHeader(ReadOnlySpan<byte> head) =>
        (head[1] & 0xE0) == 0xE0
        && (head[1] >> 3 & 3) != 1
        && (head[1] >> 1 & 3) != 0
        && head[2] >> 4 != 0xF
        && (head[2] >> 2 & 3) != 3;

    // The whitelist matches any one name of a demuxer; ffprobe calls the MP4 one "mov,mp4,m4a,3gp,3g2,mj2".
    private static string Demuxer(string mediaType) => mediaType switch
    {
        Mpeg => "mp3",
        Wav => "wav",
        Aac => "aac",
        Flac => "flac",
        Ogg => "ogg",
        _ => "mov",
    };

    private static string[] ContainerNames(string mediaType) => mediaType == Mp4 ? ["mov", "mp4", "m4a"] : [Demuxer(mediaType)];
}
