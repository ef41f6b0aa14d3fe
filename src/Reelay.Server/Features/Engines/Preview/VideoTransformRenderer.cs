using System.Globalization;
using static System.FormattableString;

namespace Reelay.Server.Features.Engines.Preview;

/// <summary>
/// A video made from input video(s) rather than from scratch: an upscale (the source scaled to Width × Height, the
/// upscaler's options as filters), a re-time (<see cref="FrameRate"/>, frames interpolated by blending), or a
/// character performance (<see cref="CharacterPath"/> driven by <see cref="SourcePath"/>, the reference: its motion
/// drawn over the character and the reference itself picture-in-picture). H.264 MP4, the source's audio kept.
/// </summary>
public sealed record VideoTransformRequest(int Width, int Height, double DurationSeconds, string SourcePath, string OutputPath, string FfmpegPath = "ffmpeg")
{
    /// <summary>The output frame rate; null keeps the source's (upscale) or 24 (character performance).</summary>
    public double? FrameRate { get; init; }

    /// <summary>Character performance: the character's image or video; the source is then the reference performance.</summary>
    public string? CharacterPath { get; init; }
    public bool CharacterIsVideo { get; init; }

    /// <summary>1–5: how strongly the reference's motion shows on the character.</summary>
    public int ExpressionIntensity { get; init; } = 3;

    /// <summary>Upscale options, 0–100 each, and the vivid flavour (more saturation and contrast).</summary>
    public double Sharpen { get; init; }
    public double SmartGrain { get; init; }
    public double Creativity { get; init; }
    public bool Vivid { get; init; }
}

public static class VideoTransformRenderer
{
    public static async Task RenderAsync(VideoTransformRequest request, Action<double> progress, CancellationToken cancellationToken)
    {
        if (request.Width is < PreviewRenderer.MinDimension or > PreviewRenderer.MaxDimension || request.Height is < PreviewRenderer.MinDimension or > PreviewRenderer.MaxDimension
            || request.Width % 2 != 0 || request.Height % 2 != 0)
            throw new ArgumentOutOfRangeException(nameof(request), $"Even sides of {PreviewRenderer.MinDimension}..{PreviewRenderer.MaxDimension} px; got {request.Width}x{request.Height}.");
        if (!(request.DurationSeconds is >= PreviewRenderer.MinDurationSeconds and <= PreviewRenderer.MaxDurationSeconds))
            throw new ArgumentOutOfRangeException(nameof(request), $"Duration must be within {PreviewRenderer.MinDurationSeconds}..{PreviewRenderer.MaxDurationSeconds} s.");
        foreach (var path in new[] { request.SourcePath, request.CharacterPath }.OfType<string>())
            if (!File.Exists(path)) throw new PreviewRenderException($"Preview input not found: '{path}'.");
        var output = Path.GetFullPath(request.OutputPath);
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        var temp = Path.Combine(Path.GetDirectoryName(output)!, $".{Path.GetFileName(output)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var total = request.DurationSeconds * 1_000_000;
            var result = await FfmpegProcess.RunAsync(request.FfmpegPath, BuildArguments(request, temp),
                line => { if (PreviewRenderer.TryParseProgress(line, total, out var value)) progress(value); }, cancellationToken);
            if (result.ExitCode != 0 || !File.Exists(temp))
                throw new PreviewRenderException($"ffmpeg exited with code {result.ExitCode}:\n{string.Join('\n', result.StderrTail)}");
            File.Move(temp, output, overwrite: true);
            progress(1);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>The ffmpeg arguments (pure; tests read them).</summary>
    public static IReadOnlyList<string> BuildArguments(VideoTransformRequest r, string tempOutput)
    {
        var args = new List<string> { "-hide_banner", "-nostdin", "-nostats", "-loglevel", "error", "-progress", "pipe:1", "-y" };
        string graph, audio;
        if (r.CharacterPath is not null)
        {
            if (r.CharacterIsVideo) args.AddRange(["-stream_loop", "-1", "-i", PreviewRenderer.FileUrl(r.CharacterPath)]);
            else args.AddRange(["-f", "image2", "-pattern_type", "none", "-framerate", "24", "-i", PreviewRenderer.FileUrl(r.CharacterPath)]);
            args.AddRange(["-i", PreviewRenderer.FileUrl(r.SourcePath)]);
            graph = CharacterGraph(r);
            audio = "1:a:0?";
        }
        else
        {
            // Looped, so a source a little shorter than the planned length still fills it.
            args.AddRange(["-stream_loop", "-1", "-i", PreviewRenderer.FileUrl(r.SourcePath)]);
            graph = "[0:v]" + UpscaleFilters(r) + ",format=yuv420p[v]";
            audio = "0:a:0?";
        }
        var seconds = PreviewRenderer.Num(r.DurationSeconds);
        args.AddRange(["-filter_complex", graph, "-map", "[v]", "-map", audio, "-t", seconds]);
        if (r.FrameRate is { } fps || r.CharacterPath is not null) args.AddRange(["-r", Rate(r.FrameRate ?? 24)]);
        args.AddRange(["-c:v", "libx264", "-preset", PreviewRenderer.H264Preset, "-crf", "26", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k",
            "-movflags", "+faststart", "-fflags", "+bitexact", "-flags:v", "+bitexact", "-map_metadata", "-1", "-f", "mp4", PreviewRenderer.FileUrl(tempOutput)]);
        return args;
    }

    /// <summary>Re-timing first (at the source size, cheaper), then lanczos scaling and the options; vivid adds saturation and contrast.</summary>
    internal static string UpscaleFilters(VideoTransformRequest r)
    {
        var filters = new List<string>();
        if (r.FrameRate is { } fps) filters.Add($"framerate=fps={Rate(fps)}");
        filters.Add($"scale={r.Width}:{r.Height}:flags=lanczos,setsar=1");
        if (r.Vivid) filters.Add("eq=saturation=1.3:contrast=1.05");
        if (r.Creativity > 0) filters.Add(Invariant($"cas=strength={Math.Clamp(r.Creativity / 100, 0, 1):0.###}"));
        if (r.Sharpen > 0) filters.Add(Invariant($"unsharp=5:5:{Math.Clamp(r.Sharpen / 50, 0, 2):0.###}"));
        if (r.SmartGrain > 0) filters.Add(Invariant($"noise=alls={Math.Clamp((int)Math.Round(r.SmartGrain / 5), 1, 20)}:allf=t"));
        return string.Join(',', filters);
    }

    /// <summary>
    /// The character fills the frame (a still repeated, or its video looped); the reference's frame-to-frame difference
    /// — where it moves — glows over it, stronger with the expression intensity; the reference plays in a corner.
    /// </summary>
    private static string CharacterGraph(VideoTransformRequest r)
    {
        int w = r.Width, h = r.Height;
        var cover = Invariant($"scale={w}:{h}:force_original_aspect_ratio=increase,crop={w}:{h},setsar=1");
        var character = r.CharacterIsVideo
            ? $"[0:v]{cover},fps=24,format=yuva420p[char]"
            : $"[0:v]{cover},format=yuva420p,loop=loop=-1:size=1:start=0,settb=expr=1/24,setpts=N[char]";
        var gain = 2 + 2 * Math.Clamp(r.ExpressionIntensity, 1, 5);
        var pipWidth = Math.Max(32, w / 4 / 2 * 2);
        var margin = Math.Max(4, h / 40);
        return string.Join(';',
            character,
            $"[1:v]{cover},fps=24,format=yuv420p,split[ref][pipsrc]",
            Invariant($"[ref]tblend=all_mode=difference,format=gray,lut=c0='min(255,val*{gain})'[mask]"),
            Invariant($"color=c=0x00e5ff:s={w}x{h}:r=24[tint]"),
            "[tint][mask]alphamerge[glow]",
            "[char][glow]overlay=format=auto:shortest=1[driven]",
            Invariant($"[pipsrc]scale={pipWidth}:-2,pad=iw+6:ih+6:3:3:color=white[pip]"),
            Invariant($"[driven][pip]overlay=x=W-w-{margin}:y=H-h-{margin}:shortest=1,format=yuv420p[v]"));
    }

    /// <summary>A frame rate as ffmpeg reads it exactly: 23.976… as 24000/1001.</summary>
    internal static string Rate(double fps)
    {
        foreach (var nominal in new[] { 24, 30, 60 })
            if (Math.Abs(fps - nominal * 1000.0 / 1001) < 0.001) return Invariant($"{nominal * 1000}/1001");
        return fps.ToString("0.###", CultureInfo.InvariantCulture);
    }
}
