using System.Text.Json;
using System.Text.Json.Nodes;
using Reelay.Server.Features.Catalog;

namespace Reelay.Server.Features.Tasks;

// Objects (closed, with required fields, defaults and rules), arrays (bounds and item rules) and unions.
public sealed partial class RequestValidator
{
    /// <summary>Unknown keys are listed up to this many in one issue; a body with a million of them gets a short error.</summary>
    public const int MaxListedKeys = 100;

    private JsonNode? CheckObject(JsonElement value, RequestSchema s, List<object> path)
    {
        if (value.ValueKind != JsonValueKind.Object) return WrongType(path, "object", value);
        var fields = s.Properties ?? new Dictionary<string, RequestSchema>();
        var before = _issues.Count;
        // The selector belongs to the outermost object only.
        var selector = _selector;
        _selector = null;
        var unknown = new List<string>();
        var unknownCount = 0;
        foreach (var property in value.EnumerateObject())
            if (!fields.ContainsKey(property.Name) && property.Name != selector && unknownCount++ < MaxListedKeys) unknown.Add(property.Name);
        if (unknownCount > 0)
        {
            var more = unknownCount > unknown.Count ? $" and {unknownCount - unknown.Count} more" : "";
            Add(new ValidationIssue("unrecognized_keys", path.ToArray(), $"Unrecognized key(s) in object: {string.Join(", ", unknown.Select(k => $"'{k}'"))}{more}") { Keys = unknown });
        }
        var result = new JsonObject();
        foreach (var (name, field) in fields)
        {
            if (value.TryGetProperty(name, out var item))
            {
                path.Add(name);
                var checkedValue = Check(item, field, path, value);
                path.RemoveAt(path.Count - 1);
                if (checkedValue is not null) result[name] = checkedValue;
            }
            else if (s.Required.Contains(name))
                Add(ValidationIssue.Required([.. path, name], ExpectedLabel(field)));
            else if (field.Default is { } fallback)
                result[name] = fallback.DeepClone();
        }
        // Refinements only see a well-formed object, as Zod's do: an invalid field would make every rule guess.
        if (_issues.Skip(before).All(i => i.Code == "unrecognized_keys"))
            foreach (var rule in s.Rules) CheckRule(rule, result, path);
        return result;
    }

    private JsonNode? CheckArray(JsonElement value, RequestSchema s, List<object> path)
    {
        if (value.ValueKind != JsonValueKind.Array) return WrongType(path, "array", value);
        var count = value.GetArrayLength();
        if (count < (s.MinItems ?? 0))
        {
            Add(new ValidationIssue("too_small", path.ToArray(), $"Array must contain at least {s.MinItems} element(s)"));
            return null;
        }
        if (s.MaxItems is { } max && count > max)
        {
            Add(new ValidationIssue("too_big", path.ToArray(), $"Array must contain at most {max} element(s)"));
            return null;
        }
        var (outerGroup, outerMax) = (_group, _groupMaxSeconds);
        if (s.MaxTotalSeconds is not null) (_group, _groupMaxSeconds) = (string.Join(".", path), s.MaxTotalSeconds);
        var result = new JsonArray();
        var before = _issues.Count;
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            path.Add(index++);
            var checkedItem = Check(item, s.Items!, path, null);
            path.RemoveAt(path.Count - 1);
            result.Add(checkedItem);
        }
        (_group, _groupMaxSeconds) = (outerGroup, outerMax);
        // As for objects: rules across items only once every item is well formed.
        if (_issues.Count == before) CheckItemRules(s, result, path);
        return result;
    }

    private void CheckItemRules(RequestSchema s, JsonArray items, List<object> path)
    {
        var objects = items.OfType<JsonObject>().ToList();
        var name = path.Count > 0 ? path[^1].ToString() : "the array";
        if (s.UniqueBy is { } unique)
        {
            var seen = objects.Where(o => o.ContainsKey(unique)).Select(o => o[unique]!.ToJsonString()).ToList();
            if (seen.Count != seen.Distinct().Count())
            {
                var values = s.Items?.Properties?.GetValueOrDefault(unique)?.Enum?.Select(v => v.ToJsonString());
                Add(ValidationIssue.Custom(path.ToArray(), $"Each {unique}{(values is null ? "" : $" ({string.Join(", ", values)})")} may be used only once."));
            }
        }
        if (s.MustContain is { } must && objects.Count == items.Count
            && !objects.Any(o => must.All(m => JsonNode.DeepEquals(o[m.Key], m.Value))))
            Add(ValidationIssue.Custom(path.ToArray(), $"{name} must include an item with {string.Join(" and ", must.Select(m => $"{m.Key} {m.Value!.ToJsonString()}"))}."));
        foreach (var (property, limits) in s.MaxItemsWhere ?? new Dictionary<string, IReadOnlyDictionary<string, int>>())
            foreach (var (value, max) in limits)
            {
                var count = objects.Count(o => o[property] is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String && v.GetValue<string>() == value);
                if (count > max) Add(ValidationIssue.Custom(path.ToArray(), $"At most {max} items of {name} may have {property} '{value}'; got {count}."));
            }
        if (s.AllOrNone is { } field && objects.Count == items.Count)
        {
            var having = objects.Count(o => o.ContainsKey(field));
            if (having > 0 && having < objects.Count)
                Add(ValidationIssue.Custom(path.ToArray(), $"Either every item of {name} has a {field} or none does."));
        }
    }

    /// <summary>The branch whose JSON type fits the value decides; among several, the one with the fewest issues.</summary>
    private JsonNode? CheckUnion(JsonElement value, IReadOnlyList<RequestSchema> branches, List<object> path, JsonElement? parent)
    {
        var fitting = branches.Where(b => Accepts(b, value.ValueKind)).ToList();
        if (fitting.Count == 0)
        {
            Add(new ValidationIssue("invalid_union", path.ToArray(),
                $"Invalid input: expected {string.Join(" | ", branches.Select(ExpectedLabel).Distinct())}, received {ValidationIssue.TypeName(value)}"));
            return null;
        }
        if (fitting.Count == 1) return Check(value, fitting[0], path, parent);
        // Each fitting branch is tried on its own validator; media numbering continues from ours, so "input:N" holds.
        var trials = fitting.Select(b =>
        {
            var trial = new RequestValidator { _group = _group, _groupMaxSeconds = _groupMaxSeconds, _mediaOffset = _mediaOffset + _media.Count };
            return (Node: trial.Check(value, b, [.. path], parent), Trial: trial);
        }).ToList();
        var best = trials.OrderBy(t => t.Trial._issues.Count).First();
        _issues.AddRange(best.Trial._issues);
        _media.AddRange(best.Trial._media);
        return best.Node;
    }

    private static bool Accepts(RequestSchema s, JsonValueKind kind) =>
        s.AnyOf is { } any ? any.Any(b => Accepts(b, kind))
        : s.Enum is { } values ? values.Any(v => v.GetValueKind() == kind)
        : s.Const is { } c ? c.GetValueKind() == kind
        : s.Type switch
        {
            "string" => kind == JsonValueKind.String,
            "integer" or "number" => kind == JsonValueKind.Number,
            "boolean" => kind is JsonValueKind.True or JsonValueKind.False,
            "object" => kind == JsonValueKind.Object,
            "array" => kind == JsonValueKind.Array,
            _ => true,
        };

    /// <summary>The Zod "expected" of a schema: its type, or its values for an enum.</summary>
    public static string ExpectedLabel(RequestSchema s) =>
        s.AnyOf is { } any ? string.Join(" | ", any.Select(ExpectedLabel).Distinct())
        : s.IsStringEnum ? string.Join(" | ", s.Enum!.Select(v => $"'{v.GetValue<string>()}'"))
        : s.Enum is { } values ? string.Join(" | ", values.Select(v => v.ToJsonString()))
        : s.Const is { } c ? (c.GetValueKind() == JsonValueKind.String ? $"'{c.GetValue<string>()}'" : c.ToJsonString())
        : s.Type == "integer" ? "number" : s.Type ?? "unknown";
}
