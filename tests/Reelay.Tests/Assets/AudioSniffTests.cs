using System.Text;
using Reelay.Server.Features.Assets;
using Reelay.Server.Features.Uploads;

namespace Reelay.Tests.Assets;

/// <summary>How an upload's first bytes name its audio type, and how an upload's stored type reads for each kind of field.</summary>
public class AudioSniffTests(FfmpegAudio audio) : IClassFixture<FfmpegAudio>
{
    [Theory]
    [InlineData("Mp3", "audio/mpeg")]
    [InlineData("UntaggedMp3", "audio/mpeg")]
    [InlineData("Wav", "audio/wav")]
    [InlineData("Aac", "audio/aac")]
    [InlineData("Flac", "audio/flac")]
    [InlineData("Ogg", "audio/ogg")]
    [InlineData("M4a", "audio/mp4")]
    [InlineData("Mp4", null)]
    [InlineData("Png", null)]
    public void Real_encoder_output_sniffs_as_its_container(string file, string? expected) =>
        Assert.Equal(expected, AudioProbe.Sniff(audio.Head(file)));

    [Theory]
    [InlineData(new byte[] { 0x49, 0x44, 0x33, 0x04, 0x00 }, "audio/mpeg")] // "ID3"
    [InlineData(new byte[] { 0xFF, 0xFB, 0x90, 0x64 }, "audio/mpeg")] // MPEG-1 layer III, 128 kbit/s, 44.1 kHz
    [InlineData(new byte[] { 0xFF, 0xF3, 0x50, 0xC4 }, "audio/mpeg")] // MPEG-2 layer III
    [InlineData(new byte[] { 0xFF, 0xF1, 0x50, 0x80 }, "audio/aac")] // ADTS, MPEG-4
    [InlineData(new byte[] { 0xFF, 0xF9, 0x50, 0x80 }, "audio/aac")] // ADTS, MPEG-2
    [InlineData(new byte[] { 0xFF, 0xFB, 0xF0, 0x64 }, null)] // bitrate index 15 is reserved
    [InlineData(new byte[] { 0xFF, 0xFB, 0x9C, 0x64 }, null)] // sample-rate index 3 is reserved
    [InlineData(new byte[] { 0xFF, 0xE9, 0x90, 0x64 }, null)] // version 01 is reserved
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0 }, null)] // a JPEG
    [InlineData(new byte[] { 0x66, 0x4C, 0x61, 0x43, 0x00 }, "audio/flac")] // "fLaC"
    [InlineData(new byte[] { 0x4F, 0x67, 0x67, 0x53, 0x00 }, "audio/ogg")] // "OggS"
    [InlineData(new byte[] { 0xFF, 0xFB }, null)]
    [InlineData(new byte[0], null)]
    public void Magic_numbers_sniff_to_their_audio_type_or_to_nothing(byte[] head, string? expected) =>
        Assert.Equal(expected, AudioProbe.Sniff(head));

    [Theory]
    [InlineData("RIFF", "WAVE", "audio/wav")]
    [InlineData("RIFF", "AVI ", null)]
    [InlineData("RIFF", "WEBP", null)]
    [InlineData("RIFX", "WAVE", null)]
    public void A_riff_file_is_audio_only_when_its_form_is_wave(string chunk, string form, string? expected) =>
        Assert.Equal(expected, AudioProbe.Sniff([.. Encoding.ASCII.GetBytes(chunk), 0x24, 0x08, 0, 0, .. Encoding.ASCII.GetBytes(form), .. "fmt "u8]));

    [Theory]
    [InlineData("M4A ", "audio/mp4")]
    [InlineData("M4B ", "audio/mp4")]
    [InlineData("isom", null)]
    [InlineData("qt  ", null)]
    public void An_ftyp_box_sniffs_as_audio_only_for_audio_brands(string brand, string? expected) =>
        Assert.Equal(expected, AudioProbe.Sniff([0, 0, 0, 0x20, .. "ftyp"u8, .. Encoding.ASCII.GetBytes(brand), 0, 0, 2, 0]));

    [Theory]
    [InlineData("audio/mpeg", AssetKind.Audio, "audio/mpeg")]
    [InlineData("audio/wav", AssetKind.Audio, "audio/wav")]
    [InlineData("audio/mp4", AssetKind.Audio, "audio/mp4")]
    [InlineData("audio/mp4", AssetKind.Video, null)]
    [InlineData("audio/mpeg", AssetKind.Video, null)]
    [InlineData("audio/wav", AssetKind.Image, null)]
    [InlineData("image/png", AssetKind.Audio, null)]
    [InlineData("video/webm", AssetKind.Audio, null)]
    [InlineData("video/quicktime", AssetKind.Audio, null)]
    public void An_upload_is_usable_only_by_fields_of_its_kind(string sniffed, AssetKind kind, string? expected) =>
        Assert.Equal(expected, Upload(sniffed).SniffedMediaType(kind));

    [Theory]
    [InlineData("video/ogg", AssetKind.Audio, "audio/ogg")]
    [InlineData("video/ogg", AssetKind.Video, "video/ogg")]
    [InlineData("video/mp4", AssetKind.Audio, "audio/mp4")]
    [InlineData("video/mp4", AssetKind.Video, "video/mp4")]
    public void Ogg_and_mp4_uploads_count_as_audio_for_audio_fields_since_the_probe_decides(string sniffed, AssetKind kind, string expected) =>
        Assert.Equal(expected, Upload(sniffed).SniffedMediaType(kind));

    private static UploadRecord Upload(string mediaType) => new("id", "file", 1000, mediaType, "uploads/id");
}
