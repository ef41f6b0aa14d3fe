using Reelay.Server.Features.Assets;

namespace Reelay.Tests.Assets;

/// <summary>AudioProbe against real ffmpeg output, and against a stand-in ffprobe for what real files cannot show.</summary>
public class AudioProbeTests(FfmpegAudio audio) : IClassFixture<FfmpegAudio>
{
    [Theory]
    [InlineData("Mp3", "audio/mpeg", "audio/mpeg")]
    [InlineData("Mp3", "audio/mp3", "audio/mpeg")]
    [InlineData("UntaggedMp3", "audio/mpeg", "audio/mpeg")]
    [InlineData("Wav", "audio/wav", "audio/wav")]
    [InlineData("Wav", "audio/x-wav", "audio/wav")]
    [InlineData("Aac", "audio/aac", "audio/aac")]
    [InlineData("Flac", "audio/flac", "audio/flac")]
    [InlineData("Ogg", "audio/ogg", "audio/ogg")]
    [InlineData("M4a", "audio/mp4", "audio/mp4")]
    [InlineData("Mp4", "audio/mp4", "audio/mp4")]
    public async Task Every_approved_container_is_read_with_its_duration(string file, string declared, string canonical)
    {
        var info = await AudioProbe.ReadAsync(audio[file], declared);
        Assert.NotNull(info);
        Assert.Equal(canonical, info.MediaType);
        // MP3 and ADTS durations are estimated from the bitrate and padded by the encoder's frame size.
        Assert.InRange(info.DurationSeconds, FfmpegAudio.Seconds - 0.05, FfmpegAudio.Seconds + 0.1);
    }

    [Theory]
    [InlineData("Png", "audio/mpeg")]
    [InlineData("Png", "audio/wav")]
    [InlineData("Wav", "audio/mpeg")]
    [InlineData("Mp3", "audio/wav")]
    [InlineData("Flac", "audio/ogg")]
    [InlineData("Ogg", "audio/flac")]
    [InlineData("M4a", "audio/aac")]
    public async Task Bytes_of_another_type_than_declared_are_rejected(string file, string declared) =>
        Assert.Null(await AudioProbe.ReadAsync(audio[file], declared));

    [Fact]
    public async Task An_mp4_without_an_audio_stream_is_not_audio() =>
        Assert.Null(await AudioProbe.ReadAsync(audio.SilentVideo, "audio/mp4"));

    [Theory]
    [InlineData("image/png")]
    [InlineData("video/mp4")]
    [InlineData("audio/wave")]
    [InlineData("audio/x-m4a")]
    public async Task An_unapproved_declared_type_is_rejected_without_running_ffprobe(string declared) =>
        Assert.Null(await AudioProbe.ReadAsync(audio.Wav, declared, ffprobePath: "/nonexistent/ffprobe"));

    [Theory]
    [InlineData("audio/mp3", "mp3")]
    [InlineData("audio/x-wav", "wav")]
    [InlineData("audio/aac", "aac")]
    [InlineData("audio/flac", "flac")]
    [InlineData("audio/ogg", "ogg")]
    [InlineData("audio/mp4", "mov")]
    public async Task Ffprobe_reads_only_local_files_with_only_the_declared_demuxer(string declared, string demuxer)
    {
        var argsFile = Path.Combine(audio.Dir, $"args-{Guid.NewGuid():N}.txt");
        var fake = FfmpegVideos.FakeFfprobeIn(audio.Dir, $"printf '%s\\n' \"$@\" > '{argsFile}'");
        await AudioProbe.ReadAsync(audio.Wav, declared, fake);
        var arguments = File.ReadAllLines(argsFile);
        Assert.Equal("file:" + audio.Wav, arguments[^1]);
        Assert.Equal("file", arguments[Array.IndexOf(arguments, "-protocol_whitelist") + 1]);
        Assert.Equal(demuxer, arguments[Array.IndexOf(arguments, "-format_whitelist") + 1]);
    }

    [Theory]
    [InlineData("\"audio\"", "\"wav\"", ",\"duration\":\"4.25\"", 4.25)]
    [InlineData("\"audio\"", "\"wav\"", "", null)]
    [InlineData("\"audio\"", "\"wav\"", ",\"duration\":\"N/A\"", null)]
    [InlineData("\"audio\"", "\"wav\"", ",\"duration\":\"-1\"", null)]
    [InlineData("\"video\"", "\"wav\"", ",\"duration\":\"4.25\"", null)]
    [InlineData("\"audio\"", "\"mp3\"", ",\"duration\":\"4.25\"", null)]
    public async Task The_duration_comes_from_the_container_and_an_audio_stream_is_required(string codecType, string format, string duration, double? expected)
    {
        var json = $"{{\"streams\":[{{\"codec_type\":{codecType}}}],\"format\":{{\"format_name\":{format}{duration}}}}}";
        var fake = FfmpegVideos.FakeFfprobeIn(audio.Dir, $"echo '{json}'");
        Assert.Equal(expected is { } seconds ? new AudioInfo("audio/wav", seconds) : null, await AudioProbe.ReadAsync(audio.Wav, "audio/wav", fake));
    }

    [Theory]
    [InlineData("audio/mpeg", "audio/mpeg")]
    [InlineData("audio/mp3", "audio/mpeg")]
    [InlineData(" Audio/MPEG ", "audio/mpeg")]
    [InlineData("audio/wav", "audio/wav")]
    [InlineData("audio/x-wav", "audio/wav")]
    [InlineData("audio/aac", "audio/aac")]
    [InlineData("audio/flac", "audio/flac")]
    [InlineData("audio/ogg; codecs=vorbis", "audio/ogg")]
    [InlineData("audio/mp4", "audio/mp4")]
    [InlineData("audio/wave", null)]
    [InlineData("audio/x-m4a", null)]
    [InlineData("audio/webm", null)]
    [InlineData("video/ogg", null)]
    [InlineData("", null)]
    public void Media_types_normalise_to_their_canonical_approved_form_or_to_nothing(string input, string? expected) =>
        Assert.Equal(expected, AudioProbe.NormalizeMediaType(input));
}
