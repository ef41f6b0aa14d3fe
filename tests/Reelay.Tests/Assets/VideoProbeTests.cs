using System.Diagnostics;
using System.Text;
using Reelay.Server.Features.Assets;
using Xunit;

namespace Reelay.Tests.Assets;

public sealed class VideoProbeTests(FfmpegVideos videos) : IClassFixture<FfmpegVideos>
{
    private static void AssertTinyClip(VideoInfo? info, string mediaType)
    {
        Assert.NotNull(info);
        Assert.Equal(mediaType, info.MediaType);
        Assert.Equal((160, 120), (info.Width, info.Height));
        Assert.InRange(info.DurationSeconds, 0.9, 1.1);
    }

    /// <summary>ffprobe-shaped JSON with the given raw values; <paramref name="duration"/> is a whole trailing member or "".</summary>
    private static string Json(string width, string height, string duration) =>
        "{\"streams\":[{\"codec_name\":\"h264\",\"codec_type\":\"video\",\"width\":" + width + ",\"height\":" + height
        + "}],\"format\":{\"format_name\":\"mov,mp4,m4a,3gp,3g2,mj2\"" + duration + "}}";

    [Fact]
    public async Task An_mp4_reports_its_width_height_and_duration() =>
        AssertTinyClip(await VideoProbe.ReadAsync(videos.Mp4, "video/mp4"), "video/mp4");

    [Theory]
    [InlineData("video/quicktime")]
    [InlineData("video/mov")]
    [InlineData("VIDEO/MOV ")]
    public async Task A_quicktime_mov_reports_its_size_and_duration_under_either_name(string declared) =>
        AssertTinyClip(await VideoProbe.ReadAsync(videos.Mov, declared), "video/quicktime");

    [EncoderFact("libvpx")]
    public async Task A_vp8_webm_reports_its_width_height_and_duration() =>
        AssertTinyClip(await VideoProbe.ReadAsync(videos.Vp8Webm!, "video/webm"), "video/webm");

    [EncoderFact("libvpx-vp9")]
    public async Task A_vp9_webm_reports_its_width_height_and_duration() =>
        AssertTinyClip(await VideoProbe.ReadAsync(videos.Vp9Webm!, "video/webm"), "video/webm");

    [EncoderFact("libtheora")]
    public async Task An_ogg_theora_video_reports_its_width_height_and_duration() =>
        AssertTinyClip(await VideoProbe.ReadAsync(videos.TheoraOgg!, "video/ogg"), "video/ogg");

    [Fact]
    public async Task A_raw_h264_stream_reports_its_size_and_a_zero_duration_since_it_has_no_container() =>
        Assert.Equal(new VideoInfo("video/h264", 160, 120, 0), await VideoProbe.ReadAsync(videos.RawH264, "video/h264"));

    [Theory]
    [InlineData("video/webm")]
    [InlineData("video/ogg")]
    [InlineData("video/h264")]
    public async Task Mp4_bytes_declared_as_another_video_type_are_rejected(string declared) =>
        Assert.Null(await VideoProbe.ReadAsync(videos.Mp4, declared));

    [EncoderFact("libvpx")]
    public async Task Webm_bytes_declared_as_mp4_are_rejected() =>
        Assert.Null(await VideoProbe.ReadAsync(videos.Vp8Webm!, "video/mp4"));

    [Fact]
    public async Task A_matroska_file_with_h264_declared_as_webm_is_rejected_because_webm_allows_only_vp8_vp9_and_av1() =>
        Assert.Null(await VideoProbe.ReadAsync(videos.MatroskaH264, "video/webm"));

    [Fact]
    public async Task An_mp4_truncated_to_its_first_500_bytes_is_rejected()
    {
        var path = videos.Write("truncated.mp4", File.ReadAllBytes(videos.Mp4)[..500]);
        Assert.Null(await VideoProbe.ReadAsync(path, "video/mp4"));
    }

    [Theory]
    [InlineData("video/mp4")]
    [InlineData("video/webm")]
    [InlineData("video/ogg")]
    [InlineData("video/h264")]
    public async Task Random_bytes_are_rejected_whatever_type_is_declared(string declared)
    {
        var bytes = new byte[64 * 1024];
        new Random(42).NextBytes(bytes);
        var path = videos.Write("random-" + declared.Replace('/', '-'), bytes);
        Assert.Null(await VideoProbe.ReadAsync(path, declared));
    }

    [Fact]
    public async Task A_text_file_is_rejected()
    {
        var path = videos.Write("notes.mp4", Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("not a video at all\n", 200))));
        Assert.Null(await VideoProbe.ReadAsync(path, "video/mp4"));
    }

    [Fact]
    public async Task A_png_declared_as_mp4_is_rejected() =>
        Assert.Null(await VideoProbe.ReadAsync(videos.Png, "video/mp4"));

    [Fact]
    public async Task An_audio_file_whose_only_picture_is_cover_art_is_not_a_video() =>
        Assert.Null(await VideoProbe.ReadAsync(videos.AudioWithCover, "video/mp4"));

    [Fact]
    public async Task A_path_with_spaces_and_a_colon_is_read_as_a_plain_file()
    {
        var path = videos.Write("my clip: take 2.mp4", File.ReadAllBytes(videos.Mp4));
        AssertTinyClip(await VideoProbe.ReadAsync(path, "video/mp4"), "video/mp4");
    }

    [Fact]
    public async Task A_missing_file_is_rejected() =>
        Assert.Null(await VideoProbe.ReadAsync(Path.Combine(videos.Dir, "nope.mp4"), "video/mp4"));

    [Theory]
    [InlineData("image/png")]
    [InlineData("application/octet-stream")]
    [InlineData("video/x-matroska")]
    public async Task An_unapproved_declared_type_is_rejected_without_running_ffprobe(string declared) =>
        Assert.Null(await VideoProbe.ReadAsync(videos.Mp4, declared, ffprobePath: "/nonexistent/ffprobe"));

    [Fact]
    public async Task A_missing_ffprobe_is_a_server_fault_not_a_bad_asset() =>
        await Assert.ThrowsAsync<System.ComponentModel.Win32Exception>(() =>
            VideoProbe.ReadAsync(videos.Mp4, "video/mp4", ffprobePath: "/nonexistent/ffprobe"));

    [Fact]
    public async Task Dimensions_are_returned_exactly_as_ffprobe_reports_them_without_making_a_huge_video()
    {
        var fake = videos.FakeFfprobe($"echo '{Json("9000", "600", ",\"duration\":\"12.5\"")}'");
        Assert.Equal(new VideoInfo("video/mp4", 9000, 600, 12.5), await VideoProbe.ReadAsync(videos.Mp4, "video/mp4", fake));
    }

    [Theory]
    [InlineData("160", "120", "")]
    [InlineData("160", "120", ",\"duration\":\"NaN\"")]
    [InlineData("160", "120", ",\"duration\":\"-1.0\"")]
    [InlineData("160", "120", ",\"duration\":\"N/A\"")]
    [InlineData("0", "120", ",\"duration\":\"1.0\"")]
    [InlineData("160", "0", ",\"duration\":\"1.0\"")]
    [InlineData("\"160\"", "120", ",\"duration\":\"1.0\"")]
    public async Task A_missing_or_unusable_duration_or_dimension_is_rejected(string width, string height, string duration)
    {
        var fake = videos.FakeFfprobe($"echo '{Json(width, height, duration)}'");
        Assert.Null(await VideoProbe.ReadAsync(videos.Mp4, "video/mp4", fake));
    }

    [Fact]
    public async Task Valid_json_from_an_ffprobe_that_failed_is_rejected()
    {
        var fake = videos.FakeFfprobe($"echo '{Json("160", "120", ",\"duration\":\"1.0\"")}'; exit 1");
        Assert.Null(await VideoProbe.ReadAsync(videos.Mp4, "video/mp4", fake));
    }

    [Fact]
    public async Task Output_that_is_not_json_is_rejected()
    {
        var fake = videos.FakeFfprobe("echo '{\"streams\":[{'");
        Assert.Null(await VideoProbe.ReadAsync(videos.Mp4, "video/mp4", fake));
    }

    [Fact]
    public async Task An_ffprobe_that_hangs_is_killed_at_the_timeout_and_the_file_is_rejected()
    {
        // sleep runs as a child of the shell: the whole tree must die, or the child would hold stdout open.
        var fake = videos.FakeFfprobe("sleep 30; echo done");
        var clock = Stopwatch.StartNew();
        Assert.Null(await VideoProbe.ReadAsync(videos.Mp4, "video/mp4", fake, TimeSpan.FromMilliseconds(300)));
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Output_beyond_one_mebibyte_is_rejected_without_waiting_for_the_rest()
    {
        var fake = videos.FakeFfprobe("yes '{\"streams\":[]}'");
        var clock = Stopwatch.StartNew();
        Assert.Null(await VideoProbe.ReadAsync(videos.Mp4, "video/mp4", fake, TimeSpan.FromSeconds(30)));
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Cancellation_by_the_caller_throws_instead_of_blaming_the_file()
    {
        var fake = videos.FakeFfprobe("sleep 30");
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => VideoProbe.ReadAsync(videos.Mp4, "video/mp4", fake, TimeSpan.FromSeconds(30), cancel.Token));
    }

    [Fact]
    public async Task Ffprobe_gets_the_path_as_one_file_argument_and_only_the_declared_demuxer()
    {
        var argsFile = Path.Combine(videos.Dir, "args.txt");
        var fake = videos.FakeFfprobe($"printf '%s\\n' \"$@\" > '{argsFile}'");
        var path = videos.Write("a b:c $(x).mp4", [0]);
        await VideoProbe.ReadAsync(path, "video/webm", fake);
        var arguments = File.ReadAllLines(argsFile);
        Assert.Equal("file:" + path, arguments[^1]);
        Assert.Equal("file", arguments[Array.IndexOf(arguments, "-protocol_whitelist") + 1]);
        Assert.Equal("matroska", arguments[Array.IndexOf(arguments, "-format_whitelist") + 1]);
    }

    [Theory]
    [InlineData("isom", "video/mp4")]
    [InlineData("mp42", "video/mp4")]
    [InlineData("qt  ", "video/quicktime")]
    [InlineData("avif", null)]
    [InlineData("heic", null)]
    [InlineData("M4A ", null)]
    public void An_ftyp_box_sniffs_by_its_major_brand(string brand, string? expected) =>
        Assert.Equal(expected, VideoProbe.Sniff([0, 0, 0, 0x20, .. "ftyp"u8, .. Encoding.ASCII.GetBytes(brand), 0, 0, 2, 0]));

    [Fact]
    public void Real_encoder_output_sniffs_as_its_container()
    {
        Assert.Equal("video/mp4", VideoProbe.Sniff(File.ReadAllBytes(videos.Mp4).AsSpan(0, 64)));
        Assert.Equal("video/quicktime", VideoProbe.Sniff(File.ReadAllBytes(videos.Mov).AsSpan(0, 64)));
        if (videos.Vp8Webm is { } webm) Assert.Equal("video/webm", VideoProbe.Sniff(File.ReadAllBytes(webm).AsSpan(0, 64)));
        if (videos.TheoraOgg is { } ogg) Assert.Equal("video/ogg", VideoProbe.Sniff(File.ReadAllBytes(ogg).AsSpan(0, 64)));
    }

    [Theory]
    [InlineData(new byte[] { 0x1A, 0x45, 0xDF, 0xA3, 0x9F }, "video/webm")]
    [InlineData(new byte[] { 0x4F, 0x67, 0x67, 0x53, 0x00 }, "video/ogg")]
    [InlineData(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, null)]
    [InlineData(new byte[] { 0x00, 0x00, 0x00, 0x01, 0x67 }, null)]
    [InlineData(new byte[] { 0x00, 0x00, 0x00, 0x20, 0x66, 0x74, 0x79, 0x70 }, null)]
    [InlineData(new byte[] { 0x1A, 0x45 }, null)]
    [InlineData(new byte[0], null)]
    public void Other_heads_sniff_to_their_container_or_to_nothing(byte[] head, string? expected) =>
        Assert.Equal(expected, VideoProbe.Sniff(head));

    [Theory]
    [InlineData("video/mp4", "video/mp4")]
    [InlineData("  Video/MP4 ", "video/mp4")]
    [InlineData("video/mp4; codecs=\"avc1.42E01E\"", "video/mp4")]
    [InlineData("video/webm", "video/webm")]
    [InlineData("video/quicktime", "video/quicktime")]
    [InlineData("video/mov", "video/quicktime")]
    [InlineData("VIDEO/MOV", "video/quicktime")]
    [InlineData("video/ogg", "video/ogg")]
    [InlineData("video/h264", "video/h264")]
    [InlineData("video/x-matroska", null)]
    [InlineData("video/mpeg", null)]
    [InlineData("audio/mp4", null)]
    [InlineData("application/octet-stream", null)]
    [InlineData("video/", null)]
    [InlineData("", null)]
    public void Media_types_normalise_to_their_canonical_approved_form_or_to_nothing(string input, string? expected) =>
        Assert.Equal(expected, VideoProbe.NormalizeMediaType(input));
}
