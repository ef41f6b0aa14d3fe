using Reelay.Server.Features.Engines.Preview;

namespace Reelay.Tests.Engines;

/// <summary>Output formats, their files and request checks for the new options; nothing is rendered.</summary>
public sealed class PreviewRendererFormatArgumentTests
{
    [Theory]
    [InlineData("mp4", ".mp4", "video/mp4")]
    [InlineData("hdr10", ".mp4", "video/mp4")]
    [InlineData("hlg", ".mp4", "video/mp4")]
    [InlineData("sdr_rec709_10bit", ".mp4", "video/mp4")]
    [InlineData("prores", ".mov", "video/quicktime")]
    [InlineData("hdr_prores", ".mov", "video/quicktime")]
    [InlineData("hdr_pq_12bit_master", ".mov", "video/quicktime")]
    [InlineData("png_sequence", ".zip", "application/zip")]
    [InlineData("hdr_png_sequence", ".zip", "application/zip")]
    [InlineData("hdr_exr_sequence", ".zip", "application/zip")]
    [InlineData("hdr_exr_acescg_sequence_1_3", ".zip", "application/zip")]
    [InlineData("hdr_exr_acescg_sequence_2_0", ".zip", "application/zip")]
    public void Every_format_has_an_extension_and_content_type(string format, string extension, string contentType)
    {
        Assert.Equal(new PreviewOutput(extension, contentType), PreviewOutputs.For(format));
        Assert.Contains(format, PreviewOutputs.Formats);
    }

    [Fact]
    public void Unknown_formats_are_rejected_by_the_outputs_table_and_the_renderer()
    {
        Assert.Equal(12, PreviewOutputs.Formats.Count);
        Assert.Throws<ArgumentException>(() => PreviewOutputs.For("MP4"));
        var request = new PreviewRenderRequest(320, 180, 1, 1, null, "x", "/tmp/x.webm") { OutputFormat = "webm" };

        Assert.Throws<ArgumentException>(() => PreviewRenderer.BuildArguments(request, "/tmp/x.tmp", null, null));
    }

    [Theory]
    [InlineData("hdr_prores", "422 LT")]
    [InlineData("hdr_prores", "4444 XQ")]
    [InlineData("prores", "4444 HQ")]
    public void ProRes_profiles_outside_the_format_s_list_are_rejected(string format, string profile)
    {
        var request = new PreviewRenderRequest(320, 180, 1, 1, null, "x", "/tmp/x.mov") { OutputFormat = format, ProresProfile = profile };

        Assert.Throws<ArgumentException>(() => PreviewRenderer.BuildArguments(request, "/tmp/x.tmp", null, null));
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(2.01)]
    [InlineData(double.NaN)]
    public void Keyframes_outside_the_clip_are_rejected(double at)
    {
        var request = new PreviewRenderRequest(320, 180, 2, 1, null, "x", "/tmp/x.mp4") { Keyframes = [new PreviewKeyframe("/tmp/k.png", at)] };

        Assert.ThrowsAny<ArgumentException>(() => PreviewRenderer.BuildArguments(request, "/tmp/x.tmp", null, null));
    }

    [Fact]
    public void Audio_adds_an_aac_track_to_video_files_and_a_wav_next_to_sequence_frames()
    {
        var mp4 = new PreviewRenderRequest(320, 180, 1, 1, null, "x", "/out/x.mp4") { Audio = true };
        var zip = new PreviewRenderRequest(320, 180, 1, 1, null, "x", "/out/x.zip") { Audio = true, OutputFormat = "png_sequence" };

        var mp4Args = string.Join(' ', PreviewRenderer.BuildArguments(mp4, "/out/.x.tmp", null, null));
        var zipArgs = PreviewRenderer.BuildArguments(zip, "/out/.x.tmp", null, null);

        Assert.Contains("-map [a] -c:a aac", mp4Args);
        Assert.DoesNotContain(" -an ", mp4Args);
        Assert.Contains("file:/out/.x.tmp.frames/frame.%04d.png", zipArgs);
        Assert.Equal("file:/out/.x.tmp.frames/audio.wav", zipArgs[^1]);
    }

    [Fact]
    public void Consecutive_keyframes_cross_fade_around_their_midpoint_and_the_last_fades_back_to_the_picture()
    {
        var timings = PreviewRenderer.KeyframeTimings([0, 1.5], 2);

        // The first is the frame from the start until the second is fully in; the second is the frame from 1.125 s.
        Assert.Equal(new LayerTiming(0, 0, 1.125, 2, 0), timings[0]);
        Assert.Equal(new LayerTiming(0.375, 0.75, 2, 1.75, 0.25), timings[1]);
    }

    [Fact]
    public void Thumbnails_fit_in_one_row_inside_the_frame()
    {
        foreach (var count in new[] { 1, 3, 8 })
        {
            var (width, height, margin) = PreviewRenderer.ThumbnailLayout(320, 180, count);

            Assert.True(count * (width + margin) + margin <= 320, $"{count} thumbnails of {width} px do not fit");
            Assert.True(width % 2 == 0 && height % 2 == 0 && height + 2 * margin <= 180);
        }
    }
}
