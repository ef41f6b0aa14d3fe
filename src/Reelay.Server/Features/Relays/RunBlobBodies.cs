using System.Text.Json.Nodes;
using Reelay.Server.Features.RunBlob;

namespace Reelay.Server.Features.Relays;

/// <summary>
/// Pure: which RunBlob family serves a catalog endpoint and upstream model, and the stored request (catalog field
/// names, inputs inlined as data URIs) put back into that family's words. The families themselves — paths, id and
/// output fields, failure codes — are the RunBlob surface's (<see cref="RunBlobEndpoints.Families"/>), read here so a
/// rule lives in one place. Inputs go as bare base64 where the family has a base64 field (never as the user's URL).
/// </summary>
public static class RunBlobBodies
{
    /// <summary>The catalog endpoints a RunBlob upstream can serve.</summary>
    public static readonly IReadOnlySet<string> Endpoints = RunBlobEndpoints.Families.Select(f => f.Endpoint).ToHashSet(StringComparer.Ordinal);

    /// <summary>The family of an endpoint; where several share one (the Kling paths) the upstream model picks.</summary>
    public static RunBlobFamily Family(string endpoint, string? model) => endpoint switch
    {
        "runblob_kling_video" when model == RunBlobKlingO1Video.Model => Of<RunBlobKlingO1Video>(),
        "runblob_kling_video" when RunBlobKlingO3Video.Models.Contains(model) => Of<RunBlobKlingO3Video>(),
        "runblob_kling_video" => Of<RunBlobKling>(),
        "runblob_kling_image" => RunBlobEndpoints.Families.OfType<RunBlobKlingPhoto>().FirstOrDefault(f => f.Model == model) ?? Of<RunBlobKlingO1Photo>(),
        _ => RunBlobEndpoints.Families.FirstOrDefault(f => f.Endpoint == endpoint)
            ?? throw new InvalidOperationException($"The RunBlob dialect has no family for the endpoint '{endpoint}'."),
    };

    private static T Of<T>() where T : RunBlobFamily => RunBlobEndpoints.Families.OfType<T>().Single();

    /// <summary>The status path: Sora's has a trailing slash, the other families' none.</summary>
    public static string StatusPath(RunBlobFamily family, string id) =>
        $"v1/{family.Path}/generations/{Uri.EscapeDataString(id)}" + (family is RunBlobSora ? "/" : "");

    /// <summary>The create body of a stored request for its family, with the callback_url when there is one.</summary>
    public static JsonObject Body(string endpoint, JsonObject core, string? callbackUrl)
    {
        var model = core["model"]?.ToString();
        var body = Family(endpoint, model) switch
        {
            RunBlobSora => Sora(core),
            RunBlobVeo => Veo(core),
            RunBlobKling => KlingMain(core, model),
            RunBlobKlingO1Video => KlingOmniVideo(core, urls: "imagesUrls", withModel: false),
            RunBlobKlingO3Video => KlingOmniVideo(core, urls: "imagesUrl", withModel: true),
            RunBlobKlingO3Photo => KlingPhoto(core, multiShots: true),
            RunBlobKlingPhoto => KlingPhoto(core, multiShots: false),
            RunBlobNanoBanana => NanoBanana(core, model),
            RunBlobChatGptImages => ChatGptImages(core, model),
            var other => throw new InvalidOperationException($"The RunBlob dialect cannot relay {other.Title}."),
        };
        if (callbackUrl is not null) body["callback_url"] = callbackUrl;
        return body;
    }

    private static JsonObject Sora(JsonObject core)
    {
        var body = new JsonObject { ["prompt"] = Copy(core, "promptText"), ["orientation"] = core["ratio"]?.ToString() == "1280:720" ? "16:9" : "9:16" };
        if (core["duration"] is { } duration) body["duration"] = duration.DeepClone();
        // Either image field of ours holds the stored input inlined as a data URI; RunBlob takes bare base64.
        if ((core["imageBase64"] ?? core["imageUrl"])?.ToString() is { } image) body["image_base64"] = Bare(image);
        return body;
    }

    private static JsonObject Veo(JsonObject core)
    {
        var body = new JsonObject
        {
            ["prompt"] = Copy(core, "promptText"),
            ["model"] = Copy(core, "model"),
            ["aspect_ratio"] = core["ratio"]?.ToString() == "720:1280" ? "9:16" : "16:9",
        };
        Rename(core, body, ("seed", "seed"), ("watermarkText", "watermark_text"), ("filterText", "filter_text"));
        foreach (var (ours, theirs) in new[] { ("imageBase64", "bytes_image"), ("startFrame", "start_frame"), ("endFrame", "end_frame") })
            if (core[ours]?.ToString() is { } image) body[theirs] = Bare(image);
        if (Images(core, "referenceImages") is { Count: > 0 } references) body["reference_images"] = BareList(references);
        return body;
    }

    /// <summary>Kling main: kling_3 and kling_3_pro take an integer duration, the others a string; the image travels inline in image_url.</summary>
    private static JsonObject KlingMain(JsonObject core, string? model)
    {
        var body = new JsonObject { ["prompt"] = Copy(core, "promptText"), ["model"] = model };
        if (core["duration"] is { } duration) body["duration"] = model is "kling_3" or "kling_3_pro" ? duration.DeepClone() : duration.ToString();
        Rename(core, body, ("ratio", "aspect_ratio"), ("imageUrl", "image_url"));
        return body;
    }

    /// <summary>Kling O1/O3 video: every image (URL or base64 on our side, all stored) as images_base64; string durations.</summary>
    private static JsonObject KlingOmniVideo(JsonObject core, string urls, bool withModel)
    {
        var body = new JsonObject { ["prompt"] = Copy(core, "promptText") };
        if (withModel) body["model"] = Copy(core, "model");
        if (core["duration"] is { } duration) body["duration"] = duration.ToString();
        // O1 requires an aspect ratio; the surface always stores one, a task made elsewhere gets the documented default.
        body["aspect_ratio"] = core["ratio"]?.ToString() ?? "16:9";
        if (Images(core, urls, "imagesBase64") is { Count: > 0 } images) body["images_base64"] = BareList(images);
        Rename(core, body, ("keepOriginalSound", "keep_original_sound"));
        return body;
    }

    private static JsonObject KlingPhoto(JsonObject core, bool multiShots)
    {
        var body = new JsonObject { ["prompt"] = Copy(core, "promptText") };
        Rename(core, body, ("resolution", "img_resolution"), ("ratio", "aspect_ratio"));
        if (multiShots) Rename(core, body, ("preferMultiShots", "prefer_multi_shots"));
        if (Images(core, "imagesUrl", "imagesBase64") is { Count: > 0 } images) body["images_base64"] = BareList(images);
        return body;
    }

    /// <summary>Nano Banana: our model id back to RunBlob's name, our resolution back to its quality (1k is "standard").</summary>
    private static JsonObject NanoBanana(JsonObject core, string? model)
    {
        var name = RunBlobNanoBanana.Models.FirstOrDefault(m => m.Value == model).Key ?? model;
        var body = new JsonObject { ["prompt"] = Copy(core, "promptText"), ["model"] = name };
        if (core["resolution"]?.ToString() is { } resolution) body["quality"] = resolution == "1k" ? "standard" : resolution;
        Rename(core, body, ("ratio", "aspect_ratio"), ("temperature", "temperature"));
        if (Images(core, "imagesUrl", "imagesBase64") is { Count: > 0 } images) body["images"] = DataUris(images);
        return body;
    }

    private static JsonObject ChatGptImages(JsonObject core, string? model)
    {
        var body = new JsonObject { ["prompt"] = Copy(core, "promptText"), ["model"] = model };
        Rename(core, body, ("ratio", "aspect_ratio"), ("quality", "quality"), ("background", "background"));
        if (Images(core, "imagesUrl", "imagesBase64") is { Count: > 0 } images) body["images"] = DataUris(images);
        return body;
    }

    private static JsonNode? Copy(JsonObject core, string field) => core[field]?.DeepClone();

    private static void Rename(JsonObject core, JsonObject body, params (string Ours, string Theirs)[] fields)
    {
        foreach (var (ours, theirs) in fields)
            if (core[ours] is { } value) body[theirs] = value.DeepClone();
    }

    /// <summary>The images of several list fields of ours, in order.</summary>
    private static List<string> Images(JsonObject core, params string[] fields) =>
        [.. fields.SelectMany(f => core[f] as JsonArray ?? []).Select(i => i?.ToString()).OfType<string>()];

    public static string Bare(string image) => image.StartsWith("data:", StringComparison.Ordinal) ? image[(image.IndexOf(',') + 1)..] : image;

    private static JsonArray BareList(IEnumerable<string> images) => new([.. images.Select(i => (JsonNode?)JsonValue.Create(Bare(i)))]);

    /// <summary>Nano Banana's and ChatGPT's images take data URIs, which is how every stored input is inlined.</summary>
    private static JsonArray DataUris(IEnumerable<string> images) => new([.. images.Select(i => (JsonNode?)JsonValue.Create(i))]);
}
