using System.Text;
using Reelay.Server.Features.Engines.Preview;
using static System.FormattableString;

namespace Reelay.Bench.Render;

/// <summary>
/// The baseline of the image rows: how the preview engine rendered a still before it drew them in-process (one ffmpeg
/// process per still, the same picture: gradient, prompt in its box, "n/N" counter). Kept here, not in the server,
/// so the bench can measure the old way and the new one in the same run.
/// </summary>
public static class FfmpegStill
{
    /// <summary>Writes the prompt file and runs one ffmpeg process for still 0 of <paramref name="r"/>, as the old renderer did.</summary>
    public static async Task RenderAsync(ImageRenderRequest r, string? font, string root)
    {
        var textFile = Path.Combine(root, "ffmpeg-still.txt");
        var lines = StillLayout.PromptLines(r.PromptText, r.Width, r.Height);
        var hasText = font is not null && lines.Count > 0;
        if (hasText) await File.WriteAllTextAsync(textFile, string.Join('\n', lines), new UTF8Encoding(false));
        var output = Path.Combine(root, ".ffmpeg-still" + Path.GetExtension(r.OutputPaths[0]));
        await Bare.RunAsync(Arguments(r, output, hasText ? font : null, textFile));
        File.Move(output, Path.Combine(root, "ffmpeg-still" + Path.GetExtension(output)), overwrite: true);
    }

    /// <summary>The old renderer's arguments for a gradient still without alpha or references (what the bench renders).</summary>
    private static List<string> Arguments(ImageRenderRequest r, string output, string? font, string textFile)
    {
        var seed = StillLayout.StillSeed(r.Seed, 0);
        var (w, h) = (r.Width, r.Height);
        var gradient = Invariant($"gradients=s={Math.Max(16, w / 4)}x{Math.Max(16, h / 4)}:c0={Hex(seed)}:c1={Hex(seed + 1)}:c2={Hex(seed + 2)}:n=3:seed={seed}:d=1:r=1");
        var chain = Invariant($"[0:v]scale={w}:{h}:flags=bicubic,setsar=1,format=rgba");
        if (font is not null)
        {
            var layout = PreviewRenderer.ComputeTextLayout(w, h);
            chain += ",drawtext=fontfile=" + PreviewRenderer.EscapeFilterValue(font) + ":textfile=" + PreviewRenderer.EscapeFilterValue(textFile)
                     + Invariant($":expansion=none:fontsize={layout.FontSize}:fontcolor=white:line_spacing={layout.LineSpacing}")
                     + Invariant($":box=1:boxcolor=black@0.45:boxborderw={layout.BoxBorder}:x=(w-text_w)/2:y=(h-text_h)/2");
        }
        List<string> args = ["-hide_banner", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i", gradient,
            "-filter_complex", $"{chain},format={ImageRenderer.PixelFormat(r)}[out]", "-map", "[out]", "-frames:v", "1", "-update", "1"];
        args.AddRange(ImageRenderer.EncoderArguments(r.Format, output));
        return args;
    }

    private static string Hex(long seed)
    {
        var c = StillLayout.Colour(seed);
        return Invariant($"0x{c.Red:X2}{c.Green:X2}{c.Blue:X2}");
    }
}
