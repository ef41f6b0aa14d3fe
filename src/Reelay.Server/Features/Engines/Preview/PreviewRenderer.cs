using System.Globalization;
using System.Text;
using static System.FormattableString;

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

    /// <summary>How much bigger than the frame the image is scaled for pans, and how far zooms travel.</summary>
    private const double Overscan = 0.15;

    private static readonly string[] CameraMoves = ["pan-right", "pan-left", "pan-down", "pan-up", "zoom-in", "zoom-out"];

    private static readonly string[] FontCandidates =
    [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", // Debian / Ubuntu
        "/usr/share/fonts/dejavu/DejaVuSans.ttf",          // Alpine, Fedora
        "/usr/share/fonts/TTF/DejaVuSans.ttf",             // Arch
        "/usr/local/share/fonts/dejavu/DejaVuSans.ttf",    // FreeBSD
    ];

    // Background colours for text-to-video; three distinct ones are picked per seed.
    private static readonly string[] Palette =
    [
        "0x1f3b73", "0xc2185b", "0xff8f00", "0x00897b", "0x5e35b1", "0x3949ab",
        "0xd84315", "0x2e7d32", "0x6a1b9a", "0x00838f", "0xf9a825", "0x37474f",
    ];

    private static readonly string[] GradientTypes = ["linear", "circular"];

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

    /// <summary>The camera move for image-to-video, chosen deterministically from <paramref name="seed"/>.</summary>
    public static string CameraMove(long seed) => CameraMoves[(int)(Mix(seed, 1) % (ulong)CameraMoves.Length)];

    /// <summary>The first DejaVu Sans found in the usual places, or null (then text is not drawn).</summary>
    internal static string? FindFontFile() => FontCandidates.FirstOrDefault(File.Exists);

    internal readonly record struct TextLayout(int FontSize, int LineSpacing, int BoxBorder, int CharsPerLine, int MaxLines);

    /// <summary>Font size and wrap width for a frame, from an estimated average glyph width of 0.6 em.</summary>
    internal static TextLayout ComputeTextLayout(int width, int height)
    {
        var fontSize = Math.Clamp((int)Math.Round(Math.Min(width, height) / 18.0), 8, 160);
        var lineSpacing = Math.Max(1, fontSize / 4);
        var boxBorder = Math.Max(2, fontSize / 2);
        var charsPerLine = Math.Max(4, (int)((width * 0.88 - 2 * boxBorder) / (fontSize * 0.6)));
        var maxLines = Math.Clamp((int)((height * 0.9 - 2 * boxBorder) / (fontSize + lineSpacing)), 1, MaxTextLines);
        return new TextLayout(fontSize, lineSpacing, boxBorder, charsPerLine, maxLines);
    }

    /// <summary>
    /// Word-wraps <paramref name="text"/> to at most <paramref name="charsPerLine"/> columns (wide CJK/emoji count
    /// as two) and <paramref name="maxLines"/> lines, ending with an ellipsis when cut. Control characters are
    /// dropped, newlines start a new line, blank lines are removed, over-long words are broken.
    /// </summary>
    internal static IReadOnlyList<string> WrapPrompt(string? text, int charsPerLine, int maxLines)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(charsPerLine, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLines, 1);
        var lines = new List<string>();
        if (string.IsNullOrWhiteSpace(text))
        {
            return lines;
        }

        var truncated = false;
        foreach (var paragraph in Sanitize(text).Split('\n'))
        {
            var line = new StringBuilder();
            var lineWidth = 0;
            foreach (var word in paragraph.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                foreach (var piece in BreakLongWord(word, charsPerLine))
                {
                    var pieceWidth = DisplayWidth(piece);
                    if (lineWidth > 0 && lineWidth + 1 + pieceWidth > charsPerLine)
                    {
                        lines.Add(line.ToString());
                        line.Clear();
                        lineWidth = 0;
                    }

                    if (lineWidth > 0)
                    {
                        line.Append(' ');
                        lineWidth++;
                    }

                    line.Append(piece);
                    lineWidth += pieceWidth;
                }
            }

            if (lineWidth > 0)
            {
                lines.Add(line.ToString());
            }

            if (lines.Count > maxLines)
            {
                truncated = true;
                break;
            }
        }

        if (lines.Count > maxLines)
        {
            truncated = true;
            lines.RemoveRange(maxLines, lines.Count - maxLines);
        }

        if (truncated)
        {
            lines[^1] = TruncateToWidth(lines[^1], charsPerLine - 1).TrimEnd() + "\u2026";
        }

        return lines;
    }

    /// <summary>
    /// Escapes a value for a filter option inside a filtergraph string: first for the option parser
    /// (<c>\ ' :</c>), then the result for the filtergraph parser (<c>\ ' [ ] , ;</c>).
    /// </summary>
    internal static string EscapeFilterValue(string value)
        => BackslashEscape(BackslashEscape(value, "\\':"), "\\'[],;");

    private static string ImageFilterGraph(PreviewRenderRequest r)
    {
        int w = r.Width, h = r.Height, d = r.DurationSeconds;
        var coverW = EvenCeiling(w * (1 + Overscan));
        var coverH = EvenCeiling(h * (1 + Overscan));
        var zoom = Num(Overscan);

        // yuv444p while moving: crop offsets are not rounded to chroma-subsampling steps, so pans move in 1 px steps.
        var head = Invariant(
            $"[0:v]scale=w={coverW}:h={coverH}:force_original_aspect_ratio=increase:flags=lanczos,format=yuv444p,setsar=1,") +
            Invariant($"loop=loop=-1:size=1:start=0,settb=expr=1/{FramesPerSecond},setpts=N,");

        var move = CameraMove(r.Seed) switch
        {
            "pan-right" => Invariant($"crop=w={w}:h={h}:x=(in_w-out_w)*t/{d}:y=(in_h-out_h)/2"),
            "pan-left" => Invariant($"crop=w={w}:h={h}:x=(in_w-out_w)*(1-t/{d}):y=(in_h-out_h)/2"),
            "pan-down" => Invariant($"crop=w={w}:h={h}:x=(in_w-out_w)/2:y=(in_h-out_h)*t/{d}"),
            "pan-up" => Invariant($"crop=w={w}:h={h}:x=(in_w-out_w)/2:y=(in_h-out_h)*(1-t/{d})"),
            "zoom-in" => ZoomFilter(w, h, Invariant($"(1+{zoom}*t/{d})")),
            "zoom-out" => ZoomFilter(w, h, Invariant($"(1+{zoom}*(1-t/{d}))")),
            var other => throw new InvalidOperationException($"Unknown camera move '{other}'."),
        };

        return head + move + ",setsar=1,format=yuv420p[v]";
    }

    // Per-frame rescale to cover (w*z)x(h*z), then a centred crop: smoother than zoompan, which rounds its offsets.
    private static string ZoomFilter(int w, int h, string factor)
        => Invariant($"scale=w=trunc({w}*{factor}/2)*2:h=trunc({h}*{factor}/2)*2:force_original_aspect_ratio=increase:eval=frame,") +
           Invariant($"crop=w={w}:h={h}");

    private static string GradientSource(PreviewRenderRequest r)
    {
        // The gradient is smooth, so it is generated at quarter size and upscaled: ~2x faster, visually identical.
        var gw = Math.Max(16, (r.Width + 3) / 4);
        var gh = Math.Max(16, (r.Height + 3) / 4);

        var first = (int)(Mix(r.Seed, 2) % (ulong)Palette.Length);
        var step = 1 + (int)(Mix(r.Seed, 3) % (ulong)(Palette.Length - 1));
        var c0 = Palette[first];
        var c1 = Palette[(first + step) % Palette.Length];
        var c2 = Palette[(first + 2 * step) % Palette.Length];
        if (c2 == c0)
        {
            c2 = Palette[(first + step + 1) % Palette.Length];
        }

        // Gradient line from one corner region to the opposite one, so every colour is visible.
        var flip = (Mix(r.Seed, 4) & 1) == 1;
        int x0 = gw / 8, y0 = flip ? gh - 1 - gh / 8 : gh / 8;
        int x1 = gw - 1 - gw / 8, y1 = flip ? gh / 8 : gh - 1 - gh / 8;

        var speed = 0.005 + (Mix(r.Seed, 5) % 1000) / 1000.0 * 0.015; // 0.005 .. 0.02 (rotation per frame)
        var type = GradientTypes[(int)(Mix(r.Seed, 6) % (ulong)GradientTypes.Length)];
        var gradientSeed = Mix(r.Seed, 7) & 0xFFFFFFFF;

        return Invariant(
            $"gradients=s={gw}x{gh}:r={FramesPerSecond}:d={r.DurationSeconds}:c0={c0}:c1={c1}:c2={c2}:n=3:") +
            Invariant($"x0={x0}:y0={y0}:x1={x1}:y1={y1}:speed={speed:0.#####}:type={type}:seed={gradientSeed}");
    }

    private static string TextFilterGraph(PreviewRenderRequest r, string? fontFile, string? textFile)
    {
        var graph = new StringBuilder(Invariant($"[0:v]scale=w={r.Width}:h={r.Height}:flags=bilinear,format=yuv420p,setsar=1"));
        if (fontFile is not null && textFile is not null)
        {
            var layout = ComputeTextLayout(r.Width, r.Height);
            var shadow = Math.Max(1, layout.FontSize / 16);
            graph.Append(",drawtext=fontfile=").Append(EscapeFilterValue(fontFile))
                .Append(":textfile=").Append(EscapeFilterValue(textFile))
                .Append(Invariant($":expansion=none:fontsize={layout.FontSize}:fontcolor=white"))
                .Append(Invariant($":line_spacing={layout.LineSpacing}:shadowx={shadow}:shadowy={shadow}:shadowcolor=black@0.5"))
                .Append(Invariant($":box=1:boxcolor=black@0.45:boxborderw={layout.BoxBorder}"))
                .Append(":x=(w-text_w)/2:y=(h-text_h)/2");
        }

        return graph.Append("[v]").ToString();
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

    private static int EvenCeiling(double value) => (int)Math.Ceiling(value / 2) * 2;

    private static string BackslashEscape(string value, string special)
    {
        var builder = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            if (special.Contains(c, StringComparison.Ordinal))
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    /// <summary>Newlines kept (as '\n'), other whitespace made a plain space, control/format junk removed.</summary>
    private static string Sanitize(string text)
    {
        var builder = new StringBuilder(text.Length);
        var normalized = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        foreach (var c in normalized)
        {
            if (c is '\n' or '\r' or '\u2028' or '\u2029')
            {
                builder.Append('\n');
            }
            else if (char.IsWhiteSpace(c))
            {
                builder.Append(' ');
            }
            else if (!char.IsControl(c))
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    private static IEnumerable<string> BreakLongWord(string word, int charsPerLine)
    {
        if (DisplayWidth(word) <= charsPerLine)
        {
            yield return word;
            yield break;
        }

        var piece = new StringBuilder();
        var width = 0;
        var elements = StringInfo.GetTextElementEnumerator(word);
        while (elements.MoveNext())
        {
            var element = elements.GetTextElement();
            var elementWidth = ElementWidth(element);
            if (width > 0 && width + elementWidth > charsPerLine)
            {
                yield return piece.ToString();
                piece.Clear();
                width = 0;
            }

            piece.Append(element);
            width += elementWidth;
        }

        if (width > 0)
        {
            yield return piece.ToString();
        }
    }

    private static string TruncateToWidth(string line, int maxWidth)
    {
        var builder = new StringBuilder();
        var width = 0;
        var elements = StringInfo.GetTextElementEnumerator(line);
        while (elements.MoveNext())
        {
            var element = elements.GetTextElement();
            var elementWidth = ElementWidth(element);
            if (width + elementWidth > maxWidth)
            {
                break;
            }

            builder.Append(element);
            width += elementWidth;
        }

        return builder.ToString();
    }

    internal static int DisplayWidth(string text)
    {
        var width = 0;
        var elements = StringInfo.GetTextElementEnumerator(text);
        while (elements.MoveNext())
        {
            width += ElementWidth(elements.GetTextElement());
        }

        return width;
    }

    // East Asian wide characters and emoji take roughly twice the width of a Latin letter.
    private static int ElementWidth(string element)
    {
        Rune.DecodeFromUtf16(element, out var rune, out _);
        var codePoint = rune.Value;
        return codePoint is (>= 0x1100 and <= 0x115F) or (>= 0x2E80 and <= 0xA4CF) or (>= 0xAC00 and <= 0xD7A3)
            or (>= 0xF900 and <= 0xFAFF) or (>= 0xFE30 and <= 0xFE4F) or (>= 0xFF00 and <= 0xFF60)
            or (>= 0xFFE0 and <= 0xFFE6) or (>= 0x1F300 and <= 0x1FAFF) or (>= 0x20000 and <= 0x3FFFD)
            ? 2
            : 1;
    }

    /// <summary>SplitMix64 of (seed, stream): independent deterministic choices from one seed.</summary>
    private static ulong Mix(long seed, ulong stream)
    {
        unchecked
        {
            var z = (ulong)seed + 0x9E3779B97F4A7C15UL * (stream + 1);
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }

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
