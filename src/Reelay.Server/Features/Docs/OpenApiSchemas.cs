using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Reelay.Server.Features.Catalog;

namespace Reelay.Server.Features.Docs;

/// <summary>
/// The catalog's request schemas as OpenAPI (JSON Schema 2020-12) schemas: what the validator enforces, said in the
/// words a client generator understands. Keys OpenAPI has no word for (media checks, uniqueBy, cross-field rules) go
/// into the description, so the reference still states them.
/// </summary>
public static class OpenApiSchemas
{
    public static OpenApiSchema Convert(RequestSchema s, JsonNode? engineDefault = null)
    {
        var o = new OpenApiSchema { Description = Describe(s), Default = (s.Default ?? engineDefault)?.DeepClone() };
        if (s.AnyOf is { } branches)
        {
            o.AnyOf = branches.Select(b => (IOpenApiSchema)Convert(b)).ToList();
            return o;
        }
        if (s.Const is { } constant)
        {
            if (constant.GetValueKind() == JsonValueKind.String) o.Const = constant.GetValue<string>();
            o.Enum = [constant.DeepClone()]; // a one-value enum as well: OpenAPI 3.0 tools do not read const
            o.Type = LiteralType([constant]);
        }
        else if (s.Enum is { } values)
        {
            o.Enum = values.Select(v => v.DeepClone()).ToList();
            o.Type = LiteralType(values);
        }
        else
        {
            o.Type = s.Type switch
            {
                "string" => JsonSchemaType.String,
                "integer" => JsonSchemaType.Integer,
                "number" => JsonSchemaType.Number,
                "boolean" => JsonSchemaType.Boolean,
                "object" => JsonSchemaType.Object,
                "array" => JsonSchemaType.Array,
                _ => null,
            };
        }
        Strings(s, o);
        Numbers(s, o);
        if (s.Items is { } items) o.Items = Convert(items);
        (o.MinItems, o.MaxItems) = (s.MinItems, s.MaxItems);
        if (s.Properties is { } properties) Close(o, properties.ToDictionary(p => p.Key, p => (IOpenApiSchema)Convert(p.Value)), s.Required);
        return o;
    }

    /// <summary>A closed object: the validator reports any other key as unrecognized_keys.</summary>
    public static void Close(OpenApiSchema o, IDictionary<string, IOpenApiSchema> properties, IEnumerable<string> required)
    {
        o.Type = JsonSchemaType.Object;
        o.Properties = properties;
        o.Required = new SortedSet<string>(required, StringComparer.Ordinal);
        o.AdditionalPropertiesAllowed = false;
    }

    public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static void Strings(RequestSchema s, OpenApiSchema o)
    {
        // JSON Schema patterns match anywhere; the validator matches the whole string, so the document says so.
        (o.MinLength, o.MaxLength, o.Pattern) = (s.MinLength, s.MaxLength, s.Pattern is { } p ? $"^(?:{p})$" : null);
        if (s.Media is null) return;
        o.Type = JsonSchemaType.String;
        if (s.Encoding == "base64") o.ContentEncoding = "base64";
        else o.Format = "uri"; // https URLs, runway:// upload URIs and data URIs are all URIs
        o.Extensions ??= new Dictionary<string, IOpenApiExtension>();
        o.Extensions["x-reelay-media"] = new JsonNodeExtension(JsonValue.Create(s.Media.Value.ToString().ToLowerInvariant()));
    }

    private static void Numbers(RequestSchema s, OpenApiSchema o)
    {
        if (s.Minimum is { } min) o.Minimum = Number(min);
        if (s.Maximum is { } max) o.Maximum = Number(max);
        if (s.ExclusiveMinimum is { } xmin) o.ExclusiveMinimum = Number(xmin);
        if (s.ExclusiveMaximum is { } xmax) o.ExclusiveMaximum = Number(xmax);
    }

    /// <summary>The JSON type of a literal set: strings, whole numbers or numbers.</summary>
    private static JsonSchemaType? LiteralType(IEnumerable<JsonNode> values)
    {
        var kinds = values.Select(v => v.GetValueKind()).Distinct().ToList();
        if (kinds is [JsonValueKind.String]) return JsonSchemaType.String;
        if (kinds is [JsonValueKind.True or JsonValueKind.False]) return JsonSchemaType.Boolean;
        if (kinds.All(k => k == JsonValueKind.Number))
            return values.All(v => JsonNumbers.Double(v) is { } d && d == Math.Floor(d)) ? JsonSchemaType.Integer : JsonSchemaType.Number;
        return null;
    }

    /// <summary>The catalog's description, then what the validator checks beyond the JSON Schema keywords.</summary>
    private static string? Describe(RequestSchema s)
    {
        var notes = new List<string>();
        if (s.Description is { } description) notes.Add(description);
        if (s.Media is { } media) notes.Add(MediaNote(s, media));
        if (s.UniqueBy is { } unique) notes.Add($"No two items may have the same `{unique}`.");
        if (s.MustContain is { } must)
            notes.Add("One item must have " + string.Join(" and ", must.Select(m => $"`{m.Key}: {m.Value?.ToJsonString()}`")) + ".");
        if (s.AllOrNone is { } all) notes.Add($"Either every item has `{all}` or none does.");
        if (s.MaxTotalSeconds is { } total) notes.Add($"The items' media may last at most {Number(total)} s in total.");
        if (s.Pixels is { } pixels) notes.Add($"As `W:H`, width × height must be {Number(pixels.Min)}–{Number(pixels.Max)} pixels.");
        notes.AddRange(s.Rules.Select(RuleText));
        return notes.Count == 0 ? null : string.Join(" ", notes);
    }

    private static string MediaNote(RequestSchema s, MediaKind media)
    {
        var kind = media switch { MediaKind.Image => "an image", MediaKind.Video => "a video", _ => "audio" };
        // The catalog's own description already says which URIs are taken; this names the kind and the checks.
        var note = $"Media: {kind}{(s.Encoding == "base64" ? ", as base64" : "")}.";
        if (s.MinSeconds is not null || s.MaxSeconds is not null)
            note += $" Duration {(s.MinSeconds is { } a ? Number(a) : "0")}–{(s.MaxSeconds is { } b ? Number(b) : "∞")} s.";
        if (s.MinSide is { } side) note += $" Each side at least {side} px.";
        if (s.Aspect is { } aspect) note += $" Aspect ratio (width / height) {Number(aspect.Min)}–{Number(aspect.Max)}.";
        if (s.ScaledBy is { } scaled)
            note += $" Its width × height times `{scaled.Field}`² (default {Number(scaled.Default)}) may be at most {Number(scaled.MaxPixels)} pixels.";
        return note;
    }

    /// <summary>A cross-field rule as a sentence: its own message where the catalog gives one.</summary>
    public static string RuleText(SchemaRule rule)
    {
        if (rule.Message is { } message) return message;
        if (rule.AtMostOne is { } atMost) return $"At most one of {Names(atMost)}.";
        if (rule.ExactlyOne is { } exactly) return $"Exactly one of {Names(exactly)}.";
        return $"When {Condition(rule.When)}, {Condition(rule.Require)}.";
    }

    private static string Names(IEnumerable<string> names) => string.Join(", ", names.Select(n => $"`{n}`"));

    private static string Condition(SchemaCondition? condition) => condition is null ? "" : string.Join(" and ", condition.Tests.Select(t => t.Value switch
    {
        JsonArray allowed => $"`{t.Key}` is one of {allowed.ToJsonString()}",
        var v when v?.GetValueKind() == JsonValueKind.False => $"`{t.Key}` is absent",
        _ => $"`{t.Key}` is present",
    }));
}
