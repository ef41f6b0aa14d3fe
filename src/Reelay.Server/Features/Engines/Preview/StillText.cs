using System.Globalization;
using SkiaSharp;

namespace Reelay.Server.Features.Engines.Preview;

/// <summary>The prompt on a still, as drawtext drew it: white, centred in a translucent black box, and "n/N" in the corner.</summary>
internal static class StillText
{
    private static readonly SKColor Box = new(0, 0, 0, 115); // black at 45 %

    /// <summary>
    /// The first DejaVu Sans of <see cref="PreviewRenderer.FindFontFile"/>, or null: then no text is drawn. Loaded once
    /// per process and shared (a Skia typeface is immutable and safe across threads): one loaded per render kept its
    /// own mapping of the font file after disposal — 37 mappings after 2 minutes of bench/memory's mixed load.
    /// </summary>
    public static SKTypeface? Typeface => Shared.Value;

    private static readonly Lazy<SKTypeface?> Shared =
        new(() => PreviewRenderer.FindFontFile() is { } file ? SKTypeface.FromFile(file) : null);

    public static void Draw(SKCanvas canvas, ImageRenderRequest r, int index, int w, int h, SKTypeface typeface)
    {
        var layout = PreviewRenderer.ComputeTextLayout(w, h);
        var lines = StillLayout.PromptLines(r.PromptText, w, h);
        if (lines.Count == 0) return;
        using var font = new SKFont(typeface, layout.FontSize) { Edging = SKFontEdging.Antialias };
        var block = Measure(font, lines, layout.LineSpacing);
        DrawBlock(canvas, font, lines, layout.LineSpacing, layout.BoxBorder, block, (w - block.W) / 2, (h - block.H) / 2);
        if (r.OutputPaths.Count < 2) return;
        var margin = StillLayout.Margin(h);
        using var small = new SKFont(typeface, Math.Max(8, layout.FontSize * 2 / 3)) { Edging = SKFontEdging.Antialias };
        string[] counter = [string.Create(CultureInfo.InvariantCulture, $"{index + 1}/{r.OutputPaths.Count}")];
        var counterBlock = Measure(small, counter, 0);
        DrawBlock(canvas, small, counter, 0, Math.Max(2, layout.BoxBorder / 2), counterBlock, w - counterBlock.W - margin * 2, margin * 2);
    }

    /// <summary>The block's width (its longest line) and height (every line's ascent to descent, plus the spacing between).</summary>
    private static (float W, float H) Measure(SKFont font, IReadOnlyList<string> lines, int lineSpacing)
    {
        var width = lines.Max(line => font.MeasureText(line));
        return (width, lines.Count * LineHeight(font) + (lines.Count - 1) * lineSpacing);
    }

    /// <summary>
    /// Lines left-aligned from (x, y), the top-left of the text, over one box <paramref name="border"/> px wider on each
    /// side; <paramref name="size"/> is the block's <see cref="Measure"/>, which placed it.
    /// </summary>
    private static void DrawBlock(SKCanvas canvas, SKFont font, IReadOnlyList<string> lines, int lineSpacing, int border, (float W, float H) size, float x, float y)
    {
        var (width, height) = size;
        using var box = new SKPaint { Color = Box };
        canvas.DrawRect(SKRect.Create(x - border, y - border, width + 2 * border, height + 2 * border), box);
        using var ink = new SKPaint { Color = SKColors.White, IsAntialias = true };
        var ascent = -font.Metrics.Ascent;
        for (var i = 0; i < lines.Count; i++)
            canvas.DrawText(lines[i], x, y + ascent + i * (LineHeight(font) + lineSpacing), SKTextAlign.Left, font, ink);
    }

    private static float LineHeight(SKFont font) => font.Metrics.Descent - font.Metrics.Ascent;
}
