using System.Globalization;
using System.Text;

namespace Reelay.Server.Features.Engines.Preview;

/// <summary>One preview render: either image-to-video (<see cref="ImagePath"/> set) or text-to-video.</summary>
/// <param name="Width">Output width in pixels; even, 16..8192.</param>
/// <param name="Height">Output height in pixels; even, 16..8192.</param>
/// <param name="DurationSeconds">Exact output length, 1..20 seconds.</param>
/// <param name="Seed">0..4294967295; deterministically chooses the camera move / colours.</param>
/// <param name="ImagePath">A local PNG/JPEG/WebP for image-to-video; null for text-to-video.</param>
/// <param name="PromptText">Prompt drawn over the text-to-video background; ignored for image-to-video.</param>
/// <param name="OutputPath">Final .mp4 path; written via a temp file in the same directory and moved into place.</param>
/// <param name="FfmpegPath">ffmpeg executable (a name on PATH or a full path).</param>
/// <param name="VideoPath">A local video for video-to-video (restyled and re-framed); takes precedence over ImagePath.</param>
public sealed record PreviewRenderRequest(
    int Width,
    int Height,
    int DurationSeconds,
    long Seed,
    string? ImagePath,
    string? PromptText,
    string OutputPath,
    string FfmpegPath = "ffmpeg",
    string? VideoPath = null);

/// <summary>An ffmpeg preview render failed (bad input, ffmpeg missing, non-zero exit...).</summary>
public sealed class PreviewRenderException(string message) : Exception(message);

/// <summary>
/// Renders cheap, deterministic "preview" videos with ffmpeg: a slow camera move over the prompt image,
/// or an animated gradient with the prompt text drawn on top.
/// </summary>
public static partial class PreviewRenderer
{
    public const int FramesPerSecond = 24;
    public const int MinDurationSeconds = 1;
    public const int MaxDurationSeconds = 20;
    public const int MinDimension = 16;
    public const int MaxDimension = 8192;
    public const int MaxTextLines = 8;

    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>
    /// Renders a real H.264 MP4 (yuv420p, +faststart, 24 fps, exactly <see cref="PreviewRenderRequest.DurationSeconds"/> long),
    /// reporting progress 0..1 (non-decreasing; 1.0 only once the output is in place).
    /// Cancellation kills ffmpeg, deletes the temp file and throws <see cref="OperationCanceledException"/>.
    /// </summary>
    public static Task RenderAsync(PreviewRenderRequest request, Action<double> onProgress, CancellationToken cancellationToken)
        => RenderAsync(request, onProgress, FindFontFile(), cancellationToken);

    /// <summary>As the public overload, with the font chosen by the caller (null: no text is drawn).</summary>
    internal static async Task RenderAsync(
        PreviewRenderRequest request,
        Action<double> onProgress,
        string? fontFile,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(onProgress);
        Validate(request);
        cancellationToken.ThrowIfCancellationRequested();

        if (request.ImagePath is not null && !File.Exists(request.ImagePath))
        {
            throw new PreviewRenderException($"Preview image not found: '{request.ImagePath}'.");
        }

        var outputPath = Path.GetFullPath(request.OutputPath);
        var directory = Path.GetDirectoryName(outputPath)
            ?? throw new ArgumentException("OutputPath must name a file.", nameof(request));
        Directory.CreateDirectory(directory);

        var unique = Guid.NewGuid().ToString("N");
        var fileName = Path.GetFileName(outputPath);
        var tempOutputPath = Path.Combine(directory, $".{fileName}.{unique}.tmp");
        string? textFile = null;
        try
        {
            if (request.ImagePath is null && request.VideoPath is null && fontFile is not null)
            {
                var layout = ComputeTextLayout(request.Width, request.Height);
                var lines = WrapPrompt(request.PromptText, layout.CharsPerLine, layout.MaxLines);
                if (lines.Count > 0)
                {
                    textFile = Path.Combine(directory, $".{fileName}.{unique}.txt");
                    await File.WriteAllTextAsync(textFile, string.Join('\n', lines), Utf8NoBom, cancellationToken)
                        .ConfigureAwait(false);
                }
            }

            var arguments = BuildArguments(request, tempOutputPath, fontFile, textFile);
            var totalMicroseconds = request.DurationSeconds * 1_000_000.0;
            var reported = 0.0;
            onProgress(0.0);

            var result = await FfmpegProcess.RunAsync(
                request.FfmpegPath,
                arguments,
                line =>
                {
                    if (TryParseProgress(line, totalMicroseconds, out var value) && value > reported)
                    {
                        reported = value;
                        onProgress(value);
                    }
                },
                cancellationToken).ConfigureAwait(false);

            if (result.ExitCode != 0)
            {
                var stderr = result.StderrTail.Count > 0 ? string.Join('\n', result.StderrTail) : "(no stderr output)";
                throw new PreviewRenderException($"ffmpeg exited with code {result.ExitCode}:\n{stderr}");
            }

            if (!File.Exists(tempOutputPath))
            {
                throw new PreviewRenderException("ffmpeg exited successfully but produced no output file.");
            }

            File.Move(tempOutputPath, outputPath, overwrite: true);
            onProgress(1.0);
        }
        finally
        {
            TryDelete(tempOutputPath);
            if (textFile is not null)
            {
                TryDelete(textFile);
            }
        }
    }

    /// <summary>The ffmpeg argument list (one element per argument, no shell quoting) for <paramref name="request"/>.</summary>
    /// <param name="fontFile">Font for drawtext; null skips the text overlay.</param>
    /// <param name="textFile">UTF-8 file with the already wrapped prompt; null skips the text overlay.</param>
    public static IReadOnlyList<string> BuildArguments(
        PreviewRenderRequest request,
        string tempOutputPath,
        string? fontFile,
        string? textFile)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(tempOutputPath);
        Validate(request);

        var args = new List<string>
        {
            "-hide_banner", "-nostdin", "-nostats", "-loglevel", "error",
            "-progress", "pipe:1", "-y",
        };

        string filterGraph;
        if (request.VideoPath is not null)
        {
            // Looped so the output is exactly DurationSeconds long even if the source is a little shorter.
            args.AddRange(["-stream_loop", "-1", "-i", FileUrl(request.VideoPath)]);
            filterGraph = VideoFilterGraph(request);
        }
        else if (request.ImagePath is not null)
        {
            // A single decode of the image; the loop filter repeats the scaled frame (far cheaper than
            // `-loop 1`, which re-decodes and re-scales the full-size image for every output frame).
            args.AddRange(["-f", "image2", "-pattern_type", "none", "-framerate", Num(FramesPerSecond),
                "-i", FileUrl(request.ImagePath)]);
            filterGraph = ImageFilterGraph(request);
        }
        else
        {
            args.AddRange(["-f", "lavfi", "-i", GradientSource(request)]);
            filterGraph = TextFilterGraph(request, fontFile, textFile);
        }

        args.AddRange(
        [
            "-filter_complex", filterGraph,
            "-map", "[v]",
            "-t", Num(request.DurationSeconds),
            "-r", Num(FramesPerSecond),
            "-an",
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "28",
            "-pix_fmt", "yuv420p",
            "-movflags", "+faststart",
            "-fflags", "+bitexact", "-flags:v", "+bitexact", "-map_metadata", "-1",
            "-f", "mp4", FileUrl(tempOutputPath),
        ]);
        return args;
    }

    private static bool TryParseProgress(string line, double totalMicroseconds, out double value)
    {
        value = 0;
        const string key = "out_time_us=";
        if (!line.StartsWith(key, StringComparison.Ordinal)
            || !long.TryParse(line.AsSpan(key.Length), NumberStyles.Integer, CultureInfo.InvariantCulture, out var microseconds))
        {
            return false;
        }

        // 1.0 is reserved for "output moved into place"; the faststart rewrite still follows encoding.
        value = Math.Clamp(microseconds / totalMicroseconds, 0.0, 0.99);
        return true;
    }

    private static void Validate(PreviewRenderRequest r)
    {
        if (r.Width is < MinDimension or > MaxDimension || r.Width % 2 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(r.Width), r.Width, $"Width must be even and within {MinDimension}..{MaxDimension}.");
        }

        if (r.Height is < MinDimension or > MaxDimension || r.Height % 2 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(r.Height), r.Height, $"Height must be even and within {MinDimension}..{MaxDimension}.");
        }

        if (r.DurationSeconds is < MinDurationSeconds or > MaxDurationSeconds)
        {
            throw new ArgumentOutOfRangeException(nameof(r.DurationSeconds), r.DurationSeconds, $"Duration must be within {MinDurationSeconds}..{MaxDurationSeconds} seconds.");
        }

        if (r.Seed is < 0 or > uint.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(r.Seed), r.Seed, "Seed must be within 0..4294967295.");
        }

        if (string.IsNullOrWhiteSpace(r.OutputPath))
        {
            throw new ArgumentException("OutputPath is required.", nameof(r.OutputPath));
        }

        if (string.IsNullOrWhiteSpace(r.FfmpegPath))
        {
            throw new ArgumentException("FfmpegPath is required.", nameof(r.FfmpegPath));
        }

        if (r.ImagePath is not null && string.IsNullOrWhiteSpace(r.ImagePath))
        {
            throw new ArgumentException("ImagePath must be null or a file path.", nameof(r.ImagePath));
        }
    }

    /// <summary>`file:` stops ffmpeg from reading a protocol out of a path such as `a:b.png`.</summary>
    private static string FileUrl(string path) => "file:" + Path.GetFullPath(path);

    private static string Num(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Num(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: a leftover hidden temp file is not worth failing the render for.
        }
    }
}
