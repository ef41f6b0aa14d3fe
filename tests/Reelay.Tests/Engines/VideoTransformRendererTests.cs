using System.Globalization;
using Reelay.Server.Features.Engines.Preview;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Engines;

/// <summary>Upscale, re-time, HDR upconvert and character performance rendered by real ffmpeg and probed.</summary>
[Trait("Database", "independent")] // the renderer in-process: no server, no database
public sealed class VideoTransformRendererTests : PreviewTempDirectory
{
    private string Source(double seconds, int rate = 30, int width = 320, int height = 180, bool audio = true)
    {
        Directory.CreateDirectory(Inputs);
        var path = Path.Combine(Inputs, $"src-{Guid.NewGuid():N}.mp4");
        var args = new List<string> { "-v", "error", "-f", "lavfi", "-i", Invariant($"testsrc=size={width}x{height}:rate={rate}:duration={seconds}") };
        if (audio) args.AddRange(["-f", "lavfi", "-i", Invariant($"sine=frequency=440:duration={seconds}"), "-c:a", "aac", "-shortest"]);
        args.AddRange(["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-y", path]);
        Media.Run("ffmpeg", [.. args]);
        return path;
    }

    private string Output(string name) => Path.Combine(Root, "out", name);

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static Task RenderAsync(VideoTransformRequest r) => VideoTransformRenderer.RenderAsync(r, _ => { }, CancellationToken.None);

    [Theory]
    [InlineData(60000.0 / 1001, "60000/1001")]
    [InlineData(120, "120/1")]
    [InlineData(24, "24/1")]
    public async Task A_re_time_delivers_the_target_frame_rate_at_the_sources_size_and_length(double fps, string expected)
    {
        var output = Output($"retime-{expected.Replace('/', '_')}.mp4");
        await RenderAsync(new VideoTransformRequest(320, 180, 2, Source(2), output) { FrameRate = fps });
        var facts = Probe(output);
        Assert.Equal((expected, 320, 180), (facts.Rate, facts.Width, facts.Height));
        Assert.InRange(facts.Seconds, 1.9, 2.1);
        Assert.True(facts.Audio, "the source's audio is kept");
    }

    [Fact]
    public async Task An_upscale_scales_the_source_to_the_planned_size_and_keeps_its_length()
    {
        var output = Output("upscale.mp4");
        await RenderAsync(new VideoTransformRequest(1280, 720, 2, Source(2, audio: false), output) { Vivid = true, Sharpen = 50, SmartGrain = 10, Creativity = 30 });
        var facts = Probe(output);
        Assert.Equal(("h264", 1280, 720, "30/1", false), (facts.Codec, facts.Width, facts.Height, facts.Rate, facts.Audio));
        Assert.InRange(facts.Seconds, 1.9, 2.1);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_character_performance_lasts_as_long_as_its_reference_at_the_ratios_size(bool characterIsVideo)
    {
        Directory.CreateDirectory(Inputs);
        var image = Path.Combine(Inputs, "character.png");
        File.WriteAllBytes(image, Media.Image(400, 400));
        var output = Output($"act-{characterIsVideo}.mp4");
        await RenderAsync(new VideoTransformRequest(832, 1104, 3.5, Source(3.5), output)
        {
            CharacterPath = characterIsVideo ? Source(1, audio: false) : image,
            CharacterIsVideo = characterIsVideo,
            ExpressionIntensity = 5,
        });
        var facts = Probe(output);
        Assert.Equal(("h264", 832, 1104, "24/1", true), (facts.Codec, facts.Width, facts.Height, facts.Rate, facts.Audio));
        Assert.InRange(facts.Seconds, 3.3, 3.7);
    }

    [Fact]
    public async Task An_hdr_upconvert_keeps_the_sources_pixels_and_delivers_10_bit_hevc_with_pq()
    {
        var output = Output("hdr.mp4");
        var request = new PreviewRenderRequest(320, 180, 2, 5, null, null, output, VideoPath: Source(2)) { OutputFormat = "hdr10", Faithful = true };
        await PreviewRenderer.RenderAsync(request, _ => { }, CancellationToken.None);
        var json = Media.Run("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=codec_name,pix_fmt,color_primaries,color_transfer", "-of", "csv=p=0", "file:" + output);
        Assert.Equal("hevc,yuv420p10le,smpte2084,bt2020", json.Trim()); // ffprobe prints transfer before primaries
        // No grade: the faithful graph has no hue filter, the restyled one does.
        Assert.DoesNotContain("hue=", string.Join(' ', PreviewRenderer.BuildArguments(request, output + ".tmp", null, null)));
        Assert.Contains("hue=", string.Join(' ', PreviewRenderer.BuildArguments(request with { Faithful = false }, output + ".tmp", null, null)));
    }

    [Fact]
    public void Broadcast_frame_rates_are_written_as_exact_fractions()
    {
        Assert.Equal("24000/1001", VideoTransformRenderer.Rate(24000.0 / 1001));
        Assert.Equal("30000/1001", VideoTransformRenderer.Rate(30000.0 / 1001));
        Assert.Equal("60000/1001", VideoTransformRenderer.Rate(60000.0 / 1001));
        Assert.Equal("25", VideoTransformRenderer.Rate(25));
    }

    [Fact]
    public async Task A_missing_input_is_a_render_failure_not_an_ffmpeg_error()
    {
        await Assert.ThrowsAsync<PreviewRenderException>(() => RenderAsync(new VideoTransformRequest(320, 180, 2, "/nonexistent.mp4", Output("x.mp4"))));
    }

    private static (string Codec, int Width, int Height, string Rate, double Seconds, bool Audio) Probe(string path)
    {
        var video = Media.Run("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=codec_name,width,height,r_frame_rate:format=duration",
            "-of", "csv=p=0", "file:" + path).Trim().Split('\n');
        var fields = video[0].Split(',');
        var audio = Media.Run("ffprobe", "-v", "error", "-select_streams", "a", "-show_entries", "stream=codec_name", "-of", "csv=p=0", "file:" + path).Trim();
        return (fields[0], int.Parse(fields[1], CultureInfo.InvariantCulture), int.Parse(fields[2], CultureInfo.InvariantCulture), fields[3],
            double.Parse(video[^1], CultureInfo.InvariantCulture), audio.Length > 0);
    }
}
