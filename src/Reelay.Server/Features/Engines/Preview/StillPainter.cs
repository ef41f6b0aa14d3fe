using SkiaSharp;

namespace Reelay.Server.Features.Engines.Preview;

/// <summary>
/// Draws one still in-process with SkiaSharp and encodes it. One ffmpeg process per still cost its start-up (about
/// 100 ms on the 2-core machine) before any pixel; drawing here costs only the pixels. Deterministic for a seed: the
/// same request and index give the same bytes with the same Skia build.
/// </summary>
internal static class StillPainter
{
    private static readonly SKSamplingOptions Smooth = new(SKFilterMode.Linear, SKMipmapMode.Linear);

    /// <summary>Still <paramref name="index"/> of <paramref name="r"/>, encoded in its format: a stream the caller disposes.</summary>
    public static Stream Paint(ImageRenderRequest r, int index, SKTypeface? typeface, StillInputs inputs)
    {
        var seed = StillLayout.StillSeed(r.Seed, index);
        var info = new SKImageInfo(r.Width, r.Height, SKColorType.Rgba8888, r.Alpha ? SKAlphaType.Premul : SKAlphaType.Opaque);
        using var surface = SKSurface.Create(info) ?? throw new PreviewRenderException($"Could not allocate a {r.Width}x{r.Height} still.");
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.Transparent);
        var (w, h) = StillLayout.PictureSize(r);
        // On a transparent canvas the subject (its text included) stands opaque in the middle; the corners stay clear.
        canvas.Save();
        canvas.Translate((r.Width - w) / 2, (r.Height - h) / 2);
        canvas.ClipRect(SKRect.Create(w, h));
        if (inputs.Background is { } background) DrawRecoloured(canvas, background, w, h, seed);
        else DrawGradient(canvas, w, h, seed);
        if (typeface is not null) StillText.Draw(canvas, r, index, w, h, typeface);
        canvas.Restore();
        DrawThumbnails(canvas, r, inputs.References);
        using var image = surface.Snapshot();
        if (r.Format == "webp") return WebpStill.Encode(image);
        using var pixels = image.PeekPixels();
        var data = Encode(pixels, r.Format) ?? throw new PreviewRenderException($"Could not encode still {index + 1} as {r.Format}.");
        return data.AsStream(streamDisposesData: true);
    }

    /// <summary>Three seed-chosen colours along a seed-chosen direction across the picture.</summary>
    private static void DrawGradient(SKCanvas canvas, int w, int h, long seed)
    {
        var angle = PreviewRenderer.Mix(seed, 3) % 360 * Math.PI / 180;
        var reach = (float)(Math.Abs(Math.Cos(angle)) * w + Math.Abs(Math.Sin(angle)) * h) / 2;
        var (dx, dy) = ((float)Math.Cos(angle) * reach, (float)Math.Sin(angle) * reach);
        var centre = new SKPoint(w / 2f, h / 2f);
        using var shader = SKShader.CreateLinearGradient(new SKPoint(centre.X - dx, centre.Y - dy), new SKPoint(centre.X + dx, centre.Y + dy),
            [StillLayout.Colour(seed), StillLayout.Colour(seed + 1), StillLayout.Colour(seed + 2)], null, SKShaderTileMode.Clamp);
        using var paint = new SKPaint { Shader = shader };
        canvas.DrawRect(SKRect.Create(w, h), paint);
    }

    /// <summary>An edit's input covering the picture (scaled up or down, centre-cropped), its hue turned by the still's seed.</summary>
    private static void DrawRecoloured(SKCanvas canvas, SKImage image, int w, int h, long seed)
    {
        var scale = Math.Max((float)w / image.Width, (float)h / image.Height);
        var (cropW, cropH) = (w / scale, h / scale);
        var source = SKRect.Create((image.Width - cropW) / 2, (image.Height - cropH) / 2, cropW, cropH);
        using var filter = SKColorFilter.CreateColorMatrix(HueSaturation(seed % 360, 1.2f));
        using var paint = new SKPaint { ColorFilter = filter };
        canvas.DrawImage(image, source, SKRect.Create(w, h), Smooth, paint);
    }

    /// <summary>The reference images in a row along the bottom edge, each in a 2 px white frame.</summary>
    private static void DrawThumbnails(SKCanvas canvas, ImageRenderRequest r, IReadOnlyList<SKImage> references)
    {
        var thumbHeight = StillLayout.ThumbnailHeight(r);
        var margin = StillLayout.Margin(r.Height);
        var x = margin;
        using var frame = new SKPaint { Color = SKColors.White };
        foreach (var image in references)
        {
            var thumbWidth = Math.Max(2, (int)Math.Round(image.Width * (double)thumbHeight / image.Height / 2) * 2);
            var y = r.Height - thumbHeight - 4 - margin;
            canvas.DrawRect(SKRect.Create(x, y, thumbWidth + 4, thumbHeight + 4), frame);
            canvas.DrawImage(image, SKRect.Create(x + 2, y + 2, thumbWidth, thumbHeight), Smooth);
            x += thumbWidth + 4 + margin;
        }
    }

    /// <summary>
    /// PNG keeps alpha only when the canvas is transparent (RGB otherwise), with the Sub filter and zlib level 3 (its
    /// fast matcher): 12–63 % of the encode time of all filters at level 6 (scratch timings, 1280x720 stills), for
    /// files 27–34 % larger. JPEG quality 90 at 4:2:0: a 4:4:4 encode took 95 ms for 1920x1080 against 72 (bench/render),
    /// over the 100 ms an image on a loaded machine. WebP: <see cref="WebpStill"/>.
    /// </summary>
    private static SKData? Encode(SKPixmap pixels, string format) => format switch
    {
        "jpeg" => pixels.Encode(new SKJpegEncoderOptions(90, SKJpegEncoderDownsample.Downsample420, SKJpegEncoderAlphaOption.Ignore)),
        _ => pixels.Encode(new SKPngEncoderOptions(SKPngEncoderFilterFlags.Sub, 3)),
    };

    /// <summary>A colour matrix turning hue by <paramref name="degrees"/> (luminance kept) and scaling saturation, as ffmpeg's hue filter did.</summary>
    internal static float[] HueSaturation(double degrees, float saturation)
    {
        var (cos, sin) = ((float)Math.Cos(degrees * Math.PI / 180), (float)Math.Sin(degrees * Math.PI / 180));
        float[,] hue =
        {
            { 0.213f + cos * 0.787f - sin * 0.213f, 0.715f - cos * 0.715f - sin * 0.715f, 0.072f - cos * 0.072f + sin * 0.928f },
            { 0.213f - cos * 0.213f + sin * 0.143f, 0.715f + cos * 0.285f + sin * 0.140f, 0.072f - cos * 0.072f - sin * 0.283f },
            { 0.213f - cos * 0.213f - sin * 0.787f, 0.715f - cos * 0.715f + sin * 0.715f, 0.072f + cos * 0.928f + sin * 0.072f },
        };
        var s = saturation;
        float[,] saturate =
        {
            { 0.213f + 0.787f * s, 0.715f - 0.715f * s, 0.072f - 0.072f * s },
            { 0.213f - 0.213f * s, 0.715f + 0.285f * s, 0.072f - 0.072f * s },
            { 0.213f - 0.213f * s, 0.715f - 0.715f * s, 0.072f + 0.928f * s },
        };
        var matrix = new float[20];
        for (var row = 0; row < 3; row++)
            for (var col = 0; col < 3; col++)
                for (var k = 0; k < 3; k++)
                    matrix[row * 5 + col] += saturate[row, k] * hue[k, col];
        matrix[18] = 1; // alpha unchanged
        return matrix;
    }
}
