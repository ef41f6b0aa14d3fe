using System.Text.Json.Nodes;
using Reelay.Server.Features.Catalog;

namespace Reelay.Server.Features.Tasks;

// Cross-field rules of an object: "when X then Y", "at most one of", "exactly one of" (docs/catalog.md).
public sealed partial class RequestValidator
{
    private void CheckRule(SchemaRule rule, JsonObject values, List<object> path)
    {
        if (rule.When is { } when && rule.Require is { } require)
        {
            if (!when.Holds(values)) return;
            foreach (var (field, test) in require.Tests)
                if (!SchemaCondition.Matches(values[field], values.ContainsKey(field), test))
                    Add(ValidationIssue.Custom([.. path, field], rule.Message ?? RequireMessage(field, test, when)));
            return;
        }
        var group = rule.AtMostOne ?? rule.ExactlyOne ?? [];
        var present = group.Where(values.ContainsKey).ToList();
        var names = string.Join(", ", group);
        if (rule.AtMostOne is not null && present.Count > 1)
            Add(ValidationIssue.Custom([.. path, present[1]], rule.Message ?? $"Only one of {names} may be given."));
        if (rule.ExactlyOne is not null && present.Count != 1)
            Add(ValidationIssue.Custom(present.Count > 1 ? [.. path, present[1]] : path.ToArray(), rule.Message ?? $"Exactly one of {names} must be given."));
    }

    /// <summary>"ratio is not allowed when mode is 'extend'." — the sentence a rule without its own message reads as.</summary>
    public static string RequireMessage(string field, JsonNode test, SchemaCondition when)
    {
        var condition = string.Join(" and ", when.Tests.Select(t => t.Key == SchemaCondition.PixelsAbove
            ? $"the output is above {t.Value} pixels"
            : $"{t.Key} {Describe(t.Value)}"));
        return $"{field} {Demand(test)} when {condition}.";
    }

    private static string Describe(JsonNode test) => test switch
    {
        JsonArray values => "is " + string.Join(" or ", values.Select(Quote)),
        _ when test.GetValueKind() == System.Text.Json.JsonValueKind.True => "is given",
        _ => "is not given",
    };

    private static string Demand(JsonNode test) => test switch
    {
        JsonArray values => "must be " + string.Join(" or ", values.Select(Quote)),
        _ when test.GetValueKind() == System.Text.Json.JsonValueKind.True => "is required",
        _ => "is not allowed",
    };

    private static string Quote(JsonNode? value) => value?.GetValueKind() == System.Text.Json.JsonValueKind.String ? $"'{value.GetValue<string>()}'" : value?.ToJsonString() ?? "null";
}
