using System.Globalization;
using System.Text;

namespace Reelay.Server.Features.Engines.Preview;

/// <summary>
/// Renders cheap, deterministic "preview" videos with one ffmpeg process: a slow camera move over the prompt image,
/// an animated gradient with the prompt text drawn on top, or a restyled source video; optionally with keyframes,
/// reference thumbnails, a last frame and audio, in any of <see cref="PreviewOutputs.Formats"/>.
/// </summary>
public static partial class PreviewRenderer
{
    public const int FramesPerSecond = 24;
    public const double MinDurationSeconds = 0.5;
    public const double MaxDurationSeconds = 60;
    public const int MinDimension = 16;
    public const int MaxDimension = 8192;
    public const int MaxTextLines = 8;

    /// <summary>Share of the progress bar given to ffmpeg when a zip still has to be written afterwards.</summary>
    private const double SequenceEncodeShare = 0.9;

    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>
    /// Renders the request's <see cref="PreviewRenderRequest.OutputFormat"/> (24 fps, exactly
    /// <see cref="PreviewRenderRequest.DurationSeconds"/> long, rounded to whole frames), reporting progress 0..1
    /// (non-decreasing; 1.0 only once the output is in place). Cancellation kills ffmpeg, deletes every temp file
    /// and throws <see cref="OperationCanceledException"/>.
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
        var format = Validate(request);
        cancellationToken.ThrowIfCancellationRequested();
        EnsureInputsExist(request);

        var outputPath = Path.GetFullPath(request.OutputPath);
        var directory = Path.GetDirectoryName(outputPath)
            ?? throw new ArgumentException("OutputPath must name a file.", nameof(request));
        Directory.CreateDirectory(directory);

        // Every temp file shares this hidden prefix, in the output directory so the final move is a rename.
        var tempOutputPath = Path.Combine(directory, $".{Path.GetFileName(outputPath)}.{Guid.NewGuid():N}.tmp");
        var textFile = tempOutputPath + ".txt";
        var reported = 0.0;
        void Report(double value)
        {
            if (value > reported)
            {
                reported = value;
                onProgress(value);
            }
        }

        try
        {
            var files = await PrepareFilesAsync(request, format, tempOutputPath, fontFile, textFile, cancellationToken).ConfigureAwait(false);
            onProgress(0.0);
            await RunFfmpegAsync(request, BuildArguments(request, files), format.IsSequence ? SequenceEncodeShare : 0.99, Report, cancellationToken)
                .ConfigureAwait(false);

            if (format.IsSequence)
            {
                await WriteSequenceZipAsync(request, format, tempOutputPath, p => Report(SequenceEncodeShare + (0.99 - SequenceEncodeShare) * p), cancellationToken)
                    .ConfigureAwait(false);
            }
            else if (!File.Exists(tempOutputPath))
            {
                throw new PreviewRenderException("ffmpeg exited successfully but produced no output file.");
            }

            File.Move(tempOutputPath, outputPath, overwrite: true);
            onProgress(1.0);
        }
        finally
        {
            TryDelete(tempOutputPath);
            TryDelete(textFile);
            TryDelete(LutFile(tempOutputPath));
            TryDeleteDirectory(FramesDirectory(tempOutputPath));
        }
    }

    /// <summary>The ffmpeg argument list (one element per argument, no shell quoting) for <paramref name="request"/>.</summary>
    /// <param name="tempOutputPath">The file ffmpeg writes; sequence formats write their frames to a folder named after it.</param>
    /// <param name="fontFile">Font for drawtext; null skips the text overlay.</param>
    /// <param name="textFile">UTF-8 file with the already wrapped prompt; null skips the text overlay.</param>
    public static IReadOnlyList<string> BuildArguments(
        PreviewRenderRequest request,
        string tempOutputPath,
        string? fontFile,
        string? textFile)
    {
        ArgumentException.ThrowIfNullOrEmpty(tempOutputPath);
        return BuildArguments(request, new RenderFiles(tempOutputPath, fontFile, textFile, SourceHasAudio: false));
    }

    /// <summary>Writes the prompt, frame folder and LUT files the render needs, and finds out whether a source has audio.</summary>
    private static async Task<RenderFiles> PrepareFilesAsync(
        PreviewRenderRequest request, FormatSpec format, string tempOutputPath, string? fontFile, string textFile, CancellationToken cancellationToken)
    {
        var hasText = await WritePromptFileAsync(request, fontFile, textFile, cancellationToken).ConfigureAwait(false);
        await PrepareFormatFilesAsync(format, tempOutputPath, cancellationToken).ConfigureAwait(false);
        var sourceHasAudio = request.Audio && request.VideoPath is not null
            && await HasAudioStreamAsync(request.FfmpegPath, request.VideoPath, cancellationToken).ConfigureAwait(false);
        return new RenderFiles(tempOutputPath, fontFile, hasText ? textFile : null, sourceHasAudio);
    }

    /// <summary>Writes the wrapped prompt for drawtext; false when there is nothing to draw (or no font to draw it with).</summary>
    private static async Task<bool> WritePromptFileAsync(
        PreviewRenderRequest request, string? fontFile, string textFile, CancellationToken cancellationToken)
    {
        if (request.ImagePath is not null || request.VideoPath is not null || fontFile is null)
        {
            return false;
        }

        var layout = ComputeTextLayout(request.Width, request.Height);
        var lines = WrapPrompt(request.PromptText, layout.CharsPerLine, layout.MaxLines);
        if (lines.Count == 0)
        {
            return false;
        }

        await File.WriteAllTextAsync(textFile, string.Join('\n', lines), Utf8NoBom, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private static async Task RunFfmpegAsync(
        PreviewRenderRequest request,
        IReadOnlyList<string> arguments,
        double share,
        Action<double> report,
        CancellationToken cancellationToken)
    {
        var totalMicroseconds = FrameCount(request) * 1_000_000.0 / FramesPerSecond;
        var result = await FfmpegProcess.RunAsync(
            request.FfmpegPath,
            arguments,
            line =>
            {
                if (TryParseProgress(line, totalMicroseconds, out var value))
                {
                    report(value * share);
                }
            },
            cancellationToken).ConfigureAwait(false);

        if (result.ExitCode != 0)
        {
            var stderr = result.StderrTail.Count > 0 ? string.Join('\n', result.StderrTail) : "(no stderr output)";
            throw new PreviewRenderException($"ffmpeg exited with code {result.ExitCode}:\n{stderr}");
        }
    }

    /// <summary>
    /// Whether <paramref name="videoPath"/> has an audio stream: ffmpeg fails to map <c>0:a:0</c> when it has none.
    /// A second (short) process, but only for video-to-video with audio, and it keeps the render itself one process.
    /// </summary>
    internal static async Task<bool> HasAudioStreamAsync(string ffmpegPath, string videoPath, CancellationToken cancellationToken)
    {
        var result = await FfmpegProcess.RunAsync(
            ffmpegPath,
            ["-hide_banner", "-nostdin", "-loglevel", "error", "-i", FileUrl(videoPath),
                "-map", "0:a:0", "-frames:a", "1", "-f", "null", "-"],
            static _ => { },
            cancellationToken).ConfigureAwait(false);
        return result.ExitCode == 0;
    }

    internal static bool TryParseProgress(string line, double totalMicroseconds, out double value)
    {
        value = 0;
        const string key = "out_time_us=";
        if (!line.StartsWith(key, StringComparison.Ordinal)
            || !long.TryParse(line.AsSpan(key.Length), NumberStyles.Integer, CultureInfo.InvariantCulture, out var microseconds))
        {
            return false;
        }

        // 1.0 is reserved for "output moved into place"; the faststart rewrite (or the zip) still follows encoding.
        value = Math.Clamp(microseconds / totalMicroseconds, 0.0, 0.99);
        return true;
    }

    /// <summary>The number of frames rendered: the duration rounded to whole frames.</summary>
    internal static int FrameCount(PreviewRenderRequest r) => Math.Max(1, (int)Math.Round(r.DurationSeconds * FramesPerSecond));

    /// <summary>The duration actually rendered (whole frames), used for every time in the graph.</summary>
    private static double RenderedSeconds(PreviewRenderRequest r) => (double)FrameCount(r) / FramesPerSecond;

    /// <summary>`file:` stops ffmpeg from reading a protocol out of a path such as `a:b.png`.</summary>
    internal static string FileUrl(string path) => "file:" + Path.GetFullPath(path);

    internal static string Num(int value) => value.ToString(CultureInfo.InvariantCulture);

    internal static string Num(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);

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

    private static void TryDeleteDirectory(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort, as for files.
        }
    }
}
