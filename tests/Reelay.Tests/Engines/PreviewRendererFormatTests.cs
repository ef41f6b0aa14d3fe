using System.IO.Compression;
using System.Text.Json;
using Reelay.Server.Features.Engines.Preview;
using static Reelay.Tests.Engines.PreviewOutputSupport;

namespace Reelay.Tests.Engines;

/// <summary>Every output format rendered for real and checked the way a user would: ffprobe, and the zip's contents.</summary>
[Trait("Database", "independent")] // the renderer in-process: no server, no database
public sealed class PreviewRendererFormatTests : PreviewTempDirectory
{
    [Theory]
    [InlineData("mp4", false, "h264", "yuv420p", null, null)]
    [InlineData("mp4", true, "h264", "yuv420p", null, null)]
    [InlineData("prores", false, "prores", "yuva444p12le", "bt709", "bt709")]
    [InlineData("prores", true, "prores", "yuva444p12le", "bt709", "bt709")]
    [InlineData("hdr10", false, "hevc", "yuv420p10le", "smpte2084", "bt2020")]
    [InlineData("hdr10", true, "hevc", "yuv420p10le", "smpte2084", "bt2020")]
    [InlineData("hlg", true, "hevc", "yuv420p10le", "arib-std-b67", "bt2020")]
    [InlineData("sdr_rec709_10bit", true, "hevc", "yuv420p10le", "bt709", "bt709")]
    [InlineData("hdr_pq_12bit_master", false, "hevc", "yuv444p12le", "smpte2084", "bt2020")]
    [InlineData("hdr_pq_12bit_master", true, "hevc", "yuv444p12le", "smpte2084", "bt2020")]
    [InlineData("hdr_prores", false, "prores", "yuv422p10le", "smpte2084", "bt2020")]
    [InlineData("hdr_prores", true, "prores", "yuv422p10le", "smpte2084", "bt2020")]
    public async Task Video_formats_have_their_codec_bit_depth_colour_tags_and_length_and_audio_only_when_asked(
        string format, bool audio, string codec, string pixelFormat, string? transfer, string? primaries)
    {
        var output = Path.Combine(Root, "out", "clip" + PreviewOutputs.For(format).Extension);
        var request = new PreviewRenderRequest(320, 180, 1.5, 5, null, "formats", output) { OutputFormat = format, Audio = audio };

        await PreviewRenderer.RenderAsync(request, _ => { }, CancellationToken.None);

        var media = await ProbeStreamsAsync(output);
        Assert.Equal((codec, pixelFormat, 320, 180), (media.Video.Codec, media.Video.PixelFormat, media.Video.Width, media.Video.Height));
        Assert.Equal((transfer, primaries), (media.Video.Transfer, media.Video.Primaries));
        Assert.InRange(media.DurationSeconds, 1.4, 1.6);
        Assert.Equal(audio, media.Audio is not null);
        if (audio)
        {
            Assert.Equal("aac", media.Audio!.Codec);
            Assert.InRange(media.Audio.DurationSeconds ?? 0, 1.47, 1.53);
        }

        Assert.Equal([Path.GetFileName(output)], Directory.GetFileSystemEntries(Path.GetDirectoryName(output)!).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("prores", "422 Proxy", "Proxy", "yuv422p10le")]
    [InlineData("prores", "422 LT", "LT", "yuv422p10le")]
    [InlineData("prores", "422", "Standard", "yuv422p10le")]
    [InlineData("prores", "422 HQ", "HQ", "yuv422p10le")]
    [InlineData("prores", "4444", "4444", "yuva444p12le")]
    [InlineData("prores", "4444 XQ", "XQ", "yuva444p12le")]
    [InlineData("hdr_prores", null, "HQ", "yuv422p10le")]
    [InlineData("hdr_prores", "4444", "4444", "yuva444p12le")]
    public async Task ProRes_profiles_are_the_ones_ffprobe_reports(string format, string? profile, string reported, string pixelFormat)
    {
        var output = Path.Combine(Root, "prores.mov");
        var request = new PreviewRenderRequest(320, 180, 1, 3, null, null, output) { OutputFormat = format, ProresProfile = profile };

        await PreviewRenderer.RenderAsync(request, _ => { }, CancellationToken.None);

        var video = (await ProbeStreamsAsync(output)).Video;
        Assert.Equal(("prores", reported, pixelFormat), (video.Codec, video.Profile, video.PixelFormat));
    }

    [Theory]
    [InlineData("png_sequence", false, "rgb24")]
    [InlineData("png_sequence", true, "rgb24")]
    [InlineData("hdr_png_sequence", false, "rgb48be")]
    [InlineData("hdr_png_sequence", true, "rgb48be")]
    [InlineData("hdr_exr_sequence", false, "gbrpf32le")]
    [InlineData("hdr_exr_sequence", true, "gbrpf32le")]
    [InlineData("hdr_exr_acescg_sequence_1_3", true, "gbrpf32le")]
    [InlineData("hdr_exr_acescg_sequence_2_0", false, "gbrpf32le")]
    public async Task Sequence_formats_zip_24_frames_a_second_with_colour_metadata_and_audio_only_when_asked(
        string format, bool audio, string pixelFormat)
    {
        var output = Path.Combine(Root, "out", "frames.zip");
        var request = new PreviewRenderRequest(320, 180, 2, 8, null, "sequence", output) { OutputFormat = format, Audio = audio };

        await PreviewRenderer.RenderAsync(request, _ => { }, CancellationToken.None);

        using var zip = ZipFile.OpenRead(output);
        var extension = format.Contains("exr", StringComparison.Ordinal) ? ".exr" : ".png";
        var frames = zip.Entries.Where(e => e.Name.StartsWith("frame.", StringComparison.Ordinal)).Select(e => e.Name).ToList();
        Assert.InRange(frames.Count, 47, 49);
        Assert.Equal($"frame.0001{extension}", frames[0]);
        Assert.Equal($"frame.{frames.Count:0000}{extension}", frames[^1]);

        var frame = (await ProbeStreamsAsync(ExtractEntry(zip, frames[0], Root), still: true)).Video;
        Assert.Equal((320, 180, pixelFormat), (frame.Width, frame.Height, frame.PixelFormat));

        Assert.Equal(audio, zip.GetEntry("audio.wav") is not null);
        if (audio)
        {
            var wav = (await ProbeStreamsAsync(ExtractEntry(zip, "audio.wav", Root))).Audio!;
            Assert.Equal("pcm_s16le", wav.Codec);
            Assert.InRange(wav.DurationSeconds ?? 0, 1.98, 2.02);
        }

        Assert.Equal(format != "png_sequence", zip.GetEntry("colorimetry.json") is not null);
        Assert.Equal(format.Contains("acescg", StringComparison.Ordinal), zip.GetEntry("provenance.json") is not null);
        Assert.Equal(["frames.zip"], Directory.GetFileSystemEntries(Path.GetDirectoryName(output)!).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Hdr_png_frames_are_16_bit_and_carry_a_pq_cicp_chunk_and_honest_colorimetry()
    {
        var output = Path.Combine(Root, "hdr-png.zip");
        var request = new PreviewRenderRequest(320, 180, 1, 2, null, "pq", output) { OutputFormat = "hdr_png_sequence" };

        await PreviewRenderer.RenderAsync(request, _ => { }, CancellationToken.None);

        using var zip = ZipFile.OpenRead(output);
        var png = ReadAll(zip.GetEntry("frame.0001.png")!);
        Assert.Equal(16, png[24]); // IHDR bit depth
        var chunks = PngChunks(png);
        Assert.Equal(["IHDR", "cICP"], chunks.Take(2));
        var cicp = png.AsSpan(33 + 8, 4).ToArray();
        Assert.Equal(new byte[] { 9, 16, 0, 1 }, cicp);

        using var colorimetry = JsonDocument.Parse(ReadAll(zip.GetEntry("colorimetry.json")!));
        Assert.True(colorimetry.RootElement.GetProperty("preview").GetBoolean());
        Assert.Equal("bt2020", colorimetry.RootElement.GetProperty("primaries").GetString());
        Assert.Equal("smpte2084", colorimetry.RootElement.GetProperty("transfer").GetString());
    }

    [Theory]
    [InlineData("hdr_exr_sequence", 0.64f, null)]
    [InlineData("hdr_exr_acescg_sequence_1_3", 0.713f, "1.3")]
    [InlineData("hdr_exr_acescg_sequence_2_0", 0.713f, "2.0")]
    public async Task Exr_frames_are_half_float_with_chromaticities_and_the_acescg_ones_have_provenance(
        string format, float redX, string? acesVersion)
    {
        var output = Path.Combine(Root, "exr.zip");
        var request = new PreviewRenderRequest(320, 180, 1, 2, null, "linear", output) { OutputFormat = format };

        await PreviewRenderer.RenderAsync(request, _ => { }, CancellationToken.None);

        using var zip = ZipFile.OpenRead(output);
        var attributes = ExrAttributes(ReadAll(zip.GetEntry("frame.0001.exr")!));
        Assert.All(ExrChannelTypes(attributes["channels"].Value).Values, type => Assert.Equal(1, type)); // 1 = HALF
        Assert.Equal("chromaticities", attributes["chromaticities"].Type);
        Assert.Equal(redX, BitConverter.ToSingle(attributes["chromaticities"].Value, 0));

        using var colorimetry = JsonDocument.Parse(ReadAll(zip.GetEntry("colorimetry.json")!));
        Assert.Equal("linear", colorimetry.RootElement.GetProperty("transfer").GetString());
        Assert.True(colorimetry.RootElement.GetProperty("preview").GetBoolean());
        if (acesVersion is not null)
        {
            using var provenance = JsonDocument.Parse(ReadAll(zip.GetEntry("provenance.json")!));
            Assert.Equal(acesVersion, provenance.RootElement.GetProperty("acesVersion").GetString());
            Assert.Equal("ACEScg", provenance.RootElement.GetProperty("colorSpace").GetString());
        }
    }

    [Theory]
    [InlineData("hdr10", 572)]             // PQ of 203 cd/m² is 0.581: 64 + 0.581 * 876 in 10-bit limited range
    [InlineData("hlg", 721)]               // HLG reference white is 75 % signal: 64 + 0.75 * 876
    [InlineData("sdr_rec709_10bit", 940)]  // plain 10-bit white
    public async Task Sdr_white_lands_on_the_reference_white_of_each_10_bit_format(string format, double expectedLuma)
    {
        var white = await MakeSolidImageAsync(Inputs, "white.png", "white");
        var output = Path.Combine(Root, "white.mp4");
        var request = new PreviewRenderRequest(320, 180, 1, 2, null, null, output) { OutputFormat = format, Keyframes = [new PreviewKeyframe(white, 0)] };

        await PreviewRenderer.RenderAsync(request, _ => { }, CancellationToken.None);

        Assert.InRange(await AverageLumaAsync(output, 0), expectedLuma - 8, expectedLuma + 8);
    }

    [Fact]
    public async Task The_same_sequence_request_renders_a_byte_identical_zip()
    {
        var a = Path.Combine(Root, "a.zip");
        var b = Path.Combine(Root, "b.zip");

        await PreviewRenderer.RenderAsync(new PreviewRenderRequest(160, 90, 1, 4, null, "same", a) { OutputFormat = "png_sequence", Audio = true }, _ => { }, CancellationToken.None);
        await PreviewRenderer.RenderAsync(new PreviewRenderRequest(160, 90, 1, 4, null, "same", b) { OutputFormat = "png_sequence", Audio = true }, _ => { }, CancellationToken.None);

        Assert.Equal(await File.ReadAllBytesAsync(a), await File.ReadAllBytesAsync(b));
    }

    private static byte[] ReadAll(ZipArchiveEntry entry)
    {
        using var stream = entry.Open();
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}
