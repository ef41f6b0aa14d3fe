using System.Buffers.Binary;
using System.Diagnostics;
using Reelay.Server.Features.Assets;
using Xunit;

namespace Reelay.Tests.Assets;

/// <summary>Real encoder output, made once per test class by ffmpeg in a temporary directory.</summary>
public sealed class FfmpegImages : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("reelay-imghdr-").FullName;

    public FfmpegImages()
    {
        const string source = "testsrc=size=640x360";
        Png = Encode("out.png", source);
        Jpeg = Encode("out.jpg", source);
        LossyWebp = Encode("lossy.webp", source, "-c:v", "libwebp");
        LosslessWebp = Encode("lossless.webp", source, "-c:v", "libwebp", "-lossless", "1");
        // Lossy with a real alpha channel is written as VP8X + ALPH + VP8.
        AlphaWebp = Encode("alpha.webp", source + ",format=rgba,colorchannelmixer=aa=0.5", "-c:v", "libwebp");
    }

    public byte[] Png { get; }
    public byte[] Jpeg { get; }
    public byte[] LossyWebp { get; }
    public byte[] LosslessWebp { get; }
    public byte[] AlphaWebp { get; }

    private byte[] Encode(string name, string lavfiSource, params string[] codec)
    {
        var path = Path.Combine(_dir, name);
        RunFfmpeg(["-v", "error", "-y", "-f", "lavfi", "-i", lavfiSource, "-frames:v", "1", .. codec, path]);
        return File.ReadAllBytes(path);
    }

    /// <summary>Runs ffmpeg and throws with its stderr when it fails, so a broken fixture explains itself.</summary>
    public static void RunFfmpeg(IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("ffmpeg did not start.");
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"ffmpeg exited with {process.ExitCode}: {stderr}");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}

public sealed class ImageHeadersTests(FfmpegImages images) : IClassFixture<FfmpegImages>
{
    [Fact]
    public void A_png_reports_its_real_width_and_height() =>
        Assert.Equal(new ImageInfo("image/png", 640, 360), ImageHeaders.Read(images.Png));

    [Fact]
    public void A_jpeg_reports_its_real_width_and_height() =>
        Assert.Equal(new ImageInfo("image/jpeg", 640, 360), ImageHeaders.Read(images.Jpeg));

    [Fact]
    public void Lossy_lossless_and_extended_webps_report_their_real_width_and_height()
    {
        Assert.Equal("VP8 ", FourCc(images.LossyWebp));
        Assert.Equal("VP8L", FourCc(images.LosslessWebp));
        Assert.Equal("VP8X", FourCc(images.AlphaWebp));
        foreach (var webp in new[] { images.LossyWebp, images.LosslessWebp, images.AlphaWebp })
            Assert.Equal(new ImageInfo("image/webp", 640, 360), ImageHeaders.Read(webp));
    }

    [Fact]
    public void A_png_with_a_corrupted_ihdr_crc_is_rejected()
    {
        var png = images.Png.ToArray();
        png[29] ^= 0x01; // last byte of the IHDR CRC
        Assert.Null(ImageHeaders.Read(png));
    }

    [Fact]
    public void A_png_whose_ihdr_size_was_edited_without_fixing_the_crc_is_rejected()
    {
        var png = images.Png.ToArray();
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(16), 64);
        Assert.Null(ImageHeaders.Read(png));
    }

    [Fact]
    public void A_png_cut_right_after_ihdr_or_anywhere_before_iend_is_rejected()
    {
        foreach (var length in new[] { 33, 37, 41, images.Png.Length / 2, images.Png.Length - 1 })
            Assert.Null(ImageHeaders.Read(images.Png.AsSpan(0, length)));
    }

    [Fact]
    public void A_png_without_image_data_is_rejected()
    {
        var png = BuildPng(640, 360, idat: false);
        Assert.Null(ImageHeaders.Read(png));
        Assert.NotNull(ImageHeaders.Read(BuildPng(640, 360, idat: true)));
    }

    [Fact]
    public void A_png_claiming_100000_by_100000_reports_those_dimensions_without_allocating_for_them()
    {
        var png = BuildPng(100_000, 100_000, idat: true);
        ImageHeaders.Read(png); // warm up: JIT and the CRC table are one-off costs
        var before = GC.GetAllocatedBytesForCurrentThread();
        var info = ImageHeaders.Read(png);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(new ImageInfo("image/png", 100_000, 100_000), info);
        Assert.True(allocated < 1024, $"allocated {allocated} bytes");
    }

    [Fact]
    public void A_png_with_zero_width_is_rejected_even_with_a_valid_crc() =>
        Assert.Null(ImageHeaders.Read(BuildPng(0, 360, idat: true)));

    [Fact]
    public void A_jpeg_cut_before_its_frame_header_is_rejected()
    {
        var sof = images.Jpeg.AsSpan().IndexOf(new byte[] { 0xFF, 0xC0 });
        Assert.True(sof > 2);
        Assert.Null(ImageHeaders.Read(images.Jpeg.AsSpan(0, sof)));
        Assert.Null(ImageHeaders.Read(images.Jpeg.AsSpan(0, sof + 6))); // inside the SOF segment
    }

    [Fact]
    public void Jpegs_with_a_zero_height_or_a_segment_shorter_than_its_length_field_are_rejected()
    {
        byte[] zeroHeight = [0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x00, 0x01, 0x00, 0x01, 0x01, 0x11, 0x00];
        byte[] shortSegment = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x01, 0xFF, 0xC0];
        byte[] valid = [0xFF, 0xD8, 0xFF, 0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x10, 0x00, 0x20, 0x01, 0x01, 0x11, 0x00];
        Assert.Null(ImageHeaders.Read(zeroHeight));
        Assert.Null(ImageHeaders.Read(shortSegment));
        Assert.Equal(new ImageInfo("image/jpeg", 32, 16), ImageHeaders.Read(valid)); // fill byte before the marker
    }

    [Fact]
    public void A_webp_whose_riff_size_claims_more_than_the_file_holds_is_rejected()
    {
        foreach (var webp in new[] { images.LossyWebp, images.LosslessWebp, images.AlphaWebp })
        {
            var cut = webp[..(webp.Length - 1)];
            Assert.Null(ImageHeaders.Read(cut));
            Assert.Null(ImageHeaders.Read(new NonSeekableStream(cut)));
        }
    }

    [Fact]
    public void A_webp_canvas_without_any_frame_is_rejected()
    {
        byte[] vp8x = [.. "RIFF"u8, 22, 0, 0, 0, .. "WEBPVP8X"u8, 10, 0, 0, 0, 0, 0, 0, 0, 0x7F, 0x02, 0x00, 0x67, 0x01, 0x00];
        Assert.Null(ImageHeaders.Read(vp8x));
    }

    [Fact]
    public void Random_bytes_and_empty_input_are_rejected()
    {
        Assert.Null(ImageHeaders.Read(ReadOnlySpan<byte>.Empty));
        Assert.Null(ImageHeaders.Read(new MemoryStream()));
        var random = new Random(1234);
        for (var i = 0; i < 200; i++)
        {
            var bytes = new byte[random.Next(0, 4096)];
            random.NextBytes(bytes);
            Assert.Null(ImageHeaders.Read(bytes));
        }
    }

    [Fact]
    public void Mangled_files_never_throw_and_both_overloads_agree()
    {
        var random = new Random(42);
        foreach (var original in AllFixtures())
        {
            for (var i = 0; i < 300; i++)
            {
                var bytes = original[..random.Next(0, original.Length + 1)];
                for (var flips = random.Next(0, 4); flips > 0 && bytes.Length > 0; flips--)
                    bytes[random.Next(Math.Min(bytes.Length, 64))] = (byte)random.Next(256);
                AssertOverloadsAgree(bytes);
            }
        }
    }

    [Fact]
    public void The_stream_overload_agrees_with_the_span_overload_and_leaves_a_seekable_stream_where_it_was()
    {
        foreach (var bytes in AllFixtures())
        {
            AssertOverloadsAgree(bytes);
            using var stream = new MemoryStream([0xAA, .. bytes]) { Position = 1 };
            Assert.NotNull(ImageHeaders.Read(stream));
            Assert.Equal(1, stream.Position);
        }
    }

    [Fact]
    public void The_stream_overload_stops_reading_a_jpeg_at_its_frame_header()
    {
        using var stream = new NonSeekableStream(images.Jpeg);
        Assert.NotNull(ImageHeaders.Read(stream));
        Assert.True(stream.BytesRead < 1024, $"read {stream.BytesRead} bytes");
    }

    [Theory]
    [InlineData("image/jpeg", "image/jpeg")]
    [InlineData("image/jpg", "image/jpeg")]
    [InlineData("IMAGE/JPG", "image/jpeg")]
    [InlineData("Image/Png", "image/png")]
    [InlineData("image/webp", "image/webp")]
    [InlineData("image/gif", null)]
    [InlineData("image/svg+xml", null)]
    [InlineData("text/plain", null)]
    [InlineData("", null)]
    public void NormalizeMediaType_lowercases_maps_jpg_and_refuses_the_rest(string declared, string? expected) =>
        Assert.Equal(expected, ImageHeaders.NormalizeMediaType(declared));

    private IEnumerable<byte[]> AllFixtures() =>
        [images.Png, images.Jpeg, images.LossyWebp, images.LosslessWebp, images.AlphaWebp];

    private static void AssertOverloadsAgree(byte[] bytes)
    {
        var expected = ImageHeaders.Read(bytes);
        Assert.Equal(expected, ImageHeaders.Read(new MemoryStream(bytes)));
        Assert.Equal(expected, ImageHeaders.Read(new NonSeekableStream(bytes)));
    }

    private static string FourCc(byte[] webp) => System.Text.Encoding.ASCII.GetString(webp, 12, 4);

    /// <summary>A minimal PNG: signature, IHDR (8-bit RGB), an optional IDAT and IEND, all with correct CRCs.</summary>
    private static byte[] BuildPng(uint width, uint height, bool idat)
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8;
        ihdr[9] = 2;
        byte[] signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        return [.. signature, .. Chunk("IHDR", ihdr), .. idat ? Chunk("IDAT", [0x78, 0x9C, 0x03, 0x00]) : [], .. Chunk("IEND", [])];
    }

    private static byte[] Chunk(string type, byte[] data)
    {
        var chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(chunk, (uint)data.Length);
        System.Text.Encoding.ASCII.GetBytes(type, chunk.AsSpan(4));
        data.CopyTo(chunk, 8);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32(chunk.AsSpan(4, 4 + data.Length)));
        return chunk;
    }

    /// <summary>Bit-at-a-time CRC-32, independent of the table-driven one under test.</summary>
    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & (uint)-(int)(crc & 1));
        }
        return ~crc;
    }

    /// <summary>A forward-only stream, like a request body, that counts what was read from it.</summary>
    private sealed class NonSeekableStream(byte[] bytes) : Stream
    {
        private readonly MemoryStream _inner = new(bytes);
        public long BytesRead { get; private set; }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
        public override int Read(Span<byte> buffer)
        {
            var n = _inner.Read(buffer);
            BytesRead += n;
            return n;
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override void Flush() { }
    }
}
