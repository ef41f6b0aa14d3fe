using SkiaSharp;

namespace Reelay.Server.Features.Engines.Preview;

/// <summary>Where things go on a still and which colours a seed picks (shared by the painter and bench/render's baseline).</summary>
internal static class StillLayout
{
    /// <summary>Still <paramref name="index"/>'s own seed, so that every one of outputCount differs.</summary>
    public static long StillSeed(long seed, int index) => (long)(PreviewRenderer.Mix(seed, 100 + (ulong)index) & 0xFFFFFFFF);

    /// <summary>The picture's size: the whole image, or on a transparent canvas the 70 % subject in its middle.</summary>
    public static (int W, int H) PictureSize(ImageRenderRequest r) =>
        r.Alpha ? (Even(r.Width * 0.7), Even(r.Height * 0.7)) : (r.Width, r.Height);

    /// <summary>The reference thumbnails' height (without their 2 px white border).</summary>
    public static int ThumbnailHeight(ImageRenderRequest r) => Even(Math.Max(16, r.Height / 6.0));

    /// <summary>The gap between thumbnails and to the image's edge, and the corner counter's inset.</summary>
    public static int Margin(int height) => Math.Max(4, height / 48);

    /// <summary>The prompt's lines for a w × h picture (two lines fewer than a video frame's: room for the thumbnails).</summary>
    public static IReadOnlyList<string> PromptLines(string? prompt, int w, int h)
    {
        var layout = PreviewRenderer.ComputeTextLayout(w, h);
        return PreviewRenderer.WrapPrompt(prompt, layout.CharsPerLine, Math.Max(1, layout.MaxLines - 2));
    }

    public static int Even(double value) => Math.Max(16, (int)Math.Round(value / 2) * 2);

    /// <summary>A mid-bright colour chosen by the seed, so different seeds (and stills) give visibly different images.</summary>
    public static SKColor Colour(long seed)
    {
        var hash = PreviewRenderer.Mix(seed, 9);
        byte Channel(int shift) => (byte)(48 + (int)((hash >> shift) & 0xBF));
        return new SKColor(Channel(0), Channel(8), Channel(16));
    }
}
