using System.Text.Json;
using System.Text.Json.Nodes;

namespace Reelay.Server.Features.Tasks;

/// <summary>
/// The one record of a generation, whichever surface asked for it: endpoint, model, the validated options as data
/// (defaults applied; each media string replaced by "input:N", the index into <see cref="Media"/>), the stored
/// media inputs with their roles, and the output the engine must produce. Stored with the task, sent to remote
/// workers, read by every engine.
/// </summary>
public sealed record GenerationRequest(string Endpoint, string Model, JsonObject Options, IReadOnlyList<MediaInput> Media, OutputPlan Output)
{
    public string? PromptText => Options["promptText"] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    public IEnumerable<MediaInput> WithRole(string role) => Media.Where(m => m.Role == role);

    public string ToJson() => JsonSerializer.Serialize(this, JsonSerializerOptions.Web);

    public static GenerationRequest FromJson(string json)
    {
        var node = JsonNode.Parse(json) as JsonObject ?? throw new InvalidOperationException("Empty task parameters.");
        return node.ContainsKey("promptImages") ? LegacyTaskParams.Convert(node)
            : node.Deserialize<GenerationRequest>(JsonSerializerOptions.Web) ?? throw new InvalidOperationException("Empty task parameters.");
    }
}

/// <summary>
/// A stored input. Kind is image, video or audio; Role is first, last, reference, keyframe, source, character or
/// driver; Path is where it stood in the request ("promptImage.0.uri"); AtSeconds places keyframes in the output.
/// </summary>
public sealed record MediaInput(int Index, string Kind, string Role, string Path, string BlobKey, string MediaType,
    int Width, int Height, double? Seconds = null, double? AtSeconds = null);

/// <summary>
/// What the engine must produce, decided once at submission (the price depends on it): kind, pixel size, seconds,
/// an audio track or not, the container/encoding (Runway's outputFormat values; "mp4" by default, "png" for images) and
/// the seed; how many files (images of outputCount), a frame rate the output is re-timed to (null: the engine's or the
/// source's own) and whether images keep an alpha channel (background: transparent).
/// </summary>
public sealed record OutputPlan(string Kind, int Width, int Height, double Seconds, bool Audio, string Format, string? ProresProfile, long Seed,
    int Count = 1, double? FrameRate = null, bool Alpha = false);

/// <summary>Tasks stored before the one-record shape (fixed fields and "promptImages") still run after an upgrade.</summary>
internal static class LegacyTaskParams
{
    public static GenerationRequest Convert(JsonObject old)
    {
        var options = new JsonObject();
        if (old["promptText"] is { } text) options["promptText"] = text.DeepClone();
        options["ratio"] = old["ratio"]?.DeepClone();
        var media = (old["promptImages"] as JsonArray ?? []).OfType<JsonObject>().Select((m, i) =>
        {
            var position = m["position"]?.GetValue<string>() ?? "first";
            var video = position == "video";
            return new MediaInput(i, video ? "video" : "image", video ? "source" : position, video ? "videoUri" : "promptImage",
                m["blobKey"]!.GetValue<string>(), m["mediaType"]!.GetValue<string>(), m["width"]?.GetValue<int>() ?? 0, m["height"]?.GetValue<int>() ?? 0);
        }).ToList();
        var plan = new OutputPlan("video", old["width"]!.GetValue<int>(), old["height"]!.GetValue<int>(), old["duration"]!.GetValue<int>(),
            false, "mp4", null, old["seed"]?.GetValue<long>() ?? 0);
        var endpoint = media.Any(m => m.Kind == "video") ? "video_to_video" : media.Count > 0 ? "image_to_video" : "text_to_video";
        return new GenerationRequest(endpoint, "", options, media, plan);
    }
}
