using static System.FormattableString;

namespace Reelay.Server.Features.Engines.Preview;

/// <summary>
/// One image render: <see cref="OutputPaths"/> gives how many distinct stills to write (outputCount). Each is a
/// seed-chosen gradient (or the first input image, re-coloured per still) at Width × Height with the prompt drawn on
/// it and the reference images as a row of thumbnails; with <see cref="Alpha"/> the picture stands on a transparent
/// canvas (a PNG with alpha). An upscale (<see cref="UpscaleSource"/>) instead scales that image to the size.
/// </summary>
/// <param name="Format">"png", "jpeg" or "webp" (Runway's outputFormat names).</param>
/// <param name="FfmpegPath">Runs upscales only; stills are drawn in-process.</param>
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

/// <summary>
/// Renders <see cref="ImageRenderRequest"/>s (deterministic for a seed). Stills are drawn in-process
/// (<see cref="StillPainter"/>); an upscale runs one ffmpeg process per output (its filters are ffmpeg's).
/// Every file is written to a temporary name beside its output and moved into place when complete.
/// </summary>
public static class ImageRenderer
{
    public static readonly IReadOnlySet<string> Formats = new HashSet<string> { "png", "jpeg", "webp" };

    public static async Task RenderAsync(ImageRenderRequest request, Action<double> progress, CancellationToken cancellationToken)
    {
        Validate(request);
        if (request.UpscaleSource is not null)
        {
            await UpscaleAsync(request, progress, cancellationToken);
            return;
        }
        var typeface = StillText.Typeface;
        using var inputs = StillInputs.Load(request);
        for (var index = 0; index < request.OutputPaths.Count; index++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Straight from the encoder's buffer: ToArray() would copy every encoded still into a managed array first.
            await using var encoded = StillPainter.Paint(request, index, typeface, inputs);
            await WriteAsync(request.OutputPaths[index], async temp =>
            {
                await using var file = File.Create(temp);
                await encoded.CopyToAsync(file, cancellationToken);
            });
            progress((index + 1.0) / request.OutputPaths.Count);
        }
    }

    private static async Task UpscaleAsync(ImageRenderRequest request, Action<double> progress, CancellationToken cancellationToken)
    {
        for (var index = 0; index < request.OutputPaths.Count; index++)
        {
            await WriteAsync(request.OutputPaths[index], async temp =>
            {
                var result = await FfmpegProcess.RunAsync(request.FfmpegPath, BuildUpscaleArguments(request, temp), _ => { }, cancellationToken);
                if (result.ExitCode != 0 || !File.Exists(temp))
                    throw new PreviewRenderException($"ffmpeg could not render image {index + 1} ({result.ExitCode}): {string.Join(" | ", result.StderrTail)}");
            });
            progress((index + 1.0) / request.OutputPaths.Count);
        }
    }

    /// <summary>Has <paramref name="write"/> fill a temporary file beside <paramref name="outputPath"/>, then moves it there.</summary>
    private static async Task WriteAsync(string outputPath, Func<string, Task> write)
    {
        var output = Path.GetFullPath(outputPath);
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        var temp = Path.Combine(Path.GetDirectoryName(output)!, $".{Guid.NewGuid():N}{Path.GetExtension(output)}");
        try
        {
            await write(temp);
            File.Move(temp, output, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>The ffmpeg arguments of an upscale.</summary>
    internal static IReadOnlyList<string> BuildUpscaleArguments(ImageRenderRequest r, string tempOutput)
    {
        var args = new List<string> { "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
            "-f", "image2", "-pattern_type", "none", "-i", PreviewRenderer.FileUrl(r.UpscaleSource!),
            "-filter_complex", $"[0:v]{UpscaleFilters(r)},format={PixelFormat(r)}[out]", "-map", "[out]", "-frames:v", "1", "-update", "1" };
        args.AddRange(EncoderArguments(r.Format, tempOutput));
        return args;
    }

    /// <summary>The ffmpeg arguments that encode one still in <paramref name="format"/> to <paramref name="output"/> (bench/render's baseline uses them too).</summary>
    internal static IReadOnlyList<string> EncoderArguments(string format, string output) =>
    [
        .. format switch
        {
            "jpeg" => new[] { "-c:v", "mjpeg", "-q:v", "3" },
            "webp" => ["-c:v", "libwebp", "-quality", "85"],
            _ => ["-c:v", "png"],
        },
        "-fflags", "+bitexact", "-flags:v", "+bitexact", "-f", "image2", PreviewRenderer.FileUrl(output),
    ];

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

    /// <summary>PNG keeps alpha when asked; JPEG is full-range 4:2:0, as the drawn stills are; WebP 4:2:0 (its lossy mode).</summary>
    internal static string PixelFormat(ImageRenderRequest r) => r.Format switch
    {
        "jpeg" => "yuvj420p",
        "webp" => "yuv420p",
        _ => r.Alpha ? "rgba" : "rgb24",
    };

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
}
