using System.Buffers;
using System.Buffers.Text;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Reelay.Server.Features.RequestLog;

// Long strings (a 5 MB data URI, a 13 MB hostile string) summarised from their UTF-8 bytes: the string path would
// decode them into a .NET string twice their size, then copy it again to normalise the base64 — 100 MB for 13 MB.
public static partial class BodyRedaction
{
    /// <summary>The same summary <see cref="RedactString"/> gives, read from the raw bytes; null: not a long unescaped payload (the string path decides).</summary>
    private static string? RedactLongUtf8(JsonElement element)
    {
        var raw = JsonMarshal.GetRawUtf8Value(element)[1..^1]; // without the quotes
        if (raw.Length <= LongBase64Chars || raw.Contains((byte)'\\')) return null;
        if (raw.Length >= 5 && Ascii.EqualsIgnoreCase(raw[..5], "data:"u8))
        {
            var comma = raw.IndexOf((byte)',');
            if (comma < 0) return null;
            var parts = Encoding.ASCII.GetString(raw[5..comma]).Split(';');
            var mediaType = parts[0].Trim().ToLowerInvariant();
            if (mediaType.Length == 0) mediaType = "text/plain";
            var payload = raw[(comma + 1)..];
            var isBase64 = parts.Skip(1).Any(p => p.Trim().Equals("base64", StringComparison.OrdinalIgnoreCase));
            return (isBase64 ? HashBase64(payload) : null) is { } decoded
                ? Summary(mediaType, decoded.Length, decoded.Sha256)
                : isBase64 ? null : Summary(mediaType, payload.Length, SHA256.HashData(payload));
        }
        foreach (var b in raw)
            if (!(char.IsAsciiLetterOrDigit((char)b) || b is (byte)'+' or (byte)'/' or (byte)'=' or (byte)'-' or (byte)'_'))
                return raw.Length > LongTextBytes ? LongText(raw) : null;
        return HashBase64(raw) is { } bytes ? Summary(bytes.Sniffed, bytes.Length, bytes.Sha256) : null;
    }

    /// <summary>Longer text is stored cut (the stored body is cut at 64 KB anyway); the rest of the body is still shown.</summary>
    public const int LongTextBytes = 64 * 1024;

    /// <summary>The first <see cref="LongTextBytes"/> of a long text as a JSON string ending in "…", keys masked.</summary>
    private static string LongText(ReadOnlySpan<byte> raw)
    {
        var end = Infrastructure.JsonText.CharBoundary(raw, LongTextBytes);
        return JsonSerializer.Serialize(MaskKeys(Encoding.UTF8.GetString(raw[..end])) + "…", TextOptions);
    }

    private static readonly JsonSerializerOptions TextOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Decodes base64 (standard or URL-safe, padding optional) in one buffer of its size; null when it does not decode (the string path then decides).</summary>
    private static (int Length, byte[] Sha256, string Sniffed)? HashBase64(ReadOnlySpan<byte> text)
    {
        text = text.Trim(" \t\r\n"u8);
        var padded = text.Length + (4 - text.Length % 4) % 4;
        // Not pooled: a pool would keep a 16 MB array for good after one hostile body.
        var span = GC.AllocateUninitializedArray<byte>(padded).AsSpan();
        for (var i = 0; i < text.Length; i++) span[i] = text[i] switch { (byte)'-' => (byte)'+', (byte)'_' => (byte)'/', var b => b };
        span[text.Length..].Fill((byte)'=');
        if (Base64.DecodeFromUtf8InPlace(span, out var written) != OperationStatus.Done) return null;
        var decoded = span[..written];
        return (written, SHA256.HashData(decoded), Sniff(decoded));
    }
}
