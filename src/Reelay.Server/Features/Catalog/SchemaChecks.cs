namespace Reelay.Server.Features.Catalog;

/// <summary>The meaning checks of one parsed schema node: the keys fit together and name fields that exist.</summary>
public static class SchemaChecks
{
    public static void Check(RequestSchema s, string where, List<string> problems)
    {
        var shapes = new[] { s.Type is not null, s.Enum is not null, s.Const is not null, s.AnyOf is not null }.Count(b => b);
        if (shapes != 1) problems.Add($"{where}: a schema has exactly one of type, enum, const or anyOf");
        if (s.Enum is { Count: 0 }) problems.Add($"{where}: enum lists no values");
        if (s.Enum is { Count: > 0 } && !s.IsStringEnum && s.Enum.Any(v => v.GetValueKind() != System.Text.Json.JsonValueKind.Number))
            problems.Add($"{where}: enum values are all strings or all numbers");
        if (s.Media is not null && s.Type != "string") problems.Add($"{where}: media inputs are strings (type: string)");
        if (s.Media is null && (s.Role ?? s.RoleFrom ?? s.TimeFrom ?? s.FractionFrom ?? s.Encoding) is not null)
            problems.Add($"{where}: role, roleFrom, timeFrom, fractionFrom and encoding belong to media inputs");
        if (s.Type is "integer" or "number" && ((s.Minimum ?? s.ExclusiveMinimum) is null || (s.Maximum ?? s.ExclusiveMaximum) is null))
            problems.Add($"{where}: a number needs both a minimum and a maximum");
        if (s.Minimum > s.Maximum || s.MinLength > s.MaxLength || s.MinItems > s.MaxItems || s.MinSeconds > s.MaxSeconds)
            problems.Add($"{where}: a lower bound is above its upper bound");
        if (s.Type != "object" && (s.Properties is not null || s.Required.Count > 0 || s.Rules.Count > 0))
            problems.Add($"{where}: properties, required and rules belong to objects");
        if (s.Type == "object") CheckObject(s, where, problems);
        if (s.Type != "array" && (s.Items ?? (object?)s.UniqueBy ?? s.MustContain ?? s.AllOrNone ?? (object?)s.MaxTotalSeconds) is not null)
            problems.Add($"{where}: items, uniqueBy, mustContain, allOrNone and maxTotalSeconds belong to arrays");
        if (s.Type == "array")
        {
            if (s.Items is null) problems.Add($"{where}: an array needs items");
            // Items may be a union of object shapes (keyframes: {seconds, …} or {at, …}): any shape's properties count.
            var itemFields = new[] { s.Items }.Concat(s.Items?.AnyOf ?? []).SelectMany(i => i?.Properties?.Keys ?? []).ToHashSet();
            foreach (var field in new[] { s.UniqueBy, s.AllOrNone }.Concat(s.MustContain?.Keys ?? []).OfType<string>())
                if (!itemFields.Contains(field)) problems.Add($"{where}: the items have no property '{field}'");
        }
    }

    public static void CheckObject(RequestSchema s, string where, List<string> problems)
    {
        var fields = s.Properties ?? new Dictionary<string, RequestSchema>();
        foreach (var name in s.Required.Where(n => !fields.ContainsKey(n)))
            problems.Add($"{where}: required field '{name}' is not among the fields");
        foreach (var rule in s.Rules)
        {
            var named = (rule.When?.Tests.Keys ?? []).Concat(rule.Require?.Tests.Keys ?? []).Concat(rule.AtMostOne ?? []).Concat(rule.ExactlyOne ?? []);
            foreach (var name in named.Where(n => n != SchemaCondition.PixelsAbove && !fields.ContainsKey(n)).Distinct())
                problems.Add($"{where}: a rule names '{name}', which is not a field");
        }
        foreach (var (name, field) in fields)
            foreach (var sibling in new[] { field.RoleFrom, field.TimeFrom, field.FractionFrom }.OfType<string>())
                if (!fields.ContainsKey(sibling)) problems.Add($"{where}.{name}: '{sibling}' is not a sibling field");
    }
}
