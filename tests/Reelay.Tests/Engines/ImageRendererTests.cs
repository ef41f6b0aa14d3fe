using System.Globalization;
using System.Security.Cryptography;
using Reelay.Server.Features.Engines.Preview;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Engines;

/// <summary>The image renderer, its files probed by real ffprobe: formats, sizes, alpha, several distinct stills, upscales, determinism.</summary>
public sealed class ImageRendererTests : PreviewTempDirectory
{
    private string Fixture(int width, int height, string format = "png")
    {
        Directory.CreateDirectory(Inputs);
        var path = Path.Combine(Inputs, $"{width}x{height}.{format}");
        File.WriteAllBytes(path, Media.Image(width, height, format));
        return path;
    }

    private List<string> Outputs(string name, int count, string extension) =>
        Enumerable.Range(0, count).Select(i => Path.Combine(Root, "out", $"{name}-{i}{extension}")).ToList();

    private static async Task RenderAsync(ImageRenderRequest request) => await ImageRenderer.RenderAsync(request, _ => { }, CancellationToken.None);

    [Theory]
    [InlineData("png", ".png", "png", "rgb24")]
    [InlineData("jpeg", ".jpg", "mjpeg", "yuvj420p")]
    [InlineData("webp", ".webp", "webp", "yuv420p")]
    public async Task Each_output_format_is_encoded_as_that_codec_at_the_planned_size(string format, string extension, string codec, string pixelFormat)
    {
        var paths = Outputs(format, 1, extension);
        await RenderAsync(new ImageRenderRequest(1360, 768, 7, "a red fox in the snow", paths, format) { ReferenceImages = [Fixture(640, 360)] });
        Assert.Equal((codec, pixelFormat, 1360, 768), Probe(paths[0]));
    }

    [Fact]
    public async Task A_transparent_background_gives_a_png_whose_corners_are_clear_and_whose_subject_is_opaque()
    {
        var paths = Outputs("alpha", 1, ".png");
        await RenderAsync(new ImageRenderRequest(1024, 1024, 3, "a glass bottle", paths, "png") { Alpha = true });
        Assert.Equal("rgba", Probe(paths[0]).PixelFormat);
        Assert.Equal(0, Alpha(paths[0], 0, 0));
        Assert.Equal(0, Alpha(paths[0], 1023, 1023));
        Assert.Equal(255, Alpha(paths[0], 512, 512)); // the prompt's box is drawn on the subject, which stays opaque
    }

    [Fact]
    public async Task Several_outputs_are_distinct_images_of_the_same_size()
    {
        var paths = Outputs("many", 4, ".png");
        await RenderAsync(new ImageRenderRequest(512, 512, 11, "a lighthouse", paths, "png"));
        Assert.All(paths, p => Assert.Equal((512, 512), (Probe(p).Width, Probe(p).Height)));
        Assert.True(paths.All(File.Exists));
        Assert.Equal(4, paths.Select(p => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(p)))).Distinct().Count());
    }

    [Fact]
    public async Task The_same_seed_renders_the_same_bytes_and_another_seed_does_not()
    {
        var a = Outputs("a", 1, ".png");
        var b = Outputs("b", 1, ".png");
        var c = Outputs("c", 1, ".png");
        await RenderAsync(new ImageRenderRequest(640, 360, 42, "same", a, "png"));
        await RenderAsync(new ImageRenderRequest(640, 360, 42, "same", b, "png"));
        await RenderAsync(new ImageRenderRequest(640, 360, 43, "same", c, "png"));
        Assert.Equal(File.ReadAllBytes(a[0]), File.ReadAllBytes(b[0]));
        Assert.NotEqual(File.ReadAllBytes(a[0]), File.ReadAllBytes(c[0]));
    }

    [Fact]
    public async Task Rendering_stills_again_maps_no_further_copy_of_the_font_file()
    {
        // Each render once loaded its own typeface, and Skia kept that mapping of the font file after disposal.
        if (PreviewRenderer.FindFontFile() is not { } font) return;
        int FontMappings() => File.ReadLines("/proc/self/maps").Count(line => line.EndsWith(font, StringComparison.Ordinal));
        await RenderAsync(new ImageRenderRequest(320, 180, 1, "first", Outputs("font-first", 1, ".png"), "png"));
        var afterFirst = FontMappings();
        for (var i = 0; i < 5; i++)
            await RenderAsync(new ImageRenderRequest(320, 180, i, $"again {i}", Outputs($"font-{i}", 2, ".png"), "png"));
        Assert.InRange(afterFirst, 1, 2);
        Assert.Equal(afterFirst, FontMappings());
    }

    [Fact]
    public async Task An_upscale_scales_the_source_image_to_the_planned_size_with_its_options_applied()
    {
        var source = Fixture(320, 240, "jpg");
        var paths = Outputs("up", 1, ".png");
        await RenderAsync(new ImageRenderRequest(1280, 960, 1, null, paths, "png") { UpscaleSource = source, Sharpen = 40, SmartGrain = 20, UltraDetail = 50, Denoise = true });
        Assert.Equal(("png", 1280, 960), (Probe(paths[0]).Codec, Probe(paths[0]).Width, Probe(paths[0]).Height));
    }

    [Fact]
    public void The_upscalers_options_become_filters_in_a_fixed_order()
    {
        var filters = ImageRenderer.UpscaleFilters(new ImageRenderRequest(1280, 720, 1, null, ["x.png"], "png") { Denoise = true, UltraDetail = 50, Sharpen = 50, SmartGrain = 25 });
        Assert.Equal("hqdn3d=4:3:6:4,scale=1280:720:flags=lanczos,setsar=1,cas=strength=0.5,unsharp=5:5:1,noise=alls=5:allf=t", filters);
        Assert.Equal("scale=1280:720:flags=lanczos,setsar=1", ImageRenderer.UpscaleFilters(new ImageRenderRequest(1280, 720, 1, null, ["x.png"], "png")));
    }

    [Fact]
    public async Task Alpha_in_a_format_without_it_and_an_unknown_format_are_refused_before_anything_is_drawn()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => RenderAsync(new ImageRenderRequest(64, 64, 1, null, Outputs("j", 1, ".jpg"), "jpeg") { Alpha = true }));
        await Assert.ThrowsAsync<ArgumentException>(() => RenderAsync(new ImageRenderRequest(64, 64, 1, null, Outputs("g", 1, ".gif"), "gif")));
        await Assert.ThrowsAsync<PreviewRenderException>(() => RenderAsync(new ImageRenderRequest(64, 64, 1, null, Outputs("m", 1, ".png"), "png") { ReferenceImages = ["/nonexistent/ref.png"] }));
    }

    /// <summary>The image demuxer reads the test folder's "%d" as a frame pattern: files are probed from a plain copy.</summary>
    private static string PlainCopy(string path)
    {
        var copy = Path.Combine(TestPaths.NewTempDirectory("reelay-image-probe"), "image" + Path.GetExtension(path));
        File.Copy(path, copy);
        return copy;
    }

    internal static (string Codec, string PixelFormat, int Width, int Height) Probe(string path)
    {
        var csv = Media.Run("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=codec_name,pix_fmt,width,height", "-of", "csv=p=0", PlainCopy(path)).Trim().Split(',');
        // csv order is ffprobe's: codec_name, width, height, pix_fmt.
        return (csv[0], csv[3], int.Parse(csv[1], CultureInfo.InvariantCulture), int.Parse(csv[2], CultureInfo.InvariantCulture));
    }

    private static int Alpha(string path, int x, int y) => Pixel(path, x, y)[3];

    /// <summary>The RGBA of one pixel, read by ffmpeg.</summary>
    internal static byte[] Pixel(string path, int x, int y)
    {
        var info = new System.Diagnostics.ProcessStartInfo("ffmpeg") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-v", "error", "-i", PlainCopy(path), "-vf", string.Create(CultureInfo.InvariantCulture, $"crop=1:1:{x}:{y},format=rgba"), "-frames:v", "1", "-f", "rawvideo", "-" })
            info.ArgumentList.Add(a);
        using var process = System.Diagnostics.Process.Start(info)!;
        using var memory = new MemoryStream();
        process.StandardOutput.BaseStream.CopyTo(memory);
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, process.StandardError.ReadToEnd());
        return memory.ToArray();
    }
}
