using System.Buffers.Binary;

namespace Reelay.Server.Features.Assets;

/// <summary>The real format and pixel size of an image, as its own header states them.</summary>
/// <param name="MediaType"><c>image/png</c>, <c>image/jpeg</c> or <c>image/webp</c>.</param>
public sealed record ImageInfo(string MediaType, int Width, int Height);

/// <summary>
/// Reads image headers without decoding pixels, so a hostile upload can neither lie about its
/// format nor make us allocate for its claimed size. Every read is bounds-checked: malformed
/// input yields <c>null</c>, never an exception. Memory use is a few KiB of stack whatever the input.
/// </summary>
public static class ImageHeaders
{
    private const string Png = "image/png", Jpeg = "image/jpeg", Webp = "image/webp";
    private static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Returns the image's real format and size, or null when it is not a well-formed PNG, JPEG or WebP.</summary>
    public static ImageInfo? Read(ReadOnlySpan<byte> data)
    {
        var source = new Source(data);
        return Dispatch(ref source);
    }

    /// <summary>
    /// Same as the span overload, reading from the stream's current position. Chunk and segment bodies are
    /// skipped by seeking (or read-and-discard when the stream cannot seek), so memory stays bounded whatever
    /// the stream's size. A seekable stream is put back where it was, so the caller can store it afterwards.
    /// I/O errors of the stream itself propagate: they say nothing about the image.
    /// </summary>
    public static ImageInfo? Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead) throw new ArgumentException("The stream must be readable.", nameof(stream));
        var start = stream.CanSeek ? stream.Position : -1;
        try
        {
            var source = new Source(stream);
            return Dispatch(ref source);
        }
        finally
        {
            if (start >= 0) stream.Position = start;
        }
    }

    /// <summary>Lower-cases a declared media type and maps the common alias image/jpg; null when unsupported.</summary>
    public static string? NormalizeMediaType(string mediaType) =>
        mediaType?.Trim().ToLowerInvariant() switch
        {
            "image/jpeg" or "image/jpg" => Jpeg,
            "image/png" => Png,
            "image/webp" => Webp,
            _ => null,
        };

    private static ImageInfo? Dispatch(ref Source src)
    {
        // Read the magic in steps so that a 2-byte-short JPEG is not rejected for lacking 12 bytes.
        Span<byte> magic = stackalloc byte[12];
        if (!src.Read(magic[..2])) return null;
        if (magic[0] == 0xFF && magic[1] == 0xD8) return ReadJpeg(ref src);
        if (!src.Read(magic[2..8])) return null;
        if (magic[..8].SequenceEqual(PngSignature)) return ReadPng(ref src);
        if (!src.Read(magic[8..])) return null;
        if (!magic[..4].SequenceEqual("RIFF"u8) || !magic[8..].SequenceEqual("WEBP"u8)) return null;
        // The RIFF size counts everything after itself, "WEBP" included; a larger claim means truncation.
        long riffSize = BinaryPrimitives.ReadUInt32LittleEndian(magic[4..8]);
        if (riffSize < 4) return null;
        var remaining = src.Remaining;
        if (remaining >= 0 && riffSize - 4 > remaining) return null;
        // Requiring every byte the RIFF claims also catches truncation on streams that cannot tell their length.
        var info = ReadWebp(ref src, riffSize - 4);
        return info is not null && src.Skip(8 + riffSize - src.Position) ? info : null;
    }

    private static ImageInfo? ReadPng(ref Source src)
    {
        // Length, "IHDR", 13 data bytes, CRC: the CRC proves the size fields are the ones the encoder wrote.
        Span<byte> ihdr = stackalloc byte[25];
        if (!src.Read(ihdr)) return null;
        if (BinaryPrimitives.ReadUInt32BigEndian(ihdr) != 13 || !ihdr[4..8].SequenceEqual("IHDR"u8)) return null;
        if (Crc32(ihdr[4..21]) != BinaryPrimitives.ReadUInt32BigEndian(ihdr[21..])) return null;
        var width = BinaryPrimitives.ReadUInt32BigEndian(ihdr[8..]);
        var height = BinaryPrimitives.ReadUInt32BigEndian(ihdr[12..]);
        if (width is 0 or > int.MaxValue || height is 0 or > int.MaxValue) return null;
        byte depth = ihdr[16], colorType = ihdr[17];
        var depthOk = colorType switch
        {
            0 => depth is 1 or 2 or 4 or 8 or 16,
            3 => depth is 1 or 2 or 4 or 8,
            2 or 4 or 6 => depth is 8 or 16,
            _ => false,
        };
        if (!depthOk || ihdr[18] != 0 || ihdr[19] != 0 || ihdr[20] > 1) return null;

        // Walk the remaining chunk headers: a file without image data or cut before IEND is not a PNG.
        Span<byte> header = stackalloc byte[8];
        var sawIdat = false;
        while (src.Read(header))
        {
            var length = BinaryPrimitives.ReadUInt32BigEndian(header);
            var type = header[4..];
            if (length > int.MaxValue) return null;
            foreach (var c in type)
                if (c is not (>= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z')) return null;
            if (type.SequenceEqual("IEND"u8))
                return length == 0 && src.Skip(4) && sawIdat ? new ImageInfo(Png, (int)width, (int)height) : null;
            sawIdat |= type.SequenceEqual("IDAT"u8);
            if (!src.Skip(length + 4L)) return null; // data + CRC
        }
        return null;
    }

    private static ImageInfo? ReadJpeg(ref Source src)
    {
        Span<byte> seg = stackalloc byte[7];
        while (true)
        {
            // Between segments there must be a marker; extra 0xFF bytes before it are legal fill.
            if (!src.ReadByte(out var b) || b != 0xFF) return null;
            do { if (!src.ReadByte(out b)) return null; } while (b == 0xFF);
            if (b is >= 0xD0 and <= 0xD7 or 0x01) continue; // standalone markers carry no length
            if (b is 0x00 or 0xD8 or 0xD9 or 0xDA) return null; // stuffing, second SOI, EOI or scan before any frame header
            if (!src.Read(seg[..2])) return null;
            int length = BinaryPrimitives.ReadUInt16BigEndian(seg);
            if (length < 2) return null;
            if (b is >= 0xC0 and <= 0xCF and not (0xC4 or 0xC8 or 0xCC))
            {
                // SOF: precision, height, width, component count, then 3 bytes per component.
                if (length < 8 || !src.Read(seg[2..7])) return null;
                int height = BinaryPrimitives.ReadUInt16BigEndian(seg[3..]);
                int width = BinaryPrimitives.ReadUInt16BigEndian(seg[5..]);
                if (width == 0 || height == 0) return null;
                if (!src.ReadByte(out var components) || components == 0 || length != 8 + 3 * components) return null;
                return src.Skip(3 * components) ? new ImageInfo(Jpeg, width, height) : null;
            }
            if (!src.Skip(length - 2)) return null;
        }
    }

    private static ImageInfo? ReadWebp(ref Source src, long budget)
    {
        Span<byte> chunk = stackalloc byte[18];
        if (!NextChunk(ref src, ref budget, chunk, out var size)) return null;
        var fourCc = chunk[..4];
        var body = chunk[8..];
        if (fourCc.SequenceEqual("VP8 "u8))
        {
            // Lossy: 3-byte frame tag, start code, then 14-bit sizes (the top 2 bits are scaling).
            if (size < 10 || !src.Read(body)) return null;
            // Mirror libwebp's VP8GetInfo: a shown key frame, profile 0-3, first partition inside the chunk.
            var tag = body[0] | body[1] << 8 | body[2] << 16;
            if ((tag & 1) != 0 || (tag >> 1 & 7) > 3 || (tag >> 4 & 1) == 0 || tag >> 5 >= size) return null;
            if (body[3] != 0x9D || body[4] != 0x01 || body[5] != 0x2A) return null;
            var width = BinaryPrimitives.ReadUInt16LittleEndian(body[6..]) & 0x3FFF;
            var height = BinaryPrimitives.ReadUInt16LittleEndian(body[8..]) & 0x3FFF;
            return width == 0 || height == 0 ? null : new ImageInfo(Webp, width, height);
        }
        if (fourCc.SequenceEqual("VP8L"u8))
        {
            // Lossless: signature byte, then width-1 and height-1 in 14 bits each, alpha bit, 3-bit version 0.
            if (size < 5 || !src.Read(body[..5]) || body[0] != 0x2F) return null;
            var bits = BinaryPrimitives.ReadUInt32LittleEndian(body[1..]);
            if (bits >> 29 != 0) return null;
            return new ImageInfo(Webp, (int)(bits & 0x3FFF) + 1, (int)(bits >> 14 & 0x3FFF) + 1);
        }
        if (fourCc.SequenceEqual("VP8X"u8))
        {
            // Extended: flags, 3 reserved bytes, 24-bit canvas width-1 and height-1.
            if (size != 10 || !src.Read(body[..10])) return null;
            var w = (body[4] | body[5] << 8 | body[6] << 16) + 1;
            var h = (body[7] | body[8] << 8 | body[9] << 16) + 1;
            if ((long)w * h > uint.MaxValue) return null; // the format's own area limit
            // A canvas without any frame is no image: look for still image data or an animation frame.
            while (NextChunk(ref src, ref budget, chunk, out size))
            {
                if (fourCc.SequenceEqual("VP8 "u8) || fourCc.SequenceEqual("VP8L"u8) || fourCc.SequenceEqual("ANMF"u8))
                    return new ImageInfo(Webp, w, h);
                if (!src.Skip(size + (size & 1))) return null;
            }
        }
        return null;
    }

    /// <summary>Reads a RIFF chunk header into <paramref name="chunk"/>[..8], checking the chunk (and padding) fits in the RIFF.</summary>
    private static bool NextChunk(ref Source src, ref long budget, scoped Span<byte> chunk, out long size)
    {
        size = 0;
        if (budget < 8 || !src.Read(chunk[..8])) return false;
        size = BinaryPrimitives.ReadUInt32LittleEndian(chunk[4..8]);
        var total = 8 + size + (size & 1);
        if (total > budget) return false;
        budget -= total;
        return true;
    }

    private static readonly uint[] CrcTable = BuildCrcTable();

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }

    /// <summary>The CRC-32 PNG uses (ISO 3309, reflected 0xEDB88320); System.IO.Hashing is not a BCL assembly.</summary>
    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data) crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc ^ 0xFFFFFFFFu;
    }

    /// <summary>One cursor over either a span or a stream, so both overloads run the very same checks.</summary>
    private ref struct Source
    {
        private readonly ReadOnlySpan<byte> _span;
        private readonly Stream? _stream;
        private long _pos; // bytes consumed so far, in either mode

        public readonly long Position => _pos;

        public Source(ReadOnlySpan<byte> span) => _span = span;
        public Source(Stream stream) => _stream = stream;

        /// <summary>Bytes left, or -1 when a non-seekable stream cannot tell.</summary>
        public readonly long Remaining =>
            _stream is null ? _span.Length - _pos : _stream.CanSeek ? Math.Max(0, _stream.Length - _stream.Position) : -1;

        public bool Read(scoped Span<byte> dest)
        {
            if (_stream is null)
            {
                if (dest.Length > _span.Length - _pos) return false;
                _span.Slice((int)_pos, dest.Length).CopyTo(dest);
            }
            else if (_stream.ReadAtLeast(dest, dest.Length, throwOnEndOfStream: false) != dest.Length) return false;
            _pos += dest.Length;
            return true;
        }

        public bool ReadByte(out byte value)
        {
            Span<byte> one = stackalloc byte[1];
            var ok = Read(one);
            value = one[0];
            return ok;
        }

        public bool Skip(long count)
        {
            var left = Remaining; // checked first because seeking past the end would not fail
            if (count < 0 || left >= 0 && count > left) return false;
            _pos += count;
            if (_stream is null) return true;
            if (_stream.CanSeek)
            {
                _stream.Seek(count, SeekOrigin.Current);
                return true;
            }
            Span<byte> discard = stackalloc byte[4096];
            for (int n; count > 0; count -= n)
                if ((n = _stream.Read(discard[..(int)Math.Min(count, discard.Length)])) <= 0) return false;
            return true;
        }
    }
}
