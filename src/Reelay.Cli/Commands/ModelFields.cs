using System.Text.Json;

namespace Reelay.Cli.Commands;

/// <summary>
/// Which body fields a model takes on an endpoint, read from the server's /openapi/v1.json (generated from its catalog),
/// so the CLI never carries its own copy of the model list.
/// </summary>
public sealed record ModelSchema(IReadOnlySet<string> Properties, IReadOnlySet<string> Required);

public static class ModelFields
{
    /// <summary>The model's field names and required fields, or null when the document cannot be read or does not describe the model.</summary>
    public static async Task<ModelSchema?> SchemaAsync(string baseUrl, string endpoint, string model, CancellationToken cancellationToken)
    {
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
            await using var stream = await http.GetStreamAsync(baseUrl + "/openapi/v1.json", cancellationToken);
            using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
            return Schema(document.RootElement, endpoint, model);
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or TaskCanceledException or InvalidOperationException or KeyNotFoundException)
        {
            return null; // a nicety: without it the CLI sends its first-choice field names and the server says what is wrong
        }
    }

    /// <summary>The request body's discriminator maps the model id to its schema (pure).</summary>
    public static ModelSchema? Schema(JsonElement openApi, string endpoint, string model)
    {
        if (!openApi.TryGetProperty("paths", out var paths) || !paths.TryGetProperty("/v1/" + endpoint, out var path)) return null;
        var schema = path.GetProperty("post").GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        if (!schema.TryGetProperty("discriminator", out var discriminator) || !discriminator.GetProperty("mapping").TryGetProperty(model, out var target)) return null;
        var reference = target.ValueKind == JsonValueKind.String ? target.GetString()! : target.GetProperty("$ref").GetString()!;
        var component = openApi.GetProperty("components").GetProperty("schemas").GetProperty(reference[(reference.LastIndexOf('/') + 1)..]);
        var required = component.TryGetProperty("required", out var list) ? list.EnumerateArray().Select(r => r.GetString()!).ToHashSet(StringComparer.Ordinal) : [];
        return new ModelSchema(component.GetProperty("properties").EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal), required);
    }
}
