using System.Text;
using static System.FormattableString;

namespace Reelay.Server.Features.Engines.Preview;

/// <summary>
/// One image render: <see cref="OutputPaths"/> gives how many distinct stills to write (outputCount). Each is a
/// seed-chosen gradient (or the first input image, re-coloured per still) at Width × Height with the prompt drawn on
/// it and the reference images as a row of thumbnails; with <see cref="Alpha"/> the picture stands on a transparent
/// canvas (a PNG with alpha). An upscale (<see cref="UpscaleSource"/>) instead scales that image to the size.
/// </summary>
/// <param name="Format">"png", "jpeg" or "webp" (Runway's outputFormat names).</param>
public sealed record ImageRenderRequest(int Width, int Height, long Seed, string? PromptText, IReadOnlyList<string> OutputPaths, string Format,
    string FfmpegPath = "ffmpeg")
{
    public bool Alpha { get; init; }

    /// <summary>The picture the stills are drawn over (an edit's input); null: a gradient.</summary>
    public string? BackgroundImage { get; init; }

    public IReadOnlyList<string> ReferenceImages { get; init; } = [];

    /// <summary>An upscale: this image scaled to Width × Height (lanczos), with the upscaler's options as filters.</summary>
    public string? UpscaleSource { get; init; }

    /// <summary>Upscale options, 0–100 each: sharpen (unsharp), smartGrain (film grain), ultraDetail (adaptive sharpening).</summary>
    public double Sharpen { get; init; }
    public double SmartGrain { get; init; }
    public double UltraDetail { get; init; }
    public bool Denoise { get; init; }
}

/// <summary>Renders <see cref="ImageRenderRequest"/>s with one short ffmpeg run per still (deterministic for a seed).</summary>
public static class ImageRenderer
{
    public static readonly IReadOnlySet<string> Formats = new HashSet<string> { "png", "jpeg", "webp" };

    public static async Task RenderAsync(ImageRenderRequest request, Action<double> progress, CancellationToken cancellationToken)
    {
        Validate(request);
        var font = PreviewRenderer.FindFontFile();
        for (var index = 0; index < request.OutputPaths.Count; index++)
        {
            var output = Path.GetFullPath(request.OutputPaths[index]);
            Directory.CreateDirectory(Path.GetDirectoryName(output)!);
            var temp = Path.Combine(Path.GetDirectoryName(output)!, $".{Guid.NewGuid():N}{Path.GetExtension(output)}");
            var textFile = temp + ".txt";
            try
            {
                var hasText = font is not null && request.UpscaleSource is null && await WriteTextAsync(request, textFile, cancellationToken);
                var args = BuildArguments(request, index, temp, hasText ? font : null, hasText ? textFile : null);
                var result = await FfmpegProcess.RunAsync(request.FfmpegPath, args, _ => { }, cancellationToken);
                if (result.ExitCode != 0 || !File.Exists(temp))
                    throw new PreviewRenderException($"ffmpeg could not render image {index + 1} ({result.ExitCode}): {string.Join(" | ", result.StderrTail)}");
                File.Move(temp, output, overwrite: true);
                progress((index + 1.0) / request.OutputPaths.Count);
            }
            finally
            {
                File.Delete(temp);
                File.Delete(textFile);
            }
        }
    }

    /// <summary>The ffmpeg arguments of still <paramref name="index"/> (pure; tests read them).</summary>
    public static IReadOnlyList<string> BuildArguments(ImageRenderRequest r, int index, string tempOutput, string? fontFile, string? textFile)
    {
        var args = new List<string> { "-hide_banner", "-nostdin", "-loglevel", "error", "-y" };
        var chains = new List<string>();
        var seed = (long)(PreviewRenderer.Mix(r.Seed, 100 + (ulong)index) & 0xFFFFFFFF);
        var inputs = 0;
        string Input(string path)
        {
            args.AddRange(["-f", "image2", "-pattern_type", "none", "-i", PreviewRenderer.FileUrl(path)]);
            return Invariant($"{inputs++}:v");
        }
        if (r.UpscaleSource is not null)
        {
            chains.Add($"[{Input(r.UpscaleSource)}]{UpscaleFilters(r)},format={PixelFormat(r)}[out]");
            return Finish(args, chains, r, tempOutput);
        }
        var (w, h) = PictureSize(r);
        if (r.BackgroundImage is not null)
        {
            // An edit: the input picture, re-coloured by the still's own seed so that every one of outputCount differs.
            chains.Add($"[{Input(r.BackgroundImage)}]scale={w}:{h}:force_original_aspect_ratio=increase,crop={w}:{h},setsar=1," +
                       Invariant($"hue=h={seed % 360}:s=1.2,format=rgba[pic]"));
        }
        else
        {
            // Generated at quarter size and scaled up: a smooth gradient loses nothing and renders much faster.
            args.AddRange(["-f", "lavfi", "-i", Invariant($"gradients=s={Math.Max(16, w / 4)}x{Math.Max(16, h / 4)}:c0={Colour(seed)}:c1={Colour(seed + 1)}:c2={Colour(seed + 2)}:n=3:seed={seed}:d=1:r=1")]);
            chains.Add(Invariant($"[{inputs++}:v]scale={w}:{h}:flags=bicubic,setsar=1,format=rgba[pic]"));
        }
        // The text goes on the picture itself, so on a transparent canvas the subject (text included) stays opaque.
        chains.Add(TextFilters(r, index, w, h, fontFile, textFile) is { Length: > 0 } text ? $"[pic]{text}[texted]" : "[pic]null[texted]");
        var current = "texted";
        if (r.Alpha)
        {
            // The subject on a transparent canvas: the corners stay fully transparent.
            args.AddRange(["-f", "lavfi", "-i", Invariant($"color=c=black@0.0:s={r.Width}x{r.Height}:d=1:r=1,format=rgba")]);
            chains.Add(Invariant($"[{inputs++}:v][{current}]overlay=x=(W-w)/2:y=(H-h)/2:format=auto[canvas]"));
            current = "canvas";
        }
        var thumb = Even(Math.Max(16, r.Height / 6.0));
        var margin = Math.Max(4, r.Height / 48);
        for (var i = 0; i < Math.Min(r.ReferenceImages.Count, PreviewRenderer.MaxReferenceImages); i++)
        {
            var label = Input(r.ReferenceImages[i]);
            chains.Add(Invariant($"[{label}]scale=-2:{thumb},setsar=1,pad=iw+4:ih+4:2:2:color=white,format=rgba[ref{i}]"));
            chains.Add(Invariant($"[{current}][ref{i}]overlay=x={margin}+{i}*(w+{margin}):y=H-h-{margin}:format=auto[with{i}]"));
            current = $"with{i}";
        }
        chains.Add($"[{current}]format={PixelFormat(r)}[out]");
        return Finish(args, chains, r, tempOutput);
    }

    /// <summary>The prompt centred on a w × h picture and, for several stills, "n/N" in its corner; empty without text.</summary>
    private static string TextFilters(ImageRenderRequest r, int index, int w, int h, string? fontFile, string? textFile)
    {
        if (fontFile is null || textFile is null) return "";
        var layout = PreviewRenderer.ComputeTextLayout(w, h);
        var margin = Math.Max(4, h / 48);
        var text = new StringBuilder("drawtext=fontfile=").Append(PreviewRenderer.EscapeFilterValue(fontFile))
            .Append(":textfile=").Append(PreviewRenderer.EscapeFilterValue(textFile))
            .Append(Invariant($":expansion=none:fontsize={layout.FontSize}:fontcolor=white:line_spacing={layout.LineSpacing}"))
            .Append(Invariant($":box=1:boxcolor=black@0.45:boxborderw={layout.BoxBorder}:x=(w-text_w)/2:y=(h-text_h)/2"));
        if (r.OutputPaths.Count > 1)
            text.Append(",drawtext=fontfile=").Append(PreviewRenderer.EscapeFilterValue(fontFile))
                .Append(Invariant($":text={index + 1}/{r.OutputPaths.Count}:fontsize={Math.Max(8, layout.FontSize * 2 / 3)}:fontcolor=white"))
                .Append(Invariant($":box=1:boxcolor=black@0.45:boxborderw={Math.Max(2, layout.BoxBorder / 2)}:x=w-text_w-{margin * 2}:y={margin * 2}"));
        // drawtext's box blends into the alpha plane too; the subject is made fully opaque again afterwards.
        return text.Append(r.Alpha ? ",format=rgb24,format=rgba" : "").ToString();
    }

    private static List<string> Finish(List<string> args, List<string> chains, ImageRenderRequest r, string tempOutput)
    {
        args.AddRange(["-filter_complex", string.Join(';', chains), "-map", "[out]", "-frames:v", "1", "-update", "1"]);
        args.AddRange(r.Format switch
        {
            "jpeg" => ["-c:v", "mjpeg", "-q:v", "3"],
            "webp" => ["-c:v", "libwebp", "-quality", "85"],
            _ => ["-c:v", "png"],
        });
        args.AddRange(["-fflags", "+bitexact", "-flags:v", "+bitexact", "-f", "image2", PreviewRenderer.FileUrl(tempOutput)]);
        return args;
    }

    /// <summary>The upscaler's options as filters: denoise before, then lanczos scaling, adaptive detail, sharpening and grain.</summary>
    internal static string UpscaleFilters(ImageRenderRequest r)
    {
        var filters = new List<string>();
        if (r.Denoise) filters.Add("hqdn3d=4:3:6:4");
        filters.Add($"scale={r.Width}:{r.Height}:flags=lanczos,setsar=1");
        if (r.UltraDetail > 0) filters.Add(Invariant($"cas=strength={Math.Clamp(r.UltraDetail / 100, 0, 1):0.###}"));
        if (r.Sharpen > 0) filters.Add(Invariant($"unsharp=5:5:{Math.Clamp(r.Sharpen / 50, 0, 2):0.###}"));
        if (r.SmartGrain > 0) filters.Add(Invariant($"noise=alls={Math.Clamp((int)Math.Round(r.SmartGrain / 5), 1, 20)}:allf=t"));
        return string.Join(',', filters);
    }

    /// <summary>PNG keeps alpha when asked; JPEG is full-range 4:4:4; WebP 4:2:0 (its lossy mode).</summary>
    private static string PixelFormat(ImageRenderRequest r) => r.Format switch
    {
        "jpeg" => "yuvj444p",
        "webp" => "yuv420p",
        _ => r.Alpha ? "rgba" : "rgb24",
    };

    /// <summary>The picture's size: the whole image, or on a transparent canvas the 70 % subject in its middle.</summary>
    private static (int W, int H) PictureSize(ImageRenderRequest r) => r.Alpha ? (Even(r.Width * 0.7), Even(r.Height * 0.7)) : (r.Width, r.Height);

    private static async Task<bool> WriteTextAsync(ImageRenderRequest r, string textFile, CancellationToken cancellationToken)
    {
        var (w, h) = PictureSize(r);
        var layout = PreviewRenderer.ComputeTextLayout(w, h);
        var lines = PreviewRenderer.WrapPrompt(r.PromptText, layout.CharsPerLine, Math.Max(1, layout.MaxLines - 2));
        if (lines.Count == 0) return false;
        await File.WriteAllTextAsync(textFile, string.Join('\n', lines), new UTF8Encoding(false), cancellationToken);
        return true;
    }

    private static void Validate(ImageRenderRequest r)
    {
        if (r.Width is < PreviewRenderer.MinDimension or > PreviewRenderer.MaxDimension || r.Height is < PreviewRenderer.MinDimension or > PreviewRenderer.MaxDimension)
            throw new ArgumentOutOfRangeException(nameof(r), $"An image is {PreviewRenderer.MinDimension}..{PreviewRenderer.MaxDimension} px a side; got {r.Width}x{r.Height}.");
        if (!Formats.Contains(r.Format)) throw new ArgumentException($"Unknown image format '{r.Format}' (png, jpeg, webp).", nameof(r));
        if (r.OutputPaths.Count is < 1 or > 16) throw new ArgumentException("One to 16 images per render.", nameof(r));
        if (r.Alpha && r.Format != "png") throw new ArgumentException("Only PNG carries an alpha channel.", nameof(r));
        foreach (var path in r.ReferenceImages.Append(r.BackgroundImage).Append(r.UpscaleSource).OfType<string>())
            if (!File.Exists(path)) throw new PreviewRenderException($"Preview image not found: '{path}'.");
    }

    private static int Even(double value) => Math.Max(16, (int)Math.Round(value / 2) * 2);

    /// <summary>A mid-bright colour chosen by the seed, so different seeds (and stills) give visibly different images.</summary>
    private static string Colour(long seed)
    {
        var hash = PreviewRenderer.Mix(seed, 9);
        int Channel(int shift) => 48 + (int)((hash >> shift) & 0xBF);
        return Invariant($"0x{Channel(0):X2}{Channel(8):X2}{Channel(16):X2}");
    }
}
