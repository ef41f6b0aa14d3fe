using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Reelay.Server.Features.Catalog;

/// <summary>
/// Turns the catalog's JSON schemas into <see cref="RequestSchema"/> nodes, resolving "$ref" against the catalog's
/// definitions. Every problem is collected with the place it was found ("model 'gen4.5' image_to_video field
/// 'ratio'"), so an operator's typo is named at start-up instead of surfacing per request.
/// </summary>
public sealed class SchemaParser(JsonObject definitions, List<string> problems)
{
    private static readonly HashSet<string> Keys =
    [
        "$ref", "type", "description", "default", "enum", "const", "minLength", "maxLength", "pattern", "minimum", "maximum",
        "exclusiveMinimum", "exclusiveMaximum", "properties", "required", "rules", "items", "minItems", "maxItems", "uniqueBy",
        "mustContain", "allOrNone", "maxTotalSeconds", "anyOf", "media", "role", "roleFrom", "timeFrom", "fractionFrom",
        "minSeconds", "maxSeconds", "minSide", "aspect", "encoding", "scaledBy", "pixels",
    ];

    private static readonly HashSet<string> Types = ["string", "integer", "number", "boolean", "object", "array"];

    public RequestSchema Parse(JsonNode? node, string where, int depth = 0)
    {
        if (node is not JsonObject raw || depth > 16)
        {
            problems.Add($"{where}: a schema must be a JSON object{(depth > 16 ? " (or $ref loops)" : "")}");
            return new RequestSchema();
        }
        var o = Resolve(raw, where, 0);
        foreach (var key in o.Select(p => p.Key).Where(k => !Keys.Contains(k)))
            problems.Add($"{where}: unknown schema key '{key}'");
        var type = Str(o, "type", where);
        if (type is not null && !Types.Contains(type)) problems.Add($"{where}: type '{type}' is unknown (string, integer, number, boolean, object, array)");
        var schema = new RequestSchema
        {
            Type = type,
            Description = Str(o, "description", where),
            Default = o["default"]?.DeepClone(),
            Enum = o["enum"] is JsonArray e ? e.Select(v => v!.DeepClone()).ToList() : null,
            Const = o["const"]?.DeepClone(),
            MinLength = Int(o, "minLength", where),
            MaxLength = Int(o, "maxLength", where),
            Pattern = Str(o, "pattern", where),
            PatternRegex = Str(o, "pattern", where) is { } p ? CompilePattern(p, where) : null,
            Minimum = Num(o, "minimum", where),
            Maximum = Num(o, "maximum", where),
            ExclusiveMinimum = Num(o, "exclusiveMinimum", where),
            ExclusiveMaximum = Num(o, "exclusiveMaximum", where),
            Properties = o["properties"] is JsonObject props
                ? props.ToDictionary(p => p.Key, p => Parse(p.Value, $"{where}.{p.Key}", depth + 1), StringComparer.Ordinal) : null,
            Required = Strings(o, "required", where),
            Rules = o["rules"] is JsonArray rules ? rules.Select((r, i) => ParseRule(r, $"{where} rule {i + 1}")).ToList() : [],
            Items = o["items"] is { } items ? Parse(items, $"{where}[]", depth + 1) : null,
            MinItems = Int(o, "minItems", where),
            MaxItems = Int(o, "maxItems", where),
            UniqueBy = Str(o, "uniqueBy", where),
            MustContain = o["mustContain"] is JsonObject must ? must.ToDictionary(p => p.Key, p => p.Value!.DeepClone()) : null,
            AllOrNone = Str(o, "allOrNone", where),
            MaxTotalSeconds = Num(o, "maxTotalSeconds", where),
            AnyOf = o["anyOf"] is JsonArray any ? any.Select((b, i) => Parse(b, $"{where} (anyOf {i + 1})", depth + 1)).ToList() : null,
            Media = Str(o, "media", where) is { } media ? ParseMedia(media, where) : null,
            Role = Str(o, "role", where),
            RoleFrom = Str(o, "roleFrom", where),
            TimeFrom = Str(o, "timeFrom", where),
            FractionFrom = Str(o, "fractionFrom", where),
            MinSeconds = Num(o, "minSeconds", where),
            MaxSeconds = Num(o, "maxSeconds", where),
            MinSide = Int(o, "minSide", where),
            Aspect = o["aspect"] is JsonObject a ? new AspectBounds(Num(a, "min", where) ?? 0, Num(a, "max", where) ?? double.MaxValue) : null,
            Encoding = Str(o, "encoding", where),
            ScaledBy = o["scaledBy"] is JsonObject sb
                ? new ScaledBy(Str(sb, "field", where) ?? "", Num(sb, "default", where) ?? 1, Num(sb, "maxPixels", where) ?? double.MaxValue) : null,
            Pixels = o["pixels"] is JsonObject px ? new PixelBounds(Num(px, "min", where) ?? 0, Num(px, "max", where) ?? double.MaxValue) : null,
        };
        SchemaChecks.Check(schema, where, problems);
        return schema;
    }

    public SchemaRule ParseRule(JsonNode? node, string where)
    {
        if (node is not JsonObject o)
        {
            problems.Add($"{where}: a rule must be a JSON object");
            return new SchemaRule(null, null, null, null, null);
        }
        foreach (var key in o.Select(p => p.Key).Where(k => k is not ("when" or "require" or "atMostOne" or "exactlyOne" or "message")))
            problems.Add($"{where}: unknown rule key '{key}'");
        var rule = new SchemaRule(Condition(o["when"], where), Condition(o["require"], where),
            o.ContainsKey("atMostOne") ? Strings(o, "atMostOne", where) : null,
            o.ContainsKey("exactlyOne") ? Strings(o, "exactlyOne", where) : null, Str(o, "message", where));
        if ((rule.When is null) != (rule.Require is null) || (rule.When is null && rule.AtMostOne is null && rule.ExactlyOne is null))
            problems.Add($"{where}: a rule is either when + require, atMostOne or exactlyOne");
        return rule;
    }

    public SchemaCondition? Condition(JsonNode? node, string where)
    {
        if (node is null) return null;
        if (node is not JsonObject o)
        {
            problems.Add($"{where}: a condition must be an object of field → true, false or [values]");
            return null;
        }
        foreach (var (field, test) in o)
            if (!(test is JsonArray || test?.GetValueKind() is JsonValueKind.True or JsonValueKind.False
                  || (field == SchemaCondition.PixelsAbove && test?.GetValueKind() == JsonValueKind.Number)))
                problems.Add($"{where}: the test of '{field}' must be true, false or a list of values");
        return new SchemaCondition(o.ToDictionary(p => p.Key, p => p.Value!.DeepClone()));
    }

    /// <summary>A "$ref" node is its definition with the node's other keys laid over it.</summary>
    private JsonObject Resolve(JsonObject node, string where, int depth)
    {
        if (node["$ref"] is not JsonValue reference) return node;
        var name = reference.GetValueKind() == JsonValueKind.String ? reference.GetValue<string>() : "";
        if (definitions[name] is not JsonObject definition || depth > 16)
        {
            problems.Add($"{where}: $ref '{name}' names no definition{(depth > 16 ? " (or loops)" : "")}");
            return [];
        }
        var merged = Resolve(definition, where, depth + 1).DeepClone().AsObject();
        foreach (var (key, value) in node.Where(p => p.Key != "$ref")) merged[key] = value?.DeepClone();
        return merged;
    }

    private MediaKind? ParseMedia(string media, string where)
    {
        if (System.Enum.TryParse<MediaKind>(media, ignoreCase: true, out var kind) && media == media.ToLowerInvariant()) return kind;
        problems.Add($"{where}: media '{media}' is unknown (image, video, audio)");
        return null;
    }

    private Regex? CompilePattern(string pattern, string where)
    {
        try
        {
            // The whole string must match (docs/catalog.md): "[a-z]{2}" is a two-letter code, not any text containing one.
            return new Regex($"^(?:{pattern})\\z", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
        }
        catch (ArgumentException ex)
        {
            problems.Add($"{where}: pattern does not compile: {ex.Message}");
            return null;
        }
    }

    private string? Str(JsonObject o, string key, string where) => o[key] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => Bad<string>(where, key, "a string"),
    };

    private double? Num(JsonObject o, string key, string where) => o[key] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.GetValue<double>(),
        _ => Bad<double?>(where, key, "a number"),
    };

    private int? Int(JsonObject o, string key, string where) =>
        Num(o, key, where) is { } n ? (n == Math.Floor(n) && n is >= 0 and <= int.MaxValue ? (int)n : Bad<int?>(where, key, "a whole number")) : null;

    private List<string> Strings(JsonObject o, string key, string where) => o[key] switch
    {
        null => [],
        JsonArray a when a.All(v => v?.GetValueKind() == JsonValueKind.String) => a.Select(v => v!.GetValue<string>()).ToList(),
        _ => Bad<List<string>>(where, key, "a list of strings") ?? [],
    };

    private T? Bad<T>(string where, string key, string expected)
    {
        problems.Add($"{where}: '{key}' must be {expected}");
        return default;
    }
}
