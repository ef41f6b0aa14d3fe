using Reelay.Server.Features.Engines.Preview;
using static Reelay.Tests.Engines.PreviewOutputSupport;
using static Reelay.Tests.Engines.PreviewRendererSupport;

namespace Reelay.Tests.Engines;

/// <summary>Keyframes, reference images, the last image and fractional durations, checked on decoded frames.</summary>
[Trait("Database", "independent")] // the renderer in-process: no server, no database
public sealed class PreviewRendererLayerTests : PreviewTempDirectory
{
    [Theory]
    [InlineData("mp4")]
    [InlineData("prores")]
    [InlineData("sdr_rec709_10bit")]
    public async Task Keyframes_are_the_whole_frame_at_their_times(string format)
    {
        var red = await MakeSolidImageAsync(Inputs, "red.png", "red");
        var blue = await MakeSolidImageAsync(Inputs, "blue.jpg", "blue", 200, 200);
        var output = Path.Combine(Root, "keyframes" + PreviewOutputs.For(format).Extension);
        var request = new PreviewRenderRequest(320, 180, 2, 6, null, "keyframes", output)
        {
            OutputFormat = format,
            Keyframes = [new PreviewKeyframe(blue, 1.5), new PreviewKeyframe(red, 0)],
        };

        await PreviewRenderer.RenderAsync(request, _ => { }, CancellationToken.None);

        var atZero = Average(await FrameRgbAsync(output, 0, Root), 320);
        var atOnePointFive = Average(await FrameRgbAsync(output, 36, Root), 320);
        Assert.True(IsColour(atZero, "red"), $"frame at 0 s is {atZero}");
        Assert.True(IsColour(atOnePointFive, "blue"), $"frame at 1.5 s is {atOnePointFive}");
    }

    [Fact]
    public async Task Keyframes_are_shown_over_a_source_video_at_their_times()
    {
        var source = await MakeVideoAsync(Inputs, "source.mp4", 2, silentAudio: false);
        var green = await MakeSolidImageAsync(Inputs, "green.png", "0x00ff00");
        var output = Path.Combine(Root, "v2v.mp4");
        var request = new PreviewRenderRequest(320, 180, 2, 6, null, null, output, VideoPath: source)
        {
            Keyframes = [new PreviewKeyframe(green, 1.0)],
        };

        await PreviewRenderer.RenderAsync(request, _ => { }, CancellationToken.None);

        var before = Average(await FrameRgbAsync(output, 0, Root), 320);
        var at = Average(await FrameRgbAsync(output, 24, Root), 320);
        Assert.False(IsColour(before, "green"), $"frame at 0 s is already {before}");
        Assert.True(IsColour(at, "green"), $"frame at 1 s is {at}");
    }

    [Theory]
    [InlineData("mp4", null)]
    [InlineData("mp4", "image")]
    [InlineData("prores", "image")]
    public async Task A_reference_image_appears_as_a_thumbnail_in_the_frame(string format, string? firstImage)
    {
        var green = await MakeSolidImageAsync(Inputs, "green-ref.png", "0x00ff00", 300, 300);
        var red = await MakeSolidImageAsync(Inputs, "red-ref.png", "red");
        var image = firstImage is null ? null : await MakeSolidImageAsync(Inputs, "first.png", "gray", 400, 300);
        var extension = PreviewOutputs.For(format).Extension;
        var with = Path.Combine(Root, "with" + extension);
        var without = Path.Combine(Root, "without" + extension);

        await PreviewRenderer.RenderAsync(
            new PreviewRenderRequest(320, 180, 1, 9, image, "references", with) { OutputFormat = format, ReferenceImages = [red, green] },
            _ => { }, CancellationToken.None);
        await PreviewRenderer.RenderAsync(
            new PreviewRenderRequest(320, 180, 1, 9, image, "references", without) { OutputFormat = format }, _ => { }, CancellationToken.None);

        Assert.True(HasGreenBlock(await FrameRgbAsync(with, 12, Root), 320), "no green thumbnail in the frame");
        Assert.False(HasGreenBlock(await FrameRgbAsync(without, 12, Root), 320), "green without a reference image");
    }

    [Fact]
    public async Task Image_to_video_with_a_last_image_ends_on_it()
    {
        var first = await MakeSolidImageAsync(Inputs, "first.png", "red", 400, 300);
        var last = await MakeSolidImageAsync(Inputs, "last.png", "blue", 300, 400);
        var output = Path.Combine(Root, "last.mp4");
        var request = new PreviewRenderRequest(320, 180, 2, SeedFor("pan-left"), first, null, output) { LastImagePath = last };

        await PreviewRenderer.RenderAsync(request, _ => { }, CancellationToken.None);

        var start = Average(await FrameRgbAsync(output, 0, Root), 320);
        var middle = Average(await FrameRgbAsync(output, 24, Root), 320);
        var end = Average(await FrameRgbAsync(output, 47, Root), 320);
        Assert.True(IsColour(start, "red"), $"first frame is {start}");
        Assert.True(IsColour(middle, "red"), $"the cross-fade started before the final second: {middle}");
        Assert.True(IsColour(end, "blue"), $"final frame is {end}");
    }

    [Theory]
    [InlineData("mp4", 2.5)]
    [InlineData("hdr10", 0.5)]
    public async Task Fractional_durations_render_exactly_that_many_whole_frames(string format, double seconds)
    {
        var output = Path.Combine(Root, "fraction" + PreviewOutputs.For(format).Extension);

        await PreviewRenderer.RenderAsync(
            new PreviewRenderRequest(320, 180, seconds, 1, null, "fraction", output) { OutputFormat = format, Audio = true }, _ => { }, CancellationToken.None);

        var media = await ProbeStreamsAsync(output);
        Assert.InRange(media.DurationSeconds, seconds - 0.1, seconds + 0.1);
        var (exitCode, frames, stderr) = await RunAsync("ffprobe",
            ["-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", "file:" + output]);
        Assert.True(exitCode == 0, stderr);
        Assert.Equal((int)(seconds * 24), int.Parse(frames.Trim(), System.Globalization.CultureInfo.InvariantCulture));
    }
}
