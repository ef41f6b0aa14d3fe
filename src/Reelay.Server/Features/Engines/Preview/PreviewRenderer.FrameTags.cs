using System.Buffers.Binary;
using System.Text;

namespace Reelay.Server.Features.Engines.Preview;

// Colour tags that ffmpeg 5.x cannot write into still frames, added while the frames are copied into the zip:
// a PNG cICP chunk (BT.2020 / PQ) and an OpenEXR chromaticities attribute (BT.709 or ACES AP1), so each frame says
// what it holds without colorimetry.json.
public static partial class PreviewRenderer
{
    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>cICP for BT.2020 primaries (9), PQ (16), RGB (matrix 0), full range (1).</summary>
    private static readonly byte[] PqCicp = [9, 16, 0, 1];

    private const int ExrMagic = 20000630;

    /// <summary>Copies a PNG, inserting a cICP chunk right after IHDR (it must precede PLTE/IDAT).</summary>
    internal static async Task CopyPngWithCicpAsync(Stream input, Stream output, CancellationToken cancellationToken)
    {
        // Signature (8) + IHDR chunk (4 length + 4 type + 13 data + 4 CRC).
        var head = new byte[33];
        await input.ReadExactlyAsync(head, cancellationToken).ConfigureAwait(false);
        if (!head.AsSpan(0, 8).SequenceEqual(PngSignature) || !head.AsSpan(12, 4).SequenceEqual("IHDR"u8))
        {
            throw new PreviewRenderException("ffmpeg wrote a PNG frame without the expected IHDR header.");
        }

        var chunk = new byte[4 + 4 + PqCicp.Length + 4];
        BinaryPrimitives.WriteUInt32BigEndian(chunk, (uint)PqCicp.Length);
        "cICP"u8.CopyTo(chunk.AsSpan(4));
        PqCicp.CopyTo(chunk.AsSpan(8));
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + PqCicp.Length), Crc32(chunk.AsSpan(4, 4 + PqCicp.Length)));

        await output.WriteAsync(head, cancellationToken).ConfigureAwait(false);
        await output.WriteAsync(chunk, cancellationToken).ConfigureAwait(false);
        await input.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Copies a single-part scanline OpenEXR, adding a chromaticities attribute to its header and shifting the chunk
    /// offset table (absolute file positions) by the bytes inserted. Other layouts are copied unchanged.
    /// </summary>
    internal static async Task CopyExrWithChromaticitiesAsync(Stream input, Stream output, float[] chromaticities, CancellationToken cancellationToken)
    {
        using var reader = new BinaryReader(input, Encoding.ASCII, leaveOpen: true);
        var header = new MemoryStream();
        var (chunks, terminated) = ReadExrHeader(reader, header);
        if (chunks == 0)
        {
            if (terminated)
            {
                header.WriteByte(0);
            }

            await output.WriteAsync(header.ToArray(), cancellationToken).ConfigureAwait(false);
            await input.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
            return;
        }

        var value = new byte[chromaticities.Length * 4];
        for (var i = 0; i < chromaticities.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(value.AsSpan(i * 4), chromaticities[i]);
        }

        var before = header.Length;
        WriteAttribute(header, "chromaticities", "chromaticities", value);
        header.WriteByte(0);
        var shift = (ulong)(header.Length - before);

        var offset = new byte[8];
        for (var i = 0; i < chunks; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(offset, reader.ReadUInt64() + shift);
            header.Write(offset);
        }

        await output.WriteAsync(header.ToArray(), cancellationToken).ConfigureAwait(false);
        await input.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Copies the header up to (not including) its terminating zero into <paramref name="header"/>; returns the
    /// number of chunk offsets that follow (0: copy the file unchanged) and whether the terminator was consumed.
    /// </summary>
    private static (int Chunks, bool Terminated) ReadExrHeader(BinaryReader reader, MemoryStream header)
    {
        var magic = reader.ReadInt32();
        var version = reader.ReadInt32();
        WriteInt32(header, magic);
        WriteInt32(header, version);
        // Bits 9 (tiled), 10 (long names), 11 (deep) and 12 (multi-part) change the layout: leave such files alone.
        var simple = magic == ExrMagic && (version & 0x1E00) == 0;
        var patchable = simple;
        int yMin = 0, yMax = -1, compression = -1;
        while (simple && ReadNullTerminated(reader) is { Length: > 0 } name)
        {
            var type = ReadNullTerminated(reader);
            var value = reader.ReadBytes(reader.ReadInt32());
            WriteAttribute(header, name, type, value);
            patchable &= name != "chromaticities";
            if (name == "dataWindow" && value.Length == 16)
            {
                yMin = BinaryPrimitives.ReadInt32LittleEndian(value.AsSpan(4));
                yMax = BinaryPrimitives.ReadInt32LittleEndian(value.AsSpan(12));
            }
            else if (name == "compression" && value.Length == 1)
            {
                compression = value[0];
            }
        }

        var linesPerChunk = ExrLinesPerChunk(compression);
        var chunks = patchable && linesPerChunk > 0 && yMax >= yMin ? (yMax - yMin + linesPerChunk) / linesPerChunk : 0;
        return (chunks, simple);
    }

    // Scanlines per chunk for each OpenEXR compression (0 = unknown: do not touch the offsets).
    private static int ExrLinesPerChunk(int compression) => compression switch
    {
        0 or 1 or 2 => 1,   // none, RLE, ZIPS
        3 or 5 => 16,       // ZIP, PXR24
        4 or 6 or 7 or 8 => 32, // PIZ, B44, B44A, DWAA
        9 => 256,           // DWAB
        _ => 0,
    };

    private static string ReadNullTerminated(BinaryReader reader)
    {
        var text = new StringBuilder();
        for (var b = reader.ReadByte(); b != 0; b = reader.ReadByte())
        {
            text.Append((char)b);
        }

        return text.ToString();
    }

    private static void WriteAttribute(MemoryStream header, string name, string type, byte[] value)
    {
        header.Write(Encoding.ASCII.GetBytes(name));
        header.WriteByte(0);
        header.Write(Encoding.ASCII.GetBytes(type));
        header.WriteByte(0);
        WriteInt32(header, value.Length);
        header.Write(value);
    }

    private static void WriteInt32(MemoryStream stream, int value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, value);
        stream.Write(bytes);
    }

    /// <summary>The CRC-32 PNG chunks carry (bitwise: it only ever covers a few bytes here).</summary>
    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
            }
        }

        return ~crc;
    }
}
