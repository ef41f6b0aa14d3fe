using System.Text.Json;
using System.Text.Json.Serialization;

namespace Reelay.Server.Features.Tasks;

/// <summary>One problem in a request, in the Zod vocabulary the Runway API uses.</summary>
public sealed record ValidationIssue(string Code, IReadOnlyList<object> Path, string Message)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Expected { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Received { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<string>? Keys { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<object>? Options { get; init; }

    public static ValidationIssue Required(IReadOnlyList<object> path, string expected) =>
        new("invalid_type", path, "Required") { Expected = expected, Received = "undefined" };

    public static ValidationIssue WrongType(IReadOnlyList<object> path, string expected, JsonElement value) =>
        new("invalid_type", path, $"Expected {expected}, received {TypeName(value)}") { Expected = expected, Received = TypeName(value) };

    public static ValidationIssue Custom(IReadOnlyList<object> path, string message) => new("custom", path, message);

    /// <summary>Zod's names for JSON value types.</summary>
    public static string TypeName(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "string",
        JsonValueKind.Number => value.TryGetInt64(out _) ? "number" : "float",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Array => "array",
        JsonValueKind.Object => "object",
        JsonValueKind.Null => "null",
        _ => "undefined",
    };
}
