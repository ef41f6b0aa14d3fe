namespace Reelay.Server.Features.Engines.Preview;

/// <summary>One preview render: video-to-video (<see cref="VideoPath"/>), image-to-video (<see cref="ImagePath"/>) or text-to-video.</summary>
/// <param name="Width">Output width in pixels; even, 16..8192.</param>
/// <param name="Height">Output height in pixels; even, 16..8192.</param>
/// <param name="DurationSeconds">Output length, 0.5..60 seconds; fractions are fine (rounded to whole frames at 24 fps).</param>
/// <param name="Seed">0..4294967295; deterministically chooses the camera move / colours / audio chord.</param>
/// <param name="ImagePath">A local PNG/JPEG/WebP for image-to-video; null for text-to-video.</param>
/// <param name="PromptText">Prompt drawn over the text-to-video background; ignored for image-to-video.</param>
/// <param name="OutputPath">
/// Final output path (pick its extension with <see cref="PreviewOutputs.For"/>); written via a temp file in the same
/// directory and moved into place.
/// </param>
/// <param name="FfmpegPath">ffmpeg executable (a name on PATH or a full path).</param>
/// <param name="VideoPath">A local video for video-to-video (restyled and re-framed); takes precedence over ImagePath.</param>
public sealed record PreviewRenderRequest(
    int Width,
    int Height,
    double DurationSeconds,
    long Seed,
    string? ImagePath,
    string? PromptText,
    string OutputPath,
    string FfmpegPath = "ffmpeg",
    string? VideoPath = null)
{
    /// <summary>
    /// Adds an audio track of exactly the video's length: a seed-chosen chord, or for video-to-video the source's own
    /// audio when it has any. AAC in MP4/MOV, <c>audio.wav</c> inside sequence zips.
    /// </summary>
    public bool Audio { get; init; }

    /// <summary>One of <see cref="PreviewOutputs.Formats"/> (Runway's <c>outputFormat</c> names).</summary>
    public string OutputFormat { get; init; } = PreviewOutputs.Mp4;

    /// <summary>
    /// ProRes profile for <c>prores</c> ("422 Proxy", "422 LT", "422", "422 HQ", "4444", "4444 XQ"; default "4444")
    /// and <c>hdr_prores</c> ("422", "422 HQ", "4444"; default "422 HQ"). Ignored by the other formats.
    /// </summary>
    public string? ProresProfile { get; init; }

    /// <summary>Images that fill the frame around their time, cross-fading between consecutive ones.</summary>
    public IReadOnlyList<PreviewKeyframe> Keyframes { get; init; } = [];

    /// <summary>Images shown as a row of thumbnails in the bottom-left corner, so a viewer can see they were used.</summary>
    public IReadOnlyList<string> ReferenceImages { get; init; } = [];

    /// <summary>Video-to-video without the seed's colour grade: the source's own pixels re-encoded (an HDR upconvert).</summary>
    public bool Faithful { get; init; }

    /// <summary>The frame the video ends on: a cross-fade into it during the final second.</summary>
    public string? LastImagePath { get; init; }
}

/// <summary>An image that is the whole frame at <paramref name="AtSeconds"/> (0..duration).</summary>
public sealed record PreviewKeyframe(string ImagePath, double AtSeconds);

/// <summary>An ffmpeg preview render failed (bad input, ffmpeg missing, non-zero exit...).</summary>
public sealed class PreviewRenderException(string message) : Exception(message);

/// <summary>The file a format is delivered as: its extension (with the dot) and the Content-Type to serve it with.</summary>
public sealed record PreviewOutput(string Extension, string ContentType);

/// <summary>The output formats the preview engine renders, and what kind of file each one is.</summary>
public static class PreviewOutputs
{
    public const string Mp4 = "mp4";

    private static readonly PreviewOutput Mp4File = new(".mp4", "video/mp4");
    private static readonly PreviewOutput MovFile = new(".mov", "video/quicktime");
    private static readonly PreviewOutput ZipFile = new(".zip", "application/zip");

    private static readonly Dictionary<string, PreviewOutput> Files = new(StringComparer.Ordinal)
    {
        [Mp4] = Mp4File,
        ["hdr10"] = Mp4File,
        ["hlg"] = Mp4File,
        ["sdr_rec709_10bit"] = Mp4File,
        ["prores"] = MovFile,
        ["hdr_prores"] = MovFile,
        ["hdr_pq_12bit_master"] = MovFile,
        ["png_sequence"] = ZipFile,
        ["hdr_png_sequence"] = ZipFile,
        ["hdr_exr_sequence"] = ZipFile,
        ["hdr_exr_acescg_sequence_1_3"] = ZipFile,
        ["hdr_exr_acescg_sequence_2_0"] = ZipFile,
    };

    /// <summary>Every supported <see cref="PreviewRenderRequest.OutputFormat"/> value.</summary>
    public static IReadOnlyCollection<string> Formats => Files.Keys;

    /// <summary>The extension and Content-Type for <paramref name="outputFormat"/>; unknown formats throw.</summary>
    public static PreviewOutput For(string outputFormat)
    {
        ArgumentNullException.ThrowIfNull(outputFormat);
        return Files.TryGetValue(outputFormat, out var file)
            ? file
            : throw new ArgumentException($"Unknown preview output format '{outputFormat}'.", nameof(outputFormat));
    }
}
