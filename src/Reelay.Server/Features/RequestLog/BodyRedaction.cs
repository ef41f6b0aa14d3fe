using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Text.Unicode;

namespace Reelay.Server.Features.RequestLog;

/// <summary>
/// Turns a captured request body into what the log stores: JSON with every large value (data URIs,
/// long base64) replaced by {"redacted":true,"mediaType","bytes","sha256"} and API keys cut to their
/// prefix. The hash is of the decoded bytes, so it matches `sha256sum` of the file the client sent.
/// </summary>
public static partial class BodyRedaction
{
    /// <summary>Strings of base64 characters longer than this are treated as binary payloads.</summary>
    public const int LongBase64Chars = 1024;
    /// <summary>Non-JSON bodies up to this size are kept as text (a broken JSON body is what you want to see).</summary>
    public const int SmallTextBytes = 2048;

    [GeneratedRegex("key_[0-9a-f]{128}")]
    private static partial Regex ApiKey();

    public static string? Redact(byte[]? body, string? contentType, int maxStoredChars)
    {
        if (body is null || body.Length == 0) return null;
        var mediaType = MediaTypeOf(contentType);
        string text;
        // A body of more keys and values than any request has (refused by JsonBody) is summarised, not parsed: its
        // document would cost 12 bytes a token, 150 MB for 13 MB of "[[[[…", long after the 4xx was sent.
        if (LooksLikeJson(body, mediaType) && !Infrastructure.JsonBody.HasMoreTokens(body, Infrastructure.JsonBody.MaxTokens) && TryRedactJson(body, out var json)) text = json;
        else if (body.Length <= SmallTextBytes && !mediaType.StartsWith("multipart/", StringComparison.Ordinal) && IsUtf8Text(body))
            text = MaskKeys(Encoding.UTF8.GetString(body));
        else text = Summary(mediaType.Length > 0 ? mediaType : Sniff(body), body.Length, SHA256.HashData(body));
        return Truncate(text, maxStoredChars);
    }

    public static string Truncate(string text, int maxChars) =>
        text.Length <= maxChars ? text : text[..maxChars] + $"\n… (truncated: {text.Length - maxChars} more characters)";

    public static string MaskKeys(string text) => ApiKey().Replace(text, m => m.Value[..12] + "…");

    /// <summary>"application/json; charset=utf-8" → "application/json".</summary>
    public static string MediaTypeOf(string? contentType) =>
        (contentType ?? "").Split(';')[0].Trim().ToLowerInvariant();

    private static bool LooksLikeJson(byte[] body, string mediaType)
    {
        if (mediaType.EndsWith("json", StringComparison.Ordinal)) return true;
        if (mediaType.Length > 0 && mediaType != "text/plain") return false;
        var first = body.AsSpan().TrimStart(" \t\r\n"u8);
        return first.Length > 0 && first[0] is (byte)'{' or (byte)'[';
    }

    private static bool TryRedactJson(byte[] body, out string json)
    {
        json = "";
        try
        {
            using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 64 });
            var buffer = new ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
                Write(writer, document.RootElement);
            json = Encoding.UTF8.GetString(buffer.WrittenSpan);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static void Write(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject())
                {
                    writer.WritePropertyName(property.Name);
                    Write(writer, property.Value);
                }
                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray()) Write(writer, item);
                writer.WriteEndArray();
                break;
            case JsonValueKind.String when RedactLongUtf8(element) is { } summary:
                writer.WriteRawValue(summary);
                break;
            case JsonValueKind.String:
                var value = element.GetString()!;
                if (RedactString(value) is { } replacement) writer.WriteRawValue(replacement);
                else writer.WriteStringValue(MaskKeys(value));
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }

    /// <summary>The replacement object for a large value, or null when the string is kept.</summary>
    public static string? RedactString(string value)
    {
        if (value.StartsWith("data:", StringComparison.OrdinalIgnoreCase)) return DataUriSummary(value);
        if (value.Length > LongBase64Chars && IsBase64Alphabet(value))
        {
            var bytes = DecodeBase64(value);
            return bytes is null
                ? Summary("application/octet-stream", Encoding.UTF8.GetByteCount(value), SHA256.HashData(Encoding.UTF8.GetBytes(value)))
                : Summary(Sniff(bytes), bytes.Length, SHA256.HashData(bytes));
        }
        return null;
    }

    /// <summary>data:[media type][;params][;base64],payload — summarised by its declared type and its decoded bytes.</summary>
    public static string DataUriSummary(string uri)
    {
        var comma = uri.IndexOf(',');
        var header = comma < 0 ? uri[5..] : uri[5..comma];
        var payload = comma < 0 ? "" : uri[(comma + 1)..];
        var parts = header.Split(';');
        var mediaType = parts[0].Trim().ToLowerInvariant();
        if (mediaType.Length == 0) mediaType = "text/plain";
        var isBase64 = parts.Skip(1).Any(p => p.Trim().Equals("base64", StringComparison.OrdinalIgnoreCase));
        var bytes = isBase64 ? DecodeBase64(payload) : Encoding.UTF8.GetBytes(payload);
        // Undecodable base64 is still summarised (by its text), never stored.
        bytes ??= Encoding.UTF8.GetBytes(payload);
        return Summary(mediaType, bytes.Length, SHA256.HashData(bytes));
    }

    private static string Summary(string mediaType, long bytes, byte[] sha256) =>
        JsonSerializer.Serialize(new { redacted = true, mediaType, bytes, sha256 = Convert.ToHexStringLower(sha256) });

    private static bool IsBase64Alphabet(string value)
    {
        foreach (var c in value)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '+' or '/' or '=' or '-' or '_')) return false;
        return true;
    }

    private static byte[]? DecodeBase64(string value)
    {
        var standard = value.Replace('-', '+').Replace('_', '/').Trim();
        if (standard.Length % 4 != 0) standard = standard.PadRight(standard.Length + 4 - standard.Length % 4, '=');
        var bytes = new byte[standard.Length / 4 * 3];
        return Convert.TryFromBase64String(standard, bytes, out var written) ? bytes[..written] : null;
    }

    /// <summary>A media type from the first bytes, for base64 that did not declare one.</summary>
    public static string Sniff(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' })) return "image/png";
        if (bytes.StartsWith(new byte[] { 0xFF, 0xD8, 0xFF })) return "image/jpeg";
        if (bytes.Length >= 12 && bytes.StartsWith("RIFF"u8) && bytes[8..12].SequenceEqual("WEBP"u8)) return "image/webp";
        if (bytes.StartsWith("GIF8"u8)) return "image/gif";
        if (bytes.Length >= 8 && bytes[4..8].SequenceEqual("ftyp"u8)) return "video/mp4";
        if (bytes.StartsWith(new byte[] { 0x1A, 0x45, 0xDF, 0xA3 })) return "video/webm";
        return "application/octet-stream";
    }

    private static bool IsUtf8Text(byte[] body)
    {
        if (!Utf8.IsValid(body)) return false;
        foreach (var b in body)
            if (b < 0x20 && b is not ((byte)'\t' or (byte)'\n' or (byte)'\r')) return false;
        return true;
    }
}
