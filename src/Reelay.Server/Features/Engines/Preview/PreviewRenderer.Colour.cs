using System.Globalization;
using System.Text;

namespace Reelay.Server.Features.Engines.Preview;

// The colour conversion for the HDR and linear formats, as a 3D LUT that ffmpeg's built-in lut3d applies (no zimg
// needed). The render itself is SDR, so the LUT places it in the target space the way BT.2408 suggests: decode
// BT.1886 (gamma 2.4), convert the primaries, then encode with reference white at 203 cd/m² (PQ), at 75 % signal
// (HLG) or at 1.0 (linear). It is a faithful mapping of an SDR picture, not an HDR grade.
public static partial class PreviewRenderer
{
    /// <summary>BT.2408 reference (graphics) white for PQ, in cd/m².</summary>
    internal const double PqReferenceWhiteNits = 203;

    /// <summary>33 points per axis, the usual grading-LUT size: input and output are both perceptual, so it is smooth.</summary>
    private const int LutSize = 33;

    // Linear BT.709 → BT.2020 (BT.2087), and BT.709 (D65) → ACEScg AP1 (D60, Bradford-adapted).
    private static readonly double[] Bt709ToBt2020 =
        [0.627404, 0.329283, 0.043313, 0.069097, 0.919540, 0.011362, 0.016391, 0.088013, 0.895595];

    private static readonly double[] Bt709ToAp1 =
        [0.613097, 0.339523, 0.047379, 0.070194, 0.916354, 0.013452, 0.020616, 0.109570, 0.869815];

    /// <summary>CIE xy of red, green, blue and white, in the order of the OpenEXR chromaticities attribute.</summary>
    internal static float[] Chromaticities(PreviewColour colour) => colour switch
    {
        PreviewColour.LinearAcesCg => [0.713f, 0.293f, 0.165f, 0.830f, 0.128f, 0.044f, 0.32168f, 0.33767f],
        PreviewColour.Pq or PreviewColour.Hlg => [0.708f, 0.292f, 0.170f, 0.797f, 0.131f, 0.046f, 0.3127f, 0.3290f],
        _ => [0.640f, 0.330f, 0.300f, 0.600f, 0.150f, 0.060f, 0.3127f, 0.3290f],
    };

    /// <summary>The .cube text for <paramref name="colour"/> (red varies fastest, as the format and lut3d expect).</summary>
    internal static string CubeLut(PreviewColour colour)
    {
        var text = new StringBuilder(LutSize * LutSize * LutSize * 28);
        text.Append("# Reelay preview: SDR BT.709 / BT.1886 to ").Append(colour).Append('\n');
        text.Append(CultureInfo.InvariantCulture, $"LUT_3D_SIZE {LutSize}\n");
        for (var b = 0; b < LutSize; b++)
        {
            for (var g = 0; g < LutSize; g++)
            {
                for (var r = 0; r < LutSize; r++)
                {
                    var (x, y, z) = MapColour(colour, (double)r / (LutSize - 1), (double)g / (LutSize - 1), (double)b / (LutSize - 1));
                    text.Append(CultureInfo.InvariantCulture, $"{x:0.######} {y:0.######} {z:0.######}\n");
                }
            }
        }

        return text.ToString();
    }

    /// <summary>One SDR signal value (0..1 per channel) in the target encoding.</summary>
    internal static (double R, double G, double B) MapColour(PreviewColour colour, double r, double g, double b)
    {
        // BT.1886 with a zero black level: display light relative to SDR white.
        var (lr, lg, lb) = (Math.Pow(r, 2.4), Math.Pow(g, 2.4), Math.Pow(b, 2.4));
        switch (colour)
        {
            case PreviewColour.LinearBt709:
                return (lr, lg, lb);
            case PreviewColour.LinearAcesCg:
                return Multiply(Bt709ToAp1, lr, lg, lb);
            case PreviewColour.Pq:
                var (pr, pg, pb) = Multiply(Bt709ToBt2020, lr, lg, lb);
                var scale = PqReferenceWhiteNits / 10000;
                return (PqEncode(pr * scale), PqEncode(pg * scale), PqEncode(pb * scale));
            case PreviewColour.Hlg:
                var (hr, hg, hb) = Multiply(Bt709ToBt2020, lr, lg, lb);
                var white = HlgReferenceWhite();
                return (HlgEncode(hr * white), HlgEncode(hg * white), HlgEncode(hb * white));
            default:
                return (r, g, b);
        }
    }

    /// <summary>SMPTE ST 2084 inverse EOTF; <paramref name="y"/> is luminance / 10000 cd/m².</summary>
    internal static double PqEncode(double y)
    {
        const double m1 = 2610.0 / 16384, m2 = 2523.0 / 4096 * 128;
        const double c1 = 3424.0 / 4096, c2 = 2413.0 / 4096 * 32, c3 = 2392.0 / 4096 * 32;
        var p = Math.Pow(Math.Clamp(y, 0, 1), m1);
        return Math.Pow((c1 + c2 * p) / (1 + c3 * p), m2);
    }

    /// <summary>ARIB STD-B67 (BT.2100 HLG) OETF of normalised scene light.</summary>
    internal static double HlgEncode(double e)
    {
        e = Math.Clamp(e, 0, 1);
        return e <= 1.0 / 12 ? Math.Sqrt(3 * e) : HlgA * Math.Log(12 * e - HlgB) + HlgC;
    }

    private const double HlgA = 0.17883277;
    private const double HlgB = 1 - 4 * HlgA;
    private static readonly double HlgC = 0.5 - HlgA * Math.Log(4 * HlgA);

    /// <summary>The scene light that HLG encodes at 75 % (BT.2408 reference white), ~0.265.</summary>
    private static double HlgReferenceWhite() => (Math.Exp((0.75 - HlgC) / HlgA) + HlgB) / 12;

    private static (double, double, double) Multiply(double[] m, double r, double g, double b)
        => (Math.Max(0, m[0] * r + m[1] * g + m[2] * b),
            Math.Max(0, m[3] * r + m[4] * g + m[5] * b),
            Math.Max(0, m[6] * r + m[7] * g + m[8] * b));
}
