using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Reelay.Server.Features.Catalog;

namespace Reelay.Server.Features.Router;

/// <summary>
/// A router input mapped onto one model: the endpoint and body it would be sent as, and where each of the body's
/// fields came from in the input (so an issue found later names the field the client sent). Unsupported says why the
/// model cannot take the input at all (another endpoint, no ratio of that aspect).
/// </summary>
public sealed record RoutedRequest(string Endpoint, JsonObject Body, IReadOnlyList<(object[] Body, object[] Input)> Paths, string? Unsupported = null)
{
    /// <summary>An issue path in the model's body as a path in the router request ("voice.audioUri" → "input.voice.audioUri").</summary>
    public IReadOnlyList<object> InputPath(IReadOnlyList<object> bodyPath)
    {
        var matches = Paths.Where(p => p.Body.Length <= bodyPath.Count && p.Body.SequenceEqual(bodyPath.Take(p.Body.Length))).ToList();
        if (matches.Count == 0) return ["input", .. bodyPath];
        var best = matches.MaxBy(p => p.Body.Length);
        return [.. best.Input, .. bodyPath.Skip(best.Body.Length)];
    }
}

/// <summary>
/// How a model-agnostic router input becomes a request to one model of the catalog (pure). Options map onto the
/// Runway field names every endpoint shares; whether the model takes them is then the model's own schema's call, so
/// an option a model lacks excludes it (the SDK: "unsupported options exclude models").
/// </summary>
public static class RouterInputs
{
    public static RoutedRequest Map(string kind, JsonObject input, ModelDefinition model) => kind switch
    {
        "audio" => Audio(input, model),
        "image" => Image(input, model),
        _ => Video(input, model),
    };

    private static RoutedRequest Audio(JsonObject input, ModelDefinition model)
    {
        var speech = Str(input["type"]) == "speech";
        var endpoint = speech ? "text_to_speech" : "sound_effect";
        var body = new JsonObject { ["model"] = model.Id, ["promptText"] = input["promptText"]?.DeepClone() };
        var paths = new List<(object[], object[])>();
        if (input["voice"] is JsonObject voice)
        {
            body["voice"] = Str(voice["type"]) == "preset"
                ? new JsonObject { ["type"] = "runway-preset", ["presetId"] = voice["presetId"]?.DeepClone() }
                : new JsonObject { ["type"] = "reference-audio", ["audioUri"] = voice["audioUri"]?.DeepClone() };
        }
        Copy(input, body, "duration", "loop");
        if (input["referenceAudios"] is JsonArray references)
        {
            body["referenceAudios"] = new JsonArray(references.Select(r => r?["uri"]?.DeepClone()).ToArray());
            for (var i = 0; i < references.Count; i++) paths.Add(([(object)"referenceAudios", i], ["input", "referenceAudios", i, "uri"]));
        }
        return Served(model, endpoint, body, paths);
    }

    private static RoutedRequest Image(JsonObject input, ModelDefinition model)
    {
        var body = new JsonObject { ["model"] = model.Id, ["promptText"] = input["promptText"]?.DeepClone() };
        Copy(input, body, "outputCount", "referenceImages", "seed", "contentModeration");
        var paths = new List<(object[], object[])> { (["ratio"], ["input", "aspectRatio"]) };
        if (!model.Endpoints.TryGetValue("text_to_image", out var endpoint)) return Served(model, "text_to_image", body, paths);
        // One image is what every model makes; only a count above one needs a model that takes outputCount.
        if (JsonNumbers.Double(input["outputCount"]) == 1 && !endpoint.Fields.ContainsKey("outputCount")) body.Remove("outputCount");
        var aspect = Str(input["aspectRatio"]) ?? "1:1";
        var tier = Str(input["resolution"]);
        if (PickRatio(endpoint, aspect, ImageTierSide(tier), longSide: true) is not { } ratio || (tier is not null && ImageTier(ratio) != tier))
            return new RoutedRequest("text_to_image", body, paths, $"no ratio of aspect {aspect}{(tier is null ? "" : $" at {tier}")}");
        body["ratio"] = ratio;
        return Served(model, "text_to_image", body, paths);
    }

    private static RoutedRequest Video(JsonObject input, ModelDefinition model)
    {
        var images = input["referenceImages"] as JsonArray ?? [];
        var videos = input["referenceVideos"] as JsonArray ?? [];
        JsonNode? Uri(JsonArray list, string role) => list.FirstOrDefault(i => Str(i?["role"]) == role)?["uri"]?.DeepClone();
        var (first, last, source) = (Uri(images, "first"), Uri(images, "last"), Uri(videos, "source"));
        var endpointName = source is not null ? "video_to_video" : first is not null ? "image_to_video" : "text_to_video";
        var body = new JsonObject { ["model"] = model.Id };
        var paths = new List<(object[], object[])> { (["ratio"], ["input", "aspectRatio"]) };
        Copy(input, body, "promptText", "negativePrompt", "duration", "audio", "seed", "contentModeration", "keyframes");
        if (!model.Endpoints.TryGetValue(endpointName, out var endpoint)) return Served(model, endpointName, body, paths);
        if (first is not null && source is null)
            body["promptImage"] = last is null ? first : new JsonArray(new JsonObject { ["uri"] = first, ["position"] = "first" }, new JsonObject { ["uri"] = last, ["position"] = "last" });
        if (source is not null) body[endpoint.Fields.ContainsKey("videoUri") ? "videoUri" : "promptVideo"] = source;
        paths.AddRange([(["promptImage"], ["input", "referenceImages"]), (["videoUri"], ["input", "referenceVideos"]),
            (["promptVideo"], ["input", "referenceVideos"]), (["references"], ["input", "referenceImages"])]);
        var references = images.Where(i => Str(i?["role"]) == "reference").Select(i => (JsonNode)new JsonObject { ["uri"] = i!["uri"]?.DeepClone() }).ToArray();
        if (references.Length > 0) body["references"] = new JsonArray(references);
        var clips = (input["referenceAudio"] as JsonArray ?? []).Select(a => (JsonNode)new JsonObject { ["type"] = "audio", ["uri"] = a?["uri"]?.DeepClone() }).ToArray();
        if (clips.Length > 0) body["referenceAudio"] = new JsonArray(clips);
        var context = videos.Where(v => Str(v?["role"]) == "reference").Select(v => (JsonNode)new JsonObject { ["type"] = "video", ["uri"] = v!["uri"]?.DeepClone() }).ToArray();
        if (context.Length > 0) body["referenceVideos"] = new JsonArray(context);
        var resolution = Str(input["resolution"]);
        if (endpoint.Fields.ContainsKey("resolution") && resolution is not null) body["resolution"] = resolution;
        if (endpoint.Fields.ContainsKey("ratio"))
        {
            var aspect = Str(input["aspectRatio"]) ?? "16:9";
            var ratio = PickRatio(endpoint, aspect, Lines(resolution) ?? 720, longSide: false);
            // A pixel ratio is the resolution too: a model without one of the asked tier cannot honour it.
            var tierMissed = ratio is not null && resolution is not null && !endpoint.Fields.ContainsKey("resolution")
                && Catalog.Ratio.Parse(ratio) is { } pixels && Math.Abs(Math.Min(pixels.Width, pixels.Height) / Lines(resolution)!.Value - 1) > 0.1;
            if ((ratio is null && Str(input["aspectRatio"]) is not null) || tierMissed)
                return new RoutedRequest(endpointName, body, paths, $"no ratio of aspect {aspect}{(resolution is null ? "" : $" at {resolution}")}");
            if (ratio is not null) body["ratio"] = ratio;
        }
        return Served(model, endpointName, body, paths);
    }

    private static RoutedRequest Served(ModelDefinition model, string endpoint, JsonObject body, List<(object[], object[])> paths) =>
        model.Endpoints.ContainsKey(endpoint) ? new RoutedRequest(endpoint, body, paths)
            : new RoutedRequest(endpoint, body, paths, $"does not serve /v1/{endpoint}");

    /// <summary>
    /// The model's ratio value for an aspect: an aspect enum ("16:9") as it is, else the pixel ratio ("1280:720") of that
    /// aspect (within 3 %) whose side is nearest the tier: the short side for video lines, the long side for image tiers.
    /// </summary>
    public static string? PickRatio(Catalog.EndpointDefinition endpoint, string aspect, double side, bool longSide)
    {
        var values = Values(endpoint.Fields["ratio"]).ToList();
        if (values.Contains(aspect)) return aspect;
        if (Ratio(aspect) is not { } target) return null;
        return values.Select(v => (v, p: Catalog.Ratio.Parse(v))).Where(x => x.p is { Width: >= 64, Height: >= 64 })
            .Where(x => Math.Abs(Math.Log((double)x.p!.Value.Width / x.p.Value.Height / target)) < 0.03)
            .OrderBy(x => Math.Abs(Math.Log((longSide ? Math.Max(x.p!.Value.Width, x.p.Value.Height) : Math.Min(x.p!.Value.Width, x.p.Value.Height)) / side)))
            .Select(x => x.v).FirstOrDefault();
    }

    private static IEnumerable<string> Values(RequestSchema s) =>
        (s.Enum ?? []).Where(e => e.GetValueKind() == JsonValueKind.String).Select(e => e.GetValue<string>())
            .Concat((s.AnyOf ?? []).SelectMany(Values))
            .Concat(s.Const is JsonValue c && c.GetValueKind() == JsonValueKind.String ? [c.GetValue<string>()] : []);

    private static double? Ratio(string aspect) => aspect.Split(':') is [var w, var h]
        && double.TryParse(w, NumberStyles.Float, CultureInfo.InvariantCulture, out var a) && double.TryParse(h, NumberStyles.Float, CultureInfo.InvariantCulture, out var b) && a > 0 && b > 0
        ? a / b : null;

    /// <summary>The long side an image tier means: 1k about 1024 px, 2k about 2048, 4k about 3840.</summary>
    public static double ImageTierSide(string? tier) => tier switch { "2k" => 2048, "4k" => 3840, _ => 1024 };

    /// <summary>The tier of a pixel ratio by its long side: up to 1600 px is 1k, up to 3000 px 2k, above that 4k.</summary>
    public static string? ImageTier(string ratio) => Catalog.Ratio.Parse(ratio) is { } p
        ? Math.Max(p.Width, p.Height) switch { <= 1600 => "1k", <= 3000 => "2k", _ => "4k" } : null;

    private static double? Lines(string? resolution) => resolution switch { "480p" => 480, "720p" => 720, "1080p" => 1080, "4k" => 2160, _ => null };

    private static void Copy(JsonObject from, JsonObject to, params string[] names)
    {
        foreach (var name in names)
            if (from[name] is { } value) to[name] = value.DeepClone();
    }

    private static string? Str(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
}
