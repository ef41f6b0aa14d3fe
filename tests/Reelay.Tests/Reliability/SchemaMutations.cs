using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Reelay.Tests.Reliability;

/// <summary>
/// Bodies that break one property of a request schema at a time: a JSON kind the schema does not allow, a bound
/// just past its limit, a value outside its enum, a missing required field, or bytes that are not text (lone
/// surrogates, invalid and overlong UTF-8, raw control characters). Each is wrong by the schema itself, so each
/// must be refused. The rest of the body is the schema's smallest valid value; media fields name an https URL
/// that cannot be fetched, so even a wrongly accepted mutation could not run.
/// </summary>
public static class SchemaMutations
{
    public sealed record Mutation(string Name, byte[] Body);

    private static readonly string[] Kinds = ["null", "boolean", "integer", "number", "string", "array", "object"];

    /// <summary>The schema's smallest valid body.</summary>
    public static JsonObject Base(JsonElement schema, JsonElement components)
    {
        var body = new JsonObject();
        foreach (var name in Required(schema))
            if (schema.GetProperty("properties").TryGetProperty(name, out var property)) body[name] = Valid(CorpusRoutes.Resolve(property, components), components);
        return body;
    }

    public static IEnumerable<Mutation> For(JsonElement schema, JsonElement components, Func<string, int> encodings, Func<string, bool> includeProperty)
    {
        if (!schema.TryGetProperty("properties", out var properties)) yield break;
        var required = Required(schema).ToHashSet();
        var ordinal = 0;
        foreach (var property in properties.EnumerateObject())
        {
            if (!includeProperty(property.Name)) continue;
            ordinal++;
            var s = CorpusRoutes.Resolve(property.Value, components);
            var isRequired = required.Contains(property.Name);
            foreach (var (what, value) in WrongValues(s, isRequired, ordinal)) yield return Set(schema, components, property.Name, $"{property.Name}: {what}", value);
            if (isRequired)
            {
                var body = Base(schema, components);
                body.Remove(property.Name);
                yield return new Mutation($"{property.Name}: missing", Encode(body));
            }
            if (AllowedKinds(s).Contains("string"))
                foreach (var (what, raw) in BadStrings.Take(encodings(property.Name))) yield return SetRaw(schema, components, property.Name, $"{property.Name}: {what}", raw);
        }
        // A property name that is not text.
        yield return WithRawMember(Base(schema, components), "property name: lone surrogate", "\"extra\\udc00\":1");
    }

    /// <summary>Strings that are not text, as the raw bytes between the quotes; the first three are the commonest.</summary>
    public static readonly (string What, byte[] Raw)[] BadStrings =
    [
        ("lone high surrogate", "a\\ud800b"u8.ToArray()),
        ("invalid UTF-8 byte 0xFF", [(byte)'a', 0xFF, (byte)'b']),
        ("raw control character", [(byte)'a', 0x01, (byte)'b']),
        ("lone low surrogate", "\\udfffx"u8.ToArray()),
        ("surrogates reversed", "\\udc00\\ud800"u8.ToArray()),
        ("overlong UTF-8", [(byte)'a', 0xC0, 0xAF]),
        ("truncated UTF-8 sequence", [(byte)'a', 0xE2, 0x82]),
        ("UTF-8-encoded surrogate (CESU-8)", [0xED, 0xA0, 0x80]),
        ("bad escape", "a\\qb"u8.ToArray()),
        ("short unicode escape", "a\\u12"u8.ToArray()),
    ];

    private static IEnumerable<(string What, JsonNode? Value)> WrongValues(JsonElement s, bool required, int ordinal)
    {
        var allowed = AllowedKinds(s);
        if (allowed.Count > 0)
        {
            // Every other wrong kind, alternating between properties: each property gets half, each kind every property of a body or the next.
            var wrong = Kinds.Where(k => !allowed.Contains(k)).ToList();
            foreach (var kind in wrong.Where((_, i) => (i + ordinal) % 2 == 0 || wrong.Count <= 2))
            {
                if (kind == "integer" && allowed.Contains("number")) continue;
                // Optional and null: pydantic takes null for an optional field, as RunBlob does; only required ones must refuse it.
                if (kind == "null" && !required) continue;
                yield return ($"{kind} instead of {string.Join("|", allowed)}", Sample(kind));
            }
        }
        if (s.TryGetProperty("const", out var constant)) yield return ("not the constant", JsonValue.Create(constant.ValueKind == JsonValueKind.String ? "not-" + constant.GetString() : "x"));
        else if (s.TryGetProperty("enum", out var values))
            yield return ("outside the enum", values.EnumerateArray().First().ValueKind == JsonValueKind.Number ? JsonValue.Create(987654) : JsonValue.Create("not-an-option"));
        if (s.TryGetProperty("minimum", out var min)) yield return ("below the minimum", JsonValue.Create(min.GetDouble() - 1));
        if (s.TryGetProperty("maximum", out var max)) yield return ("above the maximum", JsonValue.Create(max.GetDouble() + 1));
        if (allowed.Contains("integer") && !allowed.Contains("number") && !allowed.Contains("string"))
        {
            yield return ("a fraction for an integer", JsonValue.Create(2.5));
            yield return ("an integer past 64 bits", JsonNode.Parse("99999999999999999999999"));
            yield return ("a number past double", JsonNode.Parse("1e400"));
        }
        if (s.TryGetProperty("maxLength", out var maxLength)) yield return ("one past maxLength", JsonValue.Create(new string('a', maxLength.GetInt32() + 1)));
        if (s.TryGetProperty("minLength", out var minLength) && minLength.GetInt32() > 0) yield return ("shorter than minLength", JsonValue.Create(""));
        if (s.TryGetProperty("pattern", out var pattern) && pattern.GetString() == "^https://") yield return ("not https", JsonValue.Create("http://example.com/hook"));
        if (s.TryGetProperty("maxItems", out var maxItems) && s.TryGetProperty("items", out var items))
            yield return ("one item past maxItems", new JsonArray([.. Enumerable.Range(0, maxItems.GetInt32() + 1).Select(_ => Sample("string"))]));
    }

    public static HashSet<string> AllowedKinds(JsonElement s)
    {
        var kinds = new HashSet<string>();
        if (s.TryGetProperty("type", out var type))
        {
            if (type.ValueKind == JsonValueKind.String) kinds.Add(type.GetString()!);
            else foreach (var t in type.EnumerateArray()) kinds.Add(t.GetString()!);
        }
        foreach (var combinator in new[] { "anyOf", "oneOf" })
            if (s.TryGetProperty(combinator, out var variants))
                foreach (var variant in variants.EnumerateArray())
                {
                    var inner = AllowedKinds(variant);
                    if (inner.Count == 0) return []; // a variant of any kind: nothing is a wrong kind
                    kinds.UnionWith(inner);
                }
        return kinds;
    }

    private static JsonNode? Sample(string kind) => kind switch
    {
        "null" => null,
        "boolean" => JsonValue.Create(true),
        "integer" => JsonValue.Create(7),
        "number" => JsonValue.Create(1.5),
        "string" => JsonValue.Create("wrong kind"),
        "array" => new JsonArray(1),
        _ => new JsonObject { ["x"] = 1 },
    };

    private static JsonNode? Valid(JsonElement s, JsonElement components)
    {
        if (s.TryGetProperty("const", out var constant)) return JsonNode.Parse(constant.GetRawText());
        if (s.TryGetProperty("enum", out var values)) return JsonNode.Parse(values.EnumerateArray().First(v => v.ValueKind != JsonValueKind.Null).GetRawText());
        foreach (var combinator in new[] { "anyOf", "oneOf" })
            if (s.TryGetProperty(combinator, out var variants)) return Valid(CorpusRoutes.Resolve(variants.EnumerateArray().First(), components), components);
        var kinds = AllowedKinds(s);
        if (kinds.Contains("string"))
        {
            if (s.TryGetProperty("format", out var format) && format.GetString() == "uri" || s.TryGetProperty("x-reelay-media", out _))
                return JsonValue.Create("https://unreachable.invalid/input.png");
            if (s.TryGetProperty("pattern", out var pattern) && pattern.GetString() == "^https://") return JsonValue.Create("https://unreachable.invalid/hook");
            return JsonValue.Create("a lighthouse at dusk");
        }
        if (kinds.Contains("integer") || kinds.Contains("number"))
            return JsonValue.Create(s.TryGetProperty("minimum", out var min) ? (long)Math.Ceiling(min.GetDouble()) : 1);
        if (kinds.Contains("boolean")) return JsonValue.Create(false);
        if (kinds.Contains("array"))
        {
            var count = s.TryGetProperty("minItems", out var minItems) ? minItems.GetInt32() : 0;
            var item = s.TryGetProperty("items", out var items) ? CorpusRoutes.Resolve(items, components) : default;
            return new JsonArray([.. Enumerable.Range(0, count).Select(_ => item.ValueKind == JsonValueKind.Undefined ? null : Valid(item, components))]);
        }
        return s.TryGetProperty("properties", out _) ? Base(s, components) : new JsonObject();
    }

    private static IEnumerable<string> Required(JsonElement schema) =>
        schema.TryGetProperty("required", out var required) ? required.EnumerateArray().Select(r => r.GetString()!) : [];

    private static Mutation Set(JsonElement schema, JsonElement components, string property, string name, JsonNode? value)
    {
        var body = Base(schema, components);
        body[property] = value;
        return new Mutation(name, Encode(body));
    }

    /// <summary>The property set to a string whose bytes between the quotes are <paramref name="raw"/>.</summary>
    private static Mutation SetRaw(JsonElement schema, JsonElement components, string property, string name, byte[] raw)
    {
        var body = Base(schema, components);
        body[property] = "@@RAW@@";
        var text = Encode(body);
        var marker = "@@RAW@@"u8.ToArray();
        var at = text.AsSpan().IndexOf(marker);
        return new Mutation(name, [.. text[..at], .. raw, .. text[(at + marker.Length)..]]);
    }

    private static Mutation WithRawMember(JsonObject body, string name, string member)
    {
        var text = body.ToJsonString();
        return new Mutation(name, Encoding.UTF8.GetBytes(text.Length > 2 ? text[..^1] + "," + member + "}" : "{" + member + "}"));
    }

    public static byte[] Encode(JsonNode body) => Encoding.UTF8.GetBytes(body.ToJsonString());
}
