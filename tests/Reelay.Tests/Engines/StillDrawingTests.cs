using System.Security.Cryptography;
using Reelay.Server.Features.Assets;
using Reelay.Server.Features.Engines.Preview;
using Reelay.Tests.Infrastructure;
using static Reelay.Tests.Engines.ImageRendererTests;

namespace Reelay.Tests.Engines;

/// <summary>
/// Stills drawn in-process: what each shows (edit background, prompt, thumbnails), determinism in every format, and
/// how input images the render cannot use are refused. Files are read back with real ffprobe / ffmpeg.
/// </summary>
public sealed class StillDrawingTests : PreviewTempDirectory
{
    private const string NoFfmpeg = "/nonexistent/ffmpeg";

    private string Fixture(string name, byte[] bytes)
    {
        Directory.CreateDirectory(Inputs);
        var path = Path.Combine(Inputs, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private List<string> Outputs(string name, int count, string extension) =>
        Enumerable.Range(0, count).Select(i => Path.Combine(Root, "out", $"{name}-{i}{extension}")).ToList();

    private static Task RenderAsync(ImageRenderRequest request) => ImageRenderer.RenderAsync(request, _ => { }, CancellationToken.None);

    private static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    [Theory]
    [InlineData("png", ".png", "png")]
    [InlineData("jpeg", ".jpg", "mjpeg")]
    [InlineData("webp", ".webp", "webp")]
    public async Task Stills_are_drawn_without_an_ffmpeg_process(string format, string extension, string codec)
    {
        var paths = Outputs(format, 2, extension);
        var reference = Fixture("ref.jpg", Media.Image(320, 240, "jpg"));
        await RenderAsync(new ImageRenderRequest(1280, 720, 5, "a quiet harbour", paths, format, NoFfmpeg) { ReferenceImages = [reference] });
        Assert.All(paths, p => Assert.Equal((codec, 1280, 720), (Probe(p).Codec, Probe(p).Width, Probe(p).Height)));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(paths[0])!, ".*")); // no temporary file left behind
    }

    [Theory]
    [InlineData("png", ".png")]
    [InlineData("jpeg", ".jpg")]
    [InlineData("webp", ".webp")]
    public async Task The_same_request_renders_the_same_bytes_in_every_format(string format, string extension)
    {
        var background = Fixture("bg.png", Media.Image(640, 480));
        var reference = Fixture("ref.png", Media.Image(200, 200));
        ImageRenderRequest Request(string name) => new(800, 600, 99, "twice the same", Outputs(name, 2, extension), format)
        {
            BackgroundImage = background,
            ReferenceImages = [reference],
        };
        await RenderAsync(Request("first"));
        await RenderAsync(Request("second"));
        Assert.Equal(Request("first").OutputPaths.Select(Hash), Request("second").OutputPaths.Select(Hash));
        Assert.NotEqual(Hash(Request("first").OutputPaths[0]), Hash(Request("first").OutputPaths[1]));
    }

    [Fact]
    public async Task An_edit_draws_its_input_picture_recoloured_differently_in_each_still()
    {
        var background = Fixture("bg.png", Media.Image(640, 360));
        var edit = Outputs("edit", 3, ".png");
        var gradient = Outputs("gradient", 1, ".png");
        await RenderAsync(new ImageRenderRequest(640, 360, 8, null, edit, "png") { BackgroundImage = background });
        await RenderAsync(new ImageRenderRequest(640, 360, 8, null, gradient, "png"));
        Assert.Equal(3, edit.Select(Hash).Distinct().Count());
        Assert.DoesNotContain(Hash(gradient[0]), edit.Select(Hash));
    }

    [Fact]
    public async Task The_prompt_is_drawn_in_a_dark_box_at_the_centre()
    {
        var with = Outputs("text", 1, ".png");
        var without = Outputs("plain", 1, ".png");
        await RenderAsync(new ImageRenderRequest(640, 360, 4, "MMMMMMMMMMMMMMMMMMMMMMMM", with, "png"));
        await RenderAsync(new ImageRenderRequest(640, 360, 4, null, without, "png"));
        var (boxed, bare) = (Pixel(with[0], 320, 180), Pixel(without[0], 320, 180));
        Assert.NotEqual(Hash(with[0]), Hash(without[0]));
        Assert.True(Luma(boxed) != Luma(bare), "the centre is unchanged by the prompt");
        Assert.Equal(Pixel(with[0], 2, 2), Pixel(without[0], 2, 2)); // the corner is outside the text box
    }

    [Fact]
    public async Task Reference_images_are_thumbnails_in_white_frames_along_the_bottom_edge()
    {
        var reference = Fixture("ref.png", Media.Image(320, 180));
        var paths = Outputs("thumbs", 1, ".png");
        await RenderAsync(new ImageRenderRequest(960, 540, 2, null, paths, "png") { ReferenceImages = [reference, reference] });
        // 540 px high: thumbnails 90 px high (160 wide), a 2 px white frame, an 11 px margin.
        Assert.Equal([255, 255, 255, 255], Pixel(paths[0], 12, 540 - 11 - 1));        // the first frame's bottom edge
        Assert.Equal([255, 255, 255, 255], Pixel(paths[0], 11 + 164 + 11, 540 - 11 - 94)); // the second frame's top-left corner
        Assert.NotEqual([255, 255, 255, 255], Pixel(paths[0], 11 + 164 + 5, 540 - 11 - 50)); // the gap between them
    }

    [Fact]
    public async Task An_input_whose_header_states_a_side_over_the_intake_limit_is_refused_without_output()
    {
        var huge = Fixture("wide.png", Media.Image(AssetRules.MaxSidePixels + 2, 16));
        var paths = Outputs("huge", 1, ".png");
        var error = await Assert.ThrowsAsync<PreviewRenderException>(() => RenderAsync(new ImageRenderRequest(640, 360, 1, null, paths, "png") { ReferenceImages = [huge] }));
        Assert.Contains($"{AssetRules.MaxSidePixels + 2}x16", error.Message);
        Assert.False(Directory.Exists(Path.GetDirectoryName(paths[0])) && Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(paths[0])!).Any());
    }

    [Fact]
    public async Task An_input_that_is_not_an_image_fails_the_render_with_a_message()
    {
        var junk = Fixture("junk.png", "not an image at all"u8.ToArray());
        var paths = Outputs("junk", 1, ".jpg");
        var error = await Assert.ThrowsAsync<PreviewRenderException>(() => RenderAsync(new ImageRenderRequest(640, 360, 1, "x", paths, "jpeg") { BackgroundImage = junk }));
        Assert.Contains("junk.png", error.Message);
        Assert.False(File.Exists(paths[0]));
    }

    private static int Luma(byte[] rgba) => rgba[0] * 3 + rgba[1] * 6 + rgba[2];
}
