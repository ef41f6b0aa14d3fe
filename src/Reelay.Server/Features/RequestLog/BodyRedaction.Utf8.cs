using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Reelay.Server.Features.RequestLog;

// Long strings (a 5 MB data URI, a 13 MB hostile string) summarised from their UTF-8 bytes: the string path would
// decode them into a .NET string twice their size, then copy it again to normalise the base64 — 100 MB for 13 MB.
public static partial class BodyRedaction
{
    /// <summary>Longer text is stored cut (the stored body is cut at 64 KB anyway); the rest of the body is still shown.</summary>
    public const int LongTextBytes = 64 * 1024;

    /// <summary>Base64 is decoded and hashed this many characters at a time (a multiple of 4), not into a buffer of its size.</summary>
    private const int Base64ChunkChars = 16 * 1024;

    /// <summary>
    /// The same summary <see cref="RedactString"/> gives, read from a long string's UTF-8 bytes (unescaped); null: text
    /// of at most <see cref="LongTextBytes"/>, which the string path keeps.
    /// </summary>
    private static string? RedactLongUtf8(ReadOnlySpan<byte> raw)
    {
        if (raw.Length <= LongBase64Chars) return null; // an escaped string may be shorter than its raw bytes
        if (raw.Length >= 5 && Ascii.EqualsIgnoreCase(raw[..5], "data:"u8) && raw.IndexOf((byte)',') is var comma and >= 5 and < 1024)
        {
            var parts = Encoding.UTF8.GetString(raw[5..comma]).Split(';');
            var mediaType = parts[0].Trim().ToLowerInvariant();
            if (mediaType.Length == 0) mediaType = "text/plain";
            var payload = raw[(comma + 1)..];
            if (!parts.Skip(1).Any(p => p.Trim().Equals("base64", StringComparison.OrdinalIgnoreCase))) return Summary(mediaType, payload.Length, SHA256.HashData(payload));
            // Undecodable base64 is summarised by its text, as the string path does (which, unlike this, also decodes
            // some base64 with whitespace inside; here 13 MB of it cannot become a 26 MB string and its copies).
            return HashBase64(payload) is { } decoded
                ? Summary(mediaType, decoded.Length, decoded.Sha256)
                : Summary(mediaType, payload.Length, SHA256.HashData(payload));
        }
        if (!IsBase64Alphabet(raw)) return raw.Length > LongTextBytes ? LongText(raw) : null;
        return HashBase64(raw) is { } bytes
            ? Summary(bytes.Sniffed, bytes.Length, bytes.Sha256)
            : Summary("application/octet-stream", raw.Length, SHA256.HashData(raw));
    }

    /// <summary>A long string value's UTF-8 bytes: its raw bytes, or for an escaped one a copy unescaped (never a .NET string twice its size).</summary>
    private static ReadOnlySpan<byte> Unescaped(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped) return reader.ValueSpan;
        // Not pooled: a pool would keep a 16 MB array for good after one hostile body. Throws, as GetString does, on text that is not Unicode.
        var copy = GC.AllocateUninitializedArray<byte>(reader.ValueSpan.Length);
        return copy.AsSpan(0, reader.CopyString(copy));
    }

    /// <summary>A property name; one longer than <see cref="LongTextBytes"/> is cut and ends in "…".</summary>
    private static string PropertyName(ref Utf8JsonReader reader)
    {
        if (reader.ValueSpan.Length <= LongTextBytes) return reader.GetString()!;
        var name = Unescaped(ref reader);
        return name.Length <= LongTextBytes ? Encoding.UTF8.GetString(name) : Encoding.UTF8.GetString(name[..Infrastructure.JsonText.CharBoundary(name, LongTextBytes)]) + "…";
    }

    /// <summary>The first <see cref="LongTextBytes"/> of a long text as a JSON string ending in "…", keys masked.</summary>
    private static string LongText(ReadOnlySpan<byte> raw)
    {
        var end = Infrastructure.JsonText.CharBoundary(raw, LongTextBytes);
        return JsonSerializer.Serialize(MaskKeys(Encoding.UTF8.GetString(raw[..end])) + "…", TextOptions);
    }

    private static readonly JsonSerializerOptions TextOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static bool IsBase64Alphabet(ReadOnlySpan<byte> text)
    {
        foreach (var b in text)
            if (!(char.IsAsciiLetterOrDigit((char)b) || b is (byte)'+' or (byte)'/' or (byte)'=' or (byte)'-' or (byte)'_')) return false;
        return true;
    }

    /// <summary>
    /// Decodes base64 (standard or URL-safe, padding optional) a chunk at a time into a hash: null when it does not
    /// decode. Padding is only valid at the end, as for <see cref="Convert.TryFromBase64String"/>.
    /// </summary>
    private static (long Length, byte[] Sha256, string Sniffed)? HashBase64(ReadOnlySpan<byte> text)
    {
        text = text.Trim(" \t\r\n"u8);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var chars = new byte[Base64ChunkChars + 3];
        var decoded = new byte[Base64ChunkChars / 4 * 3];
        string? sniffed = null;
        long length = 0;
        for (var at = 0; at < text.Length; at += Base64ChunkChars)
        {
            var part = text.Slice(at, Math.Min(Base64ChunkChars, text.Length - at));
            var final = at + part.Length == text.Length;
            if (!final && part.Contains((byte)'=')) return null;
            var n = part.Length + (final ? (4 - part.Length % 4) % 4 : 0);
            for (var i = 0; i < part.Length; i++) chars[i] = part[i] switch { (byte)'-' => (byte)'+', (byte)'_' => (byte)'/', var b => b };
            chars.AsSpan(part.Length, n - part.Length).Fill((byte)'=');
            if (Base64.DecodeFromUtf8(chars.AsSpan(0, n), decoded, out var consumed, out var written) != OperationStatus.Done || consumed != n) return null;
            sniffed ??= Sniff(decoded.AsSpan(0, written));
            hash.AppendData(decoded, 0, written);
            length += written;
        }
        return (length, hash.GetHashAndReset(), sniffed ?? Sniff([]));
    }
}
