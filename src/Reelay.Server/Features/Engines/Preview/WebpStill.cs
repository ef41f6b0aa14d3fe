using System.Runtime.InteropServices;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.PixelFormats;
using SkiaSharp;

namespace Reelay.Server.Features.Engines.Preview;

/// <summary>
/// WebP stills, encoded lossy by ImageSharp at its fastest method. Skia's WebP encoder is fixed at libwebp's method 3
/// and has no speed setting: a 1920x1080 still took 285 ms, the slowest image render (bench/render); this takes
/// 108–126 ms on the same machine (1024x1024: 120 → 59–65 ms), for files about half as large again. Only our own
/// pixels go through ImageSharp: it decodes nothing.
/// </summary>
internal static class WebpStill
{
    private static readonly WebpEncoder Encoder = new()
    {
        FileFormat = WebpFileFormatType.Lossy,
        Quality = 85,
        Method = WebpEncodingMethod.Fastest,
    };

    /// <summary>The picture as a WebP file, in memory and positioned at its start.</summary>
    public static MemoryStream Encode(SKImage image)
    {
        // Only PNG carries alpha (ImageRenderer.Validate), so the copy is plain RGBA and the file has no alpha chunk.
        var info = new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        // Not pooled: a 3840x3840 still's 59 MB would stay in the pool after it; a pinned array lets Skia copy into it.
        var pixels = GC.AllocateUninitializedArray<byte>(info.BytesSize, pinned: true);
        if (!image.ReadPixels(info, Marshal.UnsafeAddrOfPinnedArrayElement(pixels, 0), info.RowBytes))
            throw new PreviewRenderException($"Could not read the {image.Width}x{image.Height} still's pixels.");
        using var picture = Image.WrapMemory<Rgba32>(pixels.AsMemory(), image.Width, image.Height);
        var file = new MemoryStream();
        picture.Save(file, Encoder);
        file.Position = 0;
        return file;
    }
}
