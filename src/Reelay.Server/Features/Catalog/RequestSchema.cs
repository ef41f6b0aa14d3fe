using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Reelay.Server.Features.Catalog;

/// <summary>
/// One node of a model's request schema, as the catalog states it (docs/catalog.md). The validator interprets it,
/// the OpenAPI document and the docs are generated from it: the limits a client reads are the limits enforced.
/// </summary>
public sealed class RequestSchema
{
    public string? Type { get; init; }
    public string? Description { get; init; }
    public JsonNode? Default { get; init; }
    public IReadOnlyList<JsonNode>? Enum { get; init; }
    public JsonNode? Const { get; init; }

    public int? MinLength { get; init; }
    public int? MaxLength { get; init; }
    public string? Pattern { get; init; }
    public Regex? PatternRegex { get; init; }

    public double? Minimum { get; init; }
    public double? Maximum { get; init; }
    public double? ExclusiveMinimum { get; init; }
    public double? ExclusiveMaximum { get; init; }

    public IReadOnlyDictionary<string, RequestSchema>? Properties { get; init; }
    public IReadOnlyList<string> Required { get; init; } = [];
    public IReadOnlyList<SchemaRule> Rules { get; init; } = [];

    public RequestSchema? Items { get; init; }
    public int? MinItems { get; init; }
    public int? MaxItems { get; init; }
    public string? UniqueBy { get; init; }
    public IReadOnlyDictionary<string, JsonNode>? MustContain { get; init; }
    public string? AllOrNone { get; init; }
    public double? MaxTotalSeconds { get; init; }

    public IReadOnlyList<RequestSchema>? AnyOf { get; init; }

    public MediaKind? Media { get; init; }
    public string? Role { get; init; }
    public string? RoleFrom { get; init; }
    public string? TimeFrom { get; init; }
    public string? FractionFrom { get; init; }
    public double? MinSeconds { get; init; }
    public double? MaxSeconds { get; init; }
    public int? MinSide { get; init; }
    /// <summary>An image whose pixels are multiplied by a sibling option (an upscale's scaleFactor): the product's bound.</summary>
    public ScaledBy? ScaledBy { get; init; }
    /// <summary>A "W:H" string whose width × height must lie within these bounds (free-form output sizes).</summary>
    public PixelBounds? Pixels { get; init; }
    public AspectBounds? Aspect { get; init; }
    /// <summary>"base64": the string is bare base64 (RunBlob's image_base64) instead of a URI.</summary>
    public string? Encoding { get; init; }

    public bool IsStringEnum => Enum is { Count: > 0 } e && e.All(v => v.GetValueKind() == System.Text.Json.JsonValueKind.String);
    public bool IsNumberEnum => Enum is { Count: > 0 } && !IsStringEnum;

    /// <summary>The largest number this schema allows (through unions and literal sets), or null: what "auto" is charged as.</summary>
    public double? LargestNumber() =>
        AnyOf is { } branches ? branches.Select(b => b.LargestNumber()).Max()
        : IsNumberEnum ? Enum!.Max(v => JsonNumbers.Double(v))
        : Type is "integer" or "number" ? Maximum ?? ExclusiveMaximum
        : null;

    /// <summary>Does any node below allow this literal string (e.g. "auto")?</summary>
    public bool AllowsLiteral(string value) =>
        (Const is JsonValue c && c.GetValueKind() == System.Text.Json.JsonValueKind.String && c.GetValue<string>() == value)
        || (IsStringEnum && Enum!.Any(e => e.GetValue<string>() == value))
        || (AnyOf?.Any(b => b.AllowsLiteral(value)) ?? false);
}

public enum MediaKind { Image, Video, Audio }

/// <summary>A field-to-value test: true (present), false (absent) or a list of allowed values; "$pixelsAbove" tests the output size.</summary>
public sealed record SchemaCondition(IReadOnlyDictionary<string, JsonNode> Tests)
{
    public const string PixelsAbove = "$pixelsAbove";

    public bool Holds(JsonObject values, long? pixels = null) => Tests.All(t => t.Key == PixelsAbove
        ? pixels is { } p && p > JsonNumbers.Double(t.Value)
        : Matches(values[t.Key], values.ContainsKey(t.Key), t.Value));

    /// <summary>Does one field's value pass one test? Null when it does; otherwise the test that failed.</summary>
    public static bool Matches(JsonNode? value, bool present, JsonNode test) => test switch
    {
        JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.True => present,
        JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.False => !present,
        JsonArray allowed => present && allowed.Any(a => JsonNode.DeepEquals(a, value)),
        _ => false,
    };
}

/// <summary>A cross-field rule: when one condition holds another must; or at most / exactly one of some fields.</summary>
public sealed record SchemaRule(SchemaCondition? When, SchemaCondition? Require, IReadOnlyList<string>? AtMostOne, IReadOnlyList<string>? ExactlyOne, string? Message);

/// <summary>The image's pixels times <see cref="Field"/>² (the request's value, or <see cref="Default"/>) may be at most <see cref="MaxPixels"/>.</summary>
public sealed record ScaledBy(string Field, double Default, double MaxPixels);

public sealed record PixelBounds(double Min, double Max);

public sealed record AspectBounds(double Min, double Max)
{
    public static readonly AspectBounds Default = new(0.5, 2);
}

/// <summary>Numbers out of JSON nodes, whatever .NET type the node was built from (a parsed element, a long, a double).</summary>
public static class JsonNumbers
{
    public static double? Double(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.Number
            ? double.Parse(v.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture) : null;

    public static decimal? Decimal(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.Number
            ? decimal.Parse(v.ToJsonString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture) : null;
}
