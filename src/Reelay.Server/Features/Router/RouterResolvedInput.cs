using System.Text.Json;
using System.Text.Json.Nodes;
using Reelay.Server.Features.Catalog;
using Reelay.Server.Features.Tasks;

namespace Reelay.Server.Features.Router;

/// <summary>
/// The routing answer's resolvedInput (pure): the request-side values the router resolved for the chosen model, with
/// the defaults it filled in — audio: the prompt mode and how the voice is resolved; image: aspect, concrete ratio and
/// tier; video: duration, concrete ratio and resolution tier.
/// </summary>
public static class RouterResolvedInput
{
    public static JsonObject For(string kind, JsonObject input, RoutedRequest request, EndpointDefinition endpoint) => kind switch
    {
        "audio" => new JsonObject
        {
            ["type"] = Str(input["type"]),
            ["voice"] = Str(input["type"]) != "speech" ? "none"
                : input["voice"] is JsonObject voice ? (Str(voice["type"]) == "preset" ? "preset" : "reference-audio") : "default",
        },
        "image" => new JsonObject
        {
            ["aspectRatio"] = Str(input["aspectRatio"]) ?? "1:1",
            ["ratio"] = Str(request.Body["ratio"]) ?? "auto",
            ["resolution"] = Str(input["resolution"]) ?? "1k",
        },
        _ => Video(input, request, endpoint),
    };

    private static JsonObject Video(JsonObject input, RoutedRequest request, EndpointDefinition endpoint)
    {
        var duration = JsonNumbers.Double(input["duration"]) ?? JsonNumbers.Double(endpoint.Defaults["duration"]) ?? OutputPlanner.DefaultSeconds;
        var ratio = Str(request.Body["ratio"]) ?? Str(endpoint.Defaults["ratio"]);
        var (width, height) = OutputPlanner.Size(ratio, Str(request.Body["resolution"]) ?? Str(endpoint.Defaults["resolution"]), null, null);
        var lines = Math.Min(width, height);
        return new JsonObject
        {
            ["duration"] = duration,
            ["ratio"] = ratio ?? $"{width}:{height}",
            ["resolution"] = Str(input["resolution"]) ?? (lines >= 2160 ? "4k" : lines >= 1080 ? "1080p" : lines >= 720 ? "720p" : "480p"),
        };
    }

    private static string? Str(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
}
