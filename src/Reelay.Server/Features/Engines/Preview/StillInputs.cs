using Reelay.Server.Features.Assets;
using SkiaSharp;

namespace Reelay.Server.Features.Engines.Preview;

/// <summary>
/// The input pictures of one image render, decoded once for all of its stills: the edit's background and the
/// reference thumbnails. Each is decoded no larger than the codec allows above the size it is drawn at.
/// </summary>
internal sealed class StillInputs : IDisposable
{
    private StillInputs(SKImage? background, IReadOnlyList<SKImage> references) => (Background, References) = (background, references);

    public SKImage? Background { get; }

    public IReadOnlyList<SKImage> References { get; }

    public static StillInputs Load(ImageRenderRequest r)
    {
        SKImage? background = null;
        var references = new List<SKImage>();
        try
        {
            var (w, h) = StillLayout.PictureSize(r);
            if (r.BackgroundImage is not null) background = Decode(r.BackgroundImage, w, h);
            var thumb = StillLayout.ThumbnailHeight(r);
            foreach (var path in r.ReferenceImages.Take(PreviewRenderer.MaxReferenceImages))
                references.Add(Decode(path, 1, thumb));
            return new StillInputs(background, references);
        }
        catch
        {
            background?.Dispose();
            references.ForEach(i => i.Dispose());
            throw;
        }
    }

    /// <summary>
    /// Decodes <paramref name="path"/> after checking the size its header states, so a crafted file cannot make the
    /// worker allocate for a huge picture: sides over <see cref="AssetRules.MaxSidePixels"/> (which intake already
    /// refuses) fail the render. Where the codec decodes scaled (JPEG in eighths, WebP), it decodes at the smallest
    /// size still covering <paramref name="minWidth"/> × <paramref name="minHeight"/>.
    /// </summary>
    internal static SKImage Decode(string path, int minWidth, int minHeight)
    {
        var name = Path.GetFileName(path);
        using var codec = SKCodec.Create(path, out var opened)
            ?? throw new PreviewRenderException($"Preview image '{name}' is not a readable PNG, JPEG or WebP ({opened}).");
        var (width, height) = (codec.Info.Width, codec.Info.Height);
        if (width <= 0 || height <= 0 || width > AssetRules.MaxSidePixels || height > AssetRules.MaxSidePixels)
            throw new PreviewRenderException($"Preview image '{name}' is {width}x{height}: a side must be 1..{AssetRules.MaxSidePixels} px.");
        var scale = Math.Min(1f, Math.Max((float)minWidth / width, (float)minHeight / height));
        var scaled = codec.GetScaledDimensions(scale);
        if (scaled.Width < minWidth || scaled.Height < minHeight || scaled.Width <= 0 || scaled.Height <= 0)
            scaled = new SKSizeI(width, height);
        var info = new SKImageInfo(scaled.Width, scaled.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var bitmap = new SKBitmap(info);
        // A truncated file keeps what was decoded (the rest is blank), as ffmpeg's decoders did.
        var decoded = codec.GetPixels(info, bitmap.GetPixels());
        if (decoded is not (SKCodecResult.Success or SKCodecResult.IncompleteInput))
            throw new PreviewRenderException($"Preview image '{name}' could not be decoded ({decoded}).");
        bitmap.SetImmutable();
        return SKImage.FromBitmap(bitmap);
    }

    public void Dispose()
    {
        Background?.Dispose();
        foreach (var image in References) image.Dispose();
    }
}
