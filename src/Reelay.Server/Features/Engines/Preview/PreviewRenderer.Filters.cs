using System.Text;
using static System.FormattableString;

namespace Reelay.Server.Features.Engines.Preview;

// The ffmpeg filter graphs and sources: the camera move over an image, the animated gradient and the text overlay,
// each chosen deterministically from the request seed.
public static partial class PreviewRenderer
{
    /// <summary>How much bigger than the frame the image is scaled for pans, and how far zooms travel.</summary>
    private const double Overscan = 0.15;

    private static readonly string[] CameraMoves = ["pan-right", "pan-left", "pan-down", "pan-up", "zoom-in", "zoom-out"];

    // Background colours for text-to-video; three distinct ones are picked per seed.
    private static readonly string[] Palette =
    [
        "0x1f3b73", "0xc2185b", "0xff8f00", "0x00897b", "0x5e35b1", "0x3949ab",
        "0xd84315", "0x2e7d32", "0x6a1b9a", "0x00838f", "0xf9a825", "0x37474f",
    ];

    private static readonly string[] GradientTypes = ["linear", "circular"];

    /// <summary>The camera move for image-to-video, chosen deterministically from <paramref name="seed"/>.</summary>
    public static string CameraMove(long seed) => CameraMoves[(int)(Mix(seed, 1) % (ulong)CameraMoves.Length)];

    /// <summary>
    /// Escapes a value for a filter option inside a filtergraph string: first for the option parser
    /// (<c>\ ' :</c>), then the result for the filtergraph parser (<c>\ ' [ ] , ;</c>).
    /// </summary>
    internal static string EscapeFilterValue(string value)
        => BackslashEscape(BackslashEscape(value, "\\':"), "\\'[],;");

    private static string ImageFilterGraph(PreviewRenderRequest r, WorkFormat work)
    {
        int w = r.Width, h = r.Height;
        var d = Num(RenderedSeconds(r));
        var coverW = EvenCeiling(w * (1 + Overscan));
        var coverH = EvenCeiling(h * (1 + Overscan));
        var zoom = Num(Overscan);

        // No chroma subsampling while moving (yuv444p or gbrp): crop offsets are not rounded to chroma steps, so pans
        // move in 1 px steps.
        var head = Invariant(
            $"[0:v]scale=w={coverW}:h={coverH}:force_original_aspect_ratio=increase:flags=lanczos,format={work.Motion},setsar=1,") +
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

        return head + move + $",setsar=1,format={work.Picture}[base]";
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
            $"gradients=s={gw}x{gh}:r={FramesPerSecond}:d={Num(RenderedSeconds(r))}:c0={c0}:c1={c1}:c2={c2}:n=3:") +
            Invariant($"x0={x0}:y0={y0}:x1={x1}:y1={y1}:speed={speed:0.#####}:type={type}:seed={gradientSeed}");
    }

    private static string TextFilterGraph(PreviewRenderRequest r, string? fontFile, string? textFile, WorkFormat work)
    {
        var graph = new StringBuilder(Invariant($"[0:v]scale=w={r.Width}:h={r.Height}:flags=bilinear,format={work.Picture},setsar=1"));
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

        return graph.Append("[base]").ToString();
    }

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

    /// <summary>SplitMix64 of (seed, stream): independent deterministic choices from one seed.</summary>
    internal static ulong Mix(long seed, ulong stream)
    {
        unchecked
        {
            var z = (ulong)seed + 0x9E3779B97F4A7C15UL * (stream + 1);
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }
}
