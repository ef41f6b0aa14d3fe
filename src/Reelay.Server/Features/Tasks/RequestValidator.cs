using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Reelay.Server.Features.Assets;
using Reelay.Server.Features.Catalog;

namespace Reelay.Server.Features.Tasks;

/// <summary>A media string of a request whose shape is valid; asset intake checks its content next.</summary>
public sealed record PendingMedia(int Index, IReadOnlyList<object> Path, string Uri, RequestSchema Schema, string Role,
    double? AtSeconds, double? AtFraction, string? Group, double? GroupMaxSeconds)
{
    public AssetKind Kind => Schema.Media switch { MediaKind.Video => AssetKind.Video, MediaKind.Audio => AssetKind.Audio, _ => AssetKind.Image };
}

/// <summary>What validation made of a body: the options (defaults applied, media replaced by "input:N"), the media to check, and the issues.</summary>
public sealed record ValidatedBody(JsonObject Options, List<PendingMedia> Media, List<ValidationIssue> Issues);

/// <summary>
/// Interprets a catalog schema over a JSON body and reports every problem, Zod style, with exact paths: a client
/// fixing a request wants the whole list. Pure: no I/O; asset content is checked afterwards by intake.
/// </summary>
public sealed partial class RequestValidator
{
    /// <summary>Issue lists are bounded so a hostile body cannot make a huge error (the rest is counted in the last one).</summary>
    public const int MaxIssues = 100;

    private readonly List<ValidationIssue> _issues = [];
    private readonly List<PendingMedia> _media = [];

    /// <summary>Validates a body; <paramref name="selector"/> is a top-level key that chose the schema (e.g. "model") and is not a field.</summary>
    public static ValidatedBody Validate(JsonElement body, RequestSchema schema, IReadOnlyList<object>? basePath = null, string? selector = null)
    {
        var validator = new RequestValidator { _selector = selector };
        var options = validator.Check(body, schema, basePath?.ToList() ?? [], null) as JsonObject ?? [];
        return new ValidatedBody(options, validator._media, validator._issues);
    }

    private void Add(ValidationIssue issue) => _issues.Add(issue);

    private JsonNode? Check(JsonElement value, RequestSchema s, List<object> path, JsonElement? parent)
    {
        if (s.AnyOf is { } branches) return CheckUnion(value, branches, path, parent);
        if (s.Enum is { } values) return CheckEnum(value, s, values, path);
        if (s.Const is { } constant) return CheckEnum(value, s, [constant], path);
        return s.Type switch
        {
            "string" => CheckString(value, s, path, parent),
            "integer" or "number" => CheckNumber(value, s, path),
            "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False ? JsonValue.Create(value.GetBoolean()) : WrongType(path, "boolean", value),
            "object" => CheckObject(value, s, path),
            "array" => CheckArray(value, s, path),
            _ => JsonNode.Parse(value.GetRawText()),
        };
    }

    private JsonNode? WrongType(List<object> path, string expected, JsonElement value)
    {
        Add(ValidationIssue.WrongType(path.ToArray(), expected, value));
        return null;
    }

    private JsonNode? CheckString(JsonElement value, RequestSchema s, List<object> path, JsonElement? parent)
    {
        if (value.ValueKind != JsonValueKind.String) return WrongType(path, "string", value);
        // A string surely over maxLength is not decoded: 13 MB of it would become a 26 MB .NET string.
        var text = s.MaxLength is { } cap && Infrastructure.JsonText.MinLength(value) > cap ? null : value.GetString()!;
        // Length in UTF-16 code units, as JavaScript (and so the reference API) counts it.
        if (text is null || text.Length > s.MaxLength)
            Add(new ValidationIssue("too_big", path.ToArray(), $"String must contain at most {s.MaxLength} character(s)"));
        else if (text.Length < (s.MinLength ?? 0))
            Add(new ValidationIssue("too_small", path.ToArray(), $"String must contain at least {s.MinLength} character(s)"));
        else if (s.PatternRegex is { } pattern && !pattern.IsMatch(text))
            Add(new ValidationIssue("invalid_string", path.ToArray(), "Invalid"));
        else if (s.Pixels is { } bounds && MediaRules.PixelsOutside(text, bounds) is { } pixelsIssue)
            Add(ValidationIssue.Custom(path.ToArray(), pixelsIssue));
        else if (s.Media is not null) return Media(text, s, path, parent);
        else return JsonValue.Create(text);
        return null;
    }

    /// <summary>Every media string is a candidate input: intake decides (data URI, https URL, upload) and says what is wrong.</summary>
    private JsonNode? Media(string uri, RequestSchema s, List<object> path, JsonElement? parent)
    {
        if (uri.Length == 0)
        {
            Add(ValidationIssue.Custom(path.ToArray(), AssetRules.InvalidUrl));
            return null;
        }
        string? Sibling(string? name) => name is not null && parent is { ValueKind: JsonValueKind.Object } p && p.TryGetProperty(name, out var v)
            ? v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText() : null;
        double? Number(string? name) => double.TryParse(Sibling(name), NumberStyles.Float, CultureInfo.InvariantCulture, out var n) ? n : null;
        var role = Sibling(s.RoleFrom) ?? s.Role ?? "reference";
        var index = _mediaOffset + _media.Count;
        _media.Add(new PendingMedia(index, path.ToArray(), uri, s, role, Number(s.TimeFrom), Number(s.FractionFrom), _group, _groupMaxSeconds));
        return JsonValue.Create($"input:{index}");
    }

    private int _mediaOffset;
    private string? _selector;
    private string? _group;
    private double? _groupMaxSeconds;

    private JsonNode? CheckNumber(JsonElement value, RequestSchema s, List<object> path)
    {
        if (value.ValueKind != JsonValueKind.Number) return WrongType(path, "number", value);
        // Out of double's range ("1e400") is simply too big (or too small) for any field.
        if (!value.TryGetDouble(out var n) || double.IsInfinity(n)) n = value.GetRawText().StartsWith('-') ? double.MinValue : double.MaxValue;
        if (s.Type == "integer" && n != Math.Floor(n))
        {
            Add(new ValidationIssue("invalid_type", path.ToArray(), "Expected integer, received float") { Expected = "integer", Received = "float" });
            return null;
        }
        var before = _issues.Count;
        if (s.Minimum is { } min && n < min) Add(TooSmall(path, min, inclusive: true));
        else if (s.ExclusiveMinimum is { } emin && n <= emin) Add(TooSmall(path, emin, inclusive: false));
        else if (s.Maximum is { } max && n > max) Add(TooBig(path, max, inclusive: true));
        else if (s.ExclusiveMaximum is { } emax && n >= emax) Add(TooBig(path, emax, inclusive: false));
        if (_issues.Count > before) return null;
        // 2.0 is the integer 2 in JavaScript and Python clients: stored as 2.
        return s.Type == "integer" ? JsonValue.Create((long)n) : JsonValue.Create(n);
    }

    private static ValidationIssue TooSmall(List<object> path, double bound, bool inclusive) =>
        new("too_small", path.ToArray(), $"Number must be greater than {(inclusive ? "or equal to " : "")}{Format(bound)}");

    private static ValidationIssue TooBig(List<object> path, double bound, bool inclusive) =>
        new("too_big", path.ToArray(), $"Number must be less than {(inclusive ? "or equal to " : "")}{Format(bound)}");

    public static string Format(double n) => n.ToString("0.######", CultureInfo.InvariantCulture);

    private JsonNode? CheckEnum(JsonElement value, RequestSchema s, IReadOnlyList<JsonNode> values, List<object> path)
    {
        var strings = values.All(v => v.GetValueKind() == JsonValueKind.String);
        var node = JsonNode.Parse(value.GetRawText());
        if (values.Any(v => JsonNode.DeepEquals(v, node)) || (!strings && value.ValueKind == JsonValueKind.Number && values.Any(v => NumberEquals(v, value))))
            return strings || value.ValueKind != JsonValueKind.Number ? node : values.First(v => NumberEquals(v, value)).DeepClone();
        if (strings)
        {
            if (value.ValueKind != JsonValueKind.String) return WrongType(path, ExpectedLabel(s), value);
            var options = values.Select(v => v.GetValue<string>()).ToList();
            Add(new ValidationIssue("invalid_enum_value", path.ToArray(),
                $"Invalid enum value. Expected {string.Join(" | ", options.Select(o => $"'{o}'"))}, received '{value.GetString()}'")
            { Options = options.Cast<object>().ToList(), Received = value.GetString() });
            return null;
        }
        Add(new ValidationIssue("invalid_union", path.ToArray(),
            $"Invalid input: expected {string.Join(" | ", values.Select(v => v.ToJsonString()))}, received {Shown(value)}")
        { Options = values.Select(v => (object)v.ToJsonString()).ToList() });
        return null;
    }

    private static bool NumberEquals(JsonNode literal, JsonElement value) =>
        value.TryGetDouble(out var d) && JsonNumbers.Double(literal) == d;

    private static string Shown(JsonElement value) => value.ValueKind is JsonValueKind.Number or JsonValueKind.String && value.GetRawText().Length <= 40
        ? value.GetRawText() : ValidationIssue.TypeName(value);
}
