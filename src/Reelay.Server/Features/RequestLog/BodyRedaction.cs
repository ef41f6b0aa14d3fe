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
        // A body of more keys and values than any request has (refused by JsonBody) is summarised, not redacted: the
        // redaction stops at the token cap.
        if (LooksLikeJson(body, mediaType) && TryRedactJson(body, maxStoredChars) is { } json) return json;
        var text = body.Length <= SmallTextBytes && !mediaType.StartsWith("multipart/", StringComparison.Ordinal) && IsUtf8Text(body)
            ? MaskKeys(Encoding.UTF8.GetString(body))
            : Summary(mediaType.Length > 0 ? mediaType : Sniff(body), body.Length, SHA256.HashData(body));
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

    /// <summary>
    /// The redacted JSON, cut to <paramref name="maxChars"/>, or null when the body is not JSON or has more tokens than
    /// <see cref="Infrastructure.JsonBody.MaxTokens"/>. One reader pass over the bytes, no document: a parsed document's
    /// index is rented in proportion to the body's length (16 MB for one 13 MB string) on top of the body itself.
    /// </summary>
    private static string? TryRedactJson(byte[] body, int maxChars)
    {
        var buffer = new ArrayBufferWriter<byte>(Math.Min(body.Length, maxChars) + 256);
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 64 });
            using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
                for (var tokens = 0; reader.Read();)
                {
                    if (++tokens > Infrastructure.JsonBody.MaxTokens) return null;
                    Write(writer, ref reader);
                }
        }
        catch (JsonException)
        {
            return null;
        }
        return TruncateUtf8(buffer.WrittenSpan, maxChars);
    }

    private static void Write(Utf8JsonWriter writer, ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject: writer.WriteStartObject(); break;
            case JsonTokenType.EndObject: writer.WriteEndObject(); break;
            case JsonTokenType.StartArray: writer.WriteStartArray(); break;
            case JsonTokenType.EndArray: writer.WriteEndArray(); break;
            case JsonTokenType.PropertyName: writer.WritePropertyName(PropertyName(ref reader)); break;
            case JsonTokenType.String when reader.ValueSpan.Length > LongBase64Chars && RedactLongUtf8(Unescaped(ref reader)) is { } summary:
                writer.WriteRawValue(summary);
                break;
            case JsonTokenType.String:
                var value = reader.GetString()!;
                if (RedactString(value) is { } replacement) writer.WriteRawValue(replacement);
                else writer.WriteStringValue(MaskKeys(value));
                break;
            case JsonTokenType.Number: writer.WriteRawValue(reader.ValueSpan, skipInputValidation: true); break;
            case JsonTokenType.True or JsonTokenType.False: writer.WriteBooleanValue(reader.TokenType == JsonTokenType.True); break;
            case JsonTokenType.Null: writer.WriteNullValue(); break;
        }
    }

    /// <summary>The text up to <paramref name="maxChars"/> characters, as <see cref="Truncate"/> cuts it, without decoding more of it than that.</summary>
    public static string TruncateUtf8(ReadOnlySpan<byte> utf8, int maxChars)
    {
        var total = Encoding.UTF8.GetCharCount(utf8);
        if (total <= maxChars) return Encoding.UTF8.GetString(utf8);
        // No UTF-16 unit takes more than 3 bytes: this many bytes hold at least maxChars of them.
        var enough = 3L * maxChars + 4;
        var head = Encoding.UTF8.GetString(enough < utf8.Length ? utf8[..Infrastructure.JsonText.CharBoundary(utf8, (int)enough)] : utf8);
        return head[..maxChars] + $"\n… (truncated: {total - maxChars} more characters)";
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
