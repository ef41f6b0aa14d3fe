using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Reelay.Server.Features.RunBlob;

/// <summary>One item of a 422 body, in the pydantic vocabulary FastAPI services use.</summary>
public sealed record PydanticError(string Type, IReadOnlyList<object> Loc, string Msg)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public JsonElement? Input { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Dictionary<string, object>? Ctx { get; init; }

    /// <summary>The field a body error is about ("prompt", "images.0"), without the leading "body".</summary>
    [JsonIgnore] public string Field => string.Join(".", Loc.Skip(1));
}

/// <summary>
/// Reads a request body's fields the way a pydantic model does (lax types, defaults, extra fields ignored), collecting
/// one error per bad field in pydantic's words. Every RunBlob family states its fields with these readers.
/// </summary>
public sealed class PydanticBody(JsonElement body)
{
    /// <summary>A 422 lists at most this many errors (the last says how many more there were): a million bad items make a short answer.</summary>
    public const int MaxErrors = 100;

    private readonly List<PydanticError> _errors = [];
    private int _omitted;

    public IReadOnlyList<PydanticError> Errors => _omitted == 0 ? _errors
        : [.. _errors, new PydanticError("too_many_errors", ["body"], $"{_omitted} more error(s) were found and not listed; fix the ones above first.")];

    private void Add(PydanticError error)
    {
        if (_errors.Count < MaxErrors - 1) _errors.Add(error);
        else _omitted++;
    }

    public bool Has(string name) => body.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null;

    /// <summary>A required field whose value another reader checks: only its absence is an error here.</summary>
    public void Require(string name) => Present(name, true, out _);

    public string? String(string name, bool required = false, int? min = null, int? max = null)
    {
        if (!Present(name, required, out var value)) return null;
        if (value.ValueKind != JsonValueKind.String) return Fail<string>("string_type", name, "Input should be a valid string", value);
        // A string surely over max is not decoded: 13 MB of it would become a 26 MB .NET string.
        var text = max is { } cap && Infrastructure.JsonText.MinLength(value) > cap ? null : value.GetString()!;
        if (text is null || text.Length > max) // text is null only when it is surely too long
            return Fail<string>("string_too_long", name, $"String should have at most {max} character{Plural(max!.Value)}", value, new() { ["max_length"] = max!.Value });
        if (min is { } least && text.Length < least)
            return Fail<string>("string_too_short", name, $"String should have at least {least} character{Plural(least)}", value, new() { ["min_length"] = least });
        return text;
    }

    /// <summary>A string enum: "Input should be '16:9', '9:16' or '1:1'".</summary>
    public string? Choice(string name, IReadOnlyList<string> options, string? fallback = null, bool required = false)
    {
        if (!Present(name, required, out var value)) return fallback;
        if (value.ValueKind == JsonValueKind.String && options.Contains(value.GetString()!)) return value.GetString();
        var expected = OrList(options.Select(o => $"'{o}'"));
        return Fail<string>("enum", name, $"Input should be {expected}", value, new() { ["expected"] = expected });
    }

    /// <summary>A literal set of integers: "Input should be 10 or 15".</summary>
    public long? IntegerChoice(string name, IReadOnlyList<long> options, long? fallback = null)
    {
        if (!Present(name, false, out var value)) return fallback;
        if (Integer(name, value) is not { } number) return null;
        if (options.Contains(number)) return number;
        var expected = OrList(options.Select(o => o.ToString(CultureInfo.InvariantCulture)));
        return Fail<long?>("enum", name, $"Input should be {expected}", value, new() { ["expected"] = expected });
    }

    public long? Integer(string name, long min, long max, long? fallback = null)
    {
        if (!Present(name, false, out var value)) return fallback;
        if (Integer(name, value) is not { } number) return null;
        return InRange(name, value, number, min, max) ? number : null;
    }

    public double? Number(string name, double min, double max, double? fallback = null)
    {
        if (!Present(name, false, out var value)) return fallback;
        double number;
        if (value.ValueKind == JsonValueKind.Number) number = value.GetDouble();
        else if (value.ValueKind != JsonValueKind.String) return Fail<double?>("float_type", name, "Input should be a valid number", value);
        else if (!double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out number))
            return Fail<double?>("float_parsing", name, "Input should be a valid number, unable to parse string as a number", value);
        return InRange(name, value, number, min, max) ? number : null;
    }

    public bool? Boolean(string name, bool? fallback = null)
    {
        if (!Present(name, false, out var value)) return fallback;
        switch (value.ValueKind)
        {
            case JsonValueKind.True: return true;
            case JsonValueKind.False: return false;
            case JsonValueKind.Number when value.TryGetInt32(out var n) && n is 0 or 1: return n == 1;
            case JsonValueKind.String:
                var text = value.GetString()!.ToLowerInvariant();
                if (text is "true" or "1" or "yes" or "on" or "t" or "y") return true;
                if (text is "false" or "0" or "no" or "off" or "f" or "n") return false;
                return Fail<bool?>("bool_parsing", name, "Input should be a valid boolean, unable to interpret input", value);
            default: return Fail<bool?>("bool_type", name, "Input should be a valid boolean", value);
        }
    }

    /// <summary>A list of strings; each item that is not a string is an error at ["body", name, index].</summary>
    public List<string>? Strings(string name, int? min = null, int? max = null)
    {
        if (!Present(name, false, out var value)) return null;
        if (value.ValueKind != JsonValueKind.Array) return Fail<List<string>>("list_type", name, "Input should be a valid list", value);
        var count = value.GetArrayLength();
        if (min is { } least && count < least)
            return Fail<List<string>>("too_short", name, $"List should have at least {least} item{Plural(least)} after validation, not {count}", value,
                new() { ["field_type"] = "List", ["min_length"] = least, ["actual_length"] = count });
        if (max is { } most && count > most)
            return Fail<List<string>>("too_long", name, $"List should have at most {most} item{Plural(most)} after validation, not {count}", value,
                new() { ["field_type"] = "List", ["max_length"] = most, ["actual_length"] = count });
        var items = new List<string>();
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String) items.Add(item.GetString()!);
            else if (_errors.Count < MaxErrors - 1) Add(new PydanticError("string_type", ["body", name, index], "Input should be a valid string") { Input = PydanticEcho.Of(item) });
            else _omitted++;
            index++;
        }
        return items;
    }

    public const int MaxCallbackUrlLength = 2048;

    /// <summary>callback_url: an https URL of at most <see cref="MaxCallbackUrlLength"/> characters.</summary>
    public string? CallbackUrl(string name = "callback_url")
    {
        var url = String(name);
        if (url is null || (Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps && url.Length <= MaxCallbackUrlLength)) return url;
        return Fail<string>("url_scheme", name, "URL scheme should be 'https'", body.GetProperty(name));
    }

    /// <summary>"'a', 'b' or 'c'" — how pydantic lists what an enum expects.</summary>
    public static string OrList(IEnumerable<string> options)
    {
        var list = options.ToList();
        return list.Count <= 1 ? string.Concat(list) : string.Join(", ", list.Take(list.Count - 1)) + " or " + list[^1];
    }

    private bool Present(string name, bool required, out JsonElement value)
    {
        if (body.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null) return true;
        if (required) Add(new PydanticError("missing", ["body", name], "Field required") { Input = PydanticEcho.Of(body) });
        return false;
    }

    /// <summary>Pydantic's lax int: 10, 10.0 and "10" are integers; 10.5 and "ten" are not.</summary>
    private long? Integer(string name, JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Number)
        {
            if (value.TryGetInt64(out var whole)) return whole;
            var d = value.GetDouble();
            if (d == Math.Floor(d) && Math.Abs(d) < 1e15) return (long)d;
            return Fail<long?>("int_from_float", name, "Input should be a valid integer, got a number with a fractional part", value);
        }
        if (value.ValueKind != JsonValueKind.String) return Fail<long?>("int_type", name, "Input should be a valid integer", value);
        if (long.TryParse(value.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed)) return parsed;
        return Fail<long?>("int_parsing", name, "Input should be a valid integer, unable to parse string as an integer", value);
    }

    private bool InRange(string name, JsonElement value, double number, double min, double max)
    {
        if (number < min) Fail<object>("greater_than_equal", name, $"Input should be greater than or equal to {Format(min)}", value, new() { ["ge"] = min });
        else if (number > max) Fail<object>("less_than_equal", name, $"Input should be less than or equal to {Format(max)}", value, new() { ["le"] = max });
        else return true;
        return false;
    }

    private T? Fail<T>(string type, string name, string msg, JsonElement value, Dictionary<string, object>? ctx = null)
    {
        Add(new PydanticError(type, ["body", name], msg) { Input = PydanticEcho.Of(value), Ctx = ctx });
        return default;
    }

    private static string Plural(long n) => n == 1 ? "" : "s";

    private static string Format(double n) => n.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>Query parameters limit (1–100) and offset (≥ 0), with pydantic errors at ["query", name].</summary>
    public static (int Limit, int Offset, List<PydanticError> Errors) Page(string? limit, string? offset, int defaultLimit)
    {
        var errors = new List<PydanticError>();
        var take = Query("limit", limit, defaultLimit, 1, 100, errors);
        var skip = Query("offset", offset, 0, 0, int.MaxValue, errors);
        return (take, skip, errors);
    }

    private static int Query(string name, string? text, int fallback, int min, int max, List<PydanticError> errors)
    {
        if (text is null) return fallback;
        var input = JsonSerializer.SerializeToElement(text);
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            errors.Add(new PydanticError("int_parsing", ["query", name], "Input should be a valid integer, unable to parse string as an integer") { Input = input });
        else if (value < min)
            errors.Add(new PydanticError("greater_than_equal", ["query", name], $"Input should be greater than or equal to {min}") { Input = input, Ctx = new() { ["ge"] = min } });
        else if (value > max)
            errors.Add(new PydanticError("less_than_equal", ["query", name], $"Input should be less than or equal to {max}") { Input = input, Ctx = new() { ["le"] = max } });
        return value;
    }
}

/// <summary>
/// The "input" an error echoes back, bounded: pydantic echoes the whole value, so a 13 MB string (or a body of a million
/// keys, echoed by "missing") would make a 13 MB answer. Values up to <see cref="MaxRawBytes"/> are echoed as sent;
/// larger ones keep strings' first <see cref="MaxStringLength"/> characters (then "…") and containers' first <see cref="MaxEntries"/> entries.
/// </summary>
public static class PydanticEcho
{
    public const int MaxRawBytes = 1024;
    public const int MaxStringLength = 200;
    public const int MaxEntries = 20;
    private const int MaxDepth = 4;

    public static JsonElement Of(JsonElement value)
    {
        if (JsonMarshal.GetRawUtf8Value(value).Length <= MaxRawBytes) return value.Clone();
        var output = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(output)) Write(writer, value, 0);
        using var document = JsonDocument.Parse(output.WrittenMemory);
        return document.RootElement.Clone();
    }

    private static void Write(Utf8JsonWriter writer, JsonElement value, int depth)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                var text = Infrastructure.JsonText.Prefix(value, MaxStringLength, out var cut);
                writer.WriteStringValue(cut ? text + "…" : text);
                break;
            case JsonValueKind.Object when depth < MaxDepth:
                writer.WriteStartObject();
                foreach (var property in value.EnumerateObject().Take(MaxEntries))
                {
                    writer.WritePropertyName(property.Name.Length <= MaxStringLength ? property.Name : property.Name[..MaxStringLength] + "…");
                    Write(writer, property.Value, depth + 1);
                }
                writer.WriteEndObject();
                break;
            case JsonValueKind.Array when depth < MaxDepth:
                writer.WriteStartArray();
                foreach (var item in value.EnumerateArray().Take(MaxEntries)) Write(writer, item, depth + 1);
                writer.WriteEndArray();
                break;
            case JsonValueKind.Object or JsonValueKind.Array:
                writer.WriteStringValue("…");
                break;
            default:
                value.WriteTo(writer);
                break;
        }
    }
}
