using System.Diagnostics;
using System.Text;
using Reelay.Server.Features.Assets;
using Xunit;

namespace Reelay.Tests.Assets;

/// <summary>Which ffmpeg encoders this machine has, asked once, so optional codecs can be skipped rather than failed.</summary>
public static class FfmpegEncoders
{
    /// <summary>Runs ffmpeg and throws with its stderr when it fails, so a broken fixture explains itself.</summary>
    public static void Run(IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("ffmpeg did not start.");
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"ffmpeg exited with {process.ExitCode}: {stderr}");
    }

    private static readonly Lazy<string> List = new(() =>
    {
        var info = new ProcessStartInfo("ffmpeg") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-hide_banner", "-encoders" }) info.ArgumentList.Add(argument);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("ffmpeg did not start.");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        _ = stderr.Result;
        return stdout;
    });

    public static bool Has(string encoder) =>
        List.Value.Split('\n').Any(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [_, var name, ..] && name == encoder);
}

/// <summary>A fact that is skipped, with a reason, when ffmpeg lacks the encoder its fixture needs.</summary>
public sealed class EncoderFactAttribute : FactAttribute
{
    public EncoderFactAttribute(string encoder)
    {
        if (!FfmpegEncoders.Has(encoder))
            Skip = $"ffmpeg on this machine has no {encoder} encoder, so this fixture cannot be made (install an ffmpeg built with it).";
    }
}

/// <summary>Tiny real videos (160x120, 1 s) and non-videos, made once per test class by ffmpeg in a temporary directory.</summary>
public sealed class FfmpegVideos : IDisposable
{
    private const string Source = "testsrc=size=160x120:duration=1";

    public FfmpegVideos()
    {
        Mp4 = Encode("clip.mp4", "-c:v", "libx264", "-pix_fmt", "yuv420p");
        Mov = Encode("clip.mov", "-c:v", "libx264", "-pix_fmt", "yuv420p");
        RawH264 = Encode("clip.h264", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-f", "h264");
        MatroskaH264 = Encode("clip.mkv", "-c:v", "libx264", "-pix_fmt", "yuv420p");
        Vp8Webm = FfmpegEncoders.Has("libvpx") ? Encode("vp8.webm", "-c:v", "libvpx") : null;
        Vp9Webm = FfmpegEncoders.Has("libvpx-vp9") ? Encode("vp9.webm", "-c:v", "libvpx-vp9") : null;
        TheoraOgg = FfmpegEncoders.Has("libtheora") ? Encode("clip.ogv", "-c:v", "libtheora") : null;
        Png = Path.Combine(Dir, "frame.png");
        FfmpegEncoders.Run(["-v", "error", "-y", "-f", "lavfi", "-i", Source, "-frames:v", "1", Png]);
        // An audio file with a picture: its only "video" stream is cover art.
        AudioWithCover = Path.Combine(Dir, "song.mp4");
        FfmpegEncoders.Run(["-v", "error", "-y", "-f", "lavfi", "-i", "sine=duration=1", "-i", Png, "-map", "0:a", "-map", "1:v",
            "-c:a", "aac", "-c:v", "png", "-disposition:v:0", "attached_pic", AudioWithCover]);
    }

    public string Dir { get; } = Directory.CreateTempSubdirectory("reelay-video-").FullName;
    public string Mp4 { get; }
    public string Mov { get; }
    public string RawH264 { get; }
    public string MatroskaH264 { get; }
    public string? Vp8Webm { get; }
    public string? Vp9Webm { get; }
    public string? TheoraOgg { get; }
    public string Png { get; }
    public string AudioWithCover { get; }

    public string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(Dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>A stand-in ffprobe (a shell script) for what real files cannot cheaply show: huge sizes, hangs, floods.</summary>
    public string FakeFfprobe(string script)
    {
        var path = Path.Combine(Directory.CreateDirectory(Path.Combine(Dir, "fake-" + Guid.NewGuid().ToString("N"))).FullName, "ffprobe");
        File.WriteAllText(path, "#!/bin/sh\n" + script + "\n");
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("The fake ffprobe is a POSIX shell script.");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    private string Encode(string name, params string[] codec)
    {
        var path = Path.Combine(Dir, name);
        FfmpegEncoders.Run(["-v", "error", "-y", "-f", "lavfi", "-i", Source, .. codec, path]);
        return path;
    }

    public void Dispose() => Directory.Delete(Dir, recursive: true);
}

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
