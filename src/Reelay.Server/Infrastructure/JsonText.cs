using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Reelay.Server.Infrastructure;

/// <summary>
/// A string value or property name of a JSON body that is not Unicode text: <paramref name="Problem"/> says why
/// (e.g. "contains an unpaired UTF-16 surrogate (\ud800)"), <paramref name="Text"/> is the text with each bad part
/// replaced by U+FFFD, safe to echo back. <paramref name="Path"/> ends with that (repaired) name for a property name.
/// </summary>
public sealed record InvalidJsonText(IReadOnlyList<object> Path, bool IsPropertyName, string Problem, string Text);

/// <summary>
/// Finds the strings and property names that JSON's grammar accepts but that are not text: "\ud800" escapes without
/// their other half, and raw bytes that are not UTF-8. System.Text.Json parses both and throws only when the value is
/// read as a string, deep inside whatever validates the body; one pass here lets every surface refuse them up front.
/// </summary>
public static class JsonText
{
    public const int MaxReported = 20;

    /// <summary>
    /// The first characters of a string value, decoding no more of it than needed: for a long unescaped string only
    /// the first bytes are read (cut at a character boundary); an escaped one is decoded whole (escapes make it shorter).
    /// </summary>
    public static string Prefix(JsonElement value, int maxChars, out bool cut)
    {
        var raw = System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(value)[1..^1];
        if (raw.Length > maxChars * 4 && !raw.Contains((byte)'\\'))
        {
            var head = Encoding.UTF8.GetString(raw[..CharBoundary(raw, maxChars * 4)]);
            cut = true;
            return head.Length > maxChars ? head[..maxChars] : head;
        }
        var text = value.GetString()!;
        cut = text.Length > maxChars;
        return cut ? text[..maxChars] : text;
    }

    /// <summary>The largest cut at or before <paramref name="end"/> that is not inside a UTF-8 sequence.</summary>
    public static int CharBoundary(ReadOnlySpan<byte> utf8, int end)
    {
        while (end > 0 && (utf8[end] & 0xC0) == 0x80) end--;
        return end;
    }

    /// <summary>
    /// A lower bound of a string value's length in UTF-16 units, from its raw bytes without decoding it: no unit takes
    /// more than 6 bytes ("\uXXXX"). A 13 MB string need not become a 26 MB .NET string to be found too long.
    /// </summary>
    public static long MinLength(JsonElement value) => Math.Max(0, System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(value).Length - 2) / 6;

    public static IReadOnlyList<InvalidJsonText> FindInvalid(ReadOnlySpan<byte> json)
    {
        // Valid UTF-8 without a \u escape holds no invalid text: the common case costs two vectorized scans.
        if (Utf8.IsValid(json) && json.IndexOf("\\u"u8) < 0) return [];
        var found = new List<InvalidJsonText>();
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
        var path = new List<object>(); // per open container: the current property name, or the current array index
        var arrays = new List<bool>();
        try
        {
            while (found.Count < MaxReported && reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        NextValue(path, arrays);
                        arrays.Add(reader.TokenType == JsonTokenType.StartArray);
                        path.Add(reader.TokenType == JsonTokenType.StartArray ? -1 : "");
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        arrays.RemoveAt(arrays.Count - 1);
                        path.RemoveAt(path.Count - 1);
                        break;
                    case JsonTokenType.PropertyName:
                        var (nameProblem, name) = Inspect(reader.ValueSpan, reader.ValueIsEscaped);
                        path[^1] = name ?? reader.GetString()!;
                        if (nameProblem is not null) found.Add(new InvalidJsonText([.. path], true, nameProblem, name!));
                        break;
                    case JsonTokenType.String:
                        NextValue(path, arrays);
                        var (problem, text) = Inspect(reader.ValueSpan, reader.ValueIsEscaped);
                        if (problem is not null) found.Add(new InvalidJsonText([.. path], false, problem, text!));
                        break;
                    default:
                        NextValue(path, arrays);
                        break;
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON (or too deep): the caller's parser says so in its own words; what was found so far still counts.
        }
        return found;
    }

    private static void NextValue(List<object> path, List<bool> arrays)
    {
        if (arrays.Count > 0 && arrays[^1]) path[^1] = (int)path[^1] + 1;
    }

    /// <summary>The first problem of a string token's raw bytes and the repaired text, or (null, null) when it is fine.</summary>
    private static (string? Problem, string? Text) Inspect(ReadOnlySpan<byte> raw, bool escaped)
    {
        if (!escaped && Utf8.IsValid(raw)) return (null, null);
        string? problem = null;
        var repaired = new ArrayBufferWriter<byte>(raw.Length + 8);
        repaired.Write("\""u8);
        for (var i = 0; i < raw.Length;)
        {
            var step = raw[i] == '\\' ? Escape(raw, i, ref problem, repaired) : Utf8Sequence(raw, i, ref problem, repaired);
            i += step;
        }
        if (problem is null) return (null, null);
        repaired.Write("\""u8);
        var reader = new Utf8JsonReader(repaired.WrittenSpan);
        reader.Read();
        return (problem, reader.GetString());
    }

    /// <summary>Copies one escape; an unpaired surrogate escape becomes \ufffd. Returns the bytes consumed.</summary>
    private static int Escape(ReadOnlySpan<byte> raw, int i, ref string? problem, ArrayBufferWriter<byte> output)
    {
        // The reader has checked the escape grammar: "\u" is always followed by four hex digits.
        if (raw[i + 1] != 'u')
        {
            output.Write(raw.Slice(i, 2));
            return 2;
        }
        var unit = Hex(raw.Slice(i + 2, 4));
        if (char.IsHighSurrogate(unit) && raw.Length >= i + 12 && raw[i + 6] == '\\' && raw[i + 7] == 'u' && char.IsLowSurrogate(Hex(raw.Slice(i + 8, 4))))
        {
            output.Write(raw.Slice(i, 12));
            return 12;
        }
        if (char.IsSurrogate(unit))
        {
            problem ??= $"contains an unpaired UTF-16 surrogate ({Encoding.ASCII.GetString(raw.Slice(i, 6))})";
            output.Write("\\ufffd"u8);
            return 6;
        }
        output.Write(raw.Slice(i, 6));
        return 6;
    }

    /// <summary>Copies one UTF-8 sequence; an invalid byte becomes U+FFFD. Returns the bytes consumed.</summary>
    private static int Utf8Sequence(ReadOnlySpan<byte> raw, int i, ref string? problem, ArrayBufferWriter<byte> output)
    {
        if (Rune.DecodeFromUtf8(raw[i..], out _, out var consumed) == OperationStatus.Done)
        {
            output.Write(raw.Slice(i, consumed));
            return consumed;
        }
        problem ??= $"is not valid UTF-8 (byte 0x{raw[i]:X2})";
        output.Write("\ufffd"u8);
        return Math.Max(consumed, 1);
    }

    private static char Hex(ReadOnlySpan<byte> digits) =>
        (char)int.Parse(Encoding.ASCII.GetString(digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
}
