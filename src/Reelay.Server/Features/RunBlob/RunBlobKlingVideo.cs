using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Reelay.Server.Features.Catalog;

namespace Reelay.Server.Features.RunBlob;

/// <summary>The body of POST /v1/kling/o1-video/generate (OpenAPI only; the rules are in <see cref="RunBlobKlingO1Video"/>).</summary>
public sealed record KlingO1VideoRequest(
    [property: JsonPropertyName("prompt")] string Prompt,
    [property: JsonPropertyName("duration")] string Duration,
    [property: JsonPropertyName("aspect_ratio")] string AspectRatio,
    [property: JsonPropertyName("images_base64")] IReadOnlyList<string>? ImagesBase64,
    [property: JsonPropertyName("images_urls")] IReadOnlyList<string>? ImagesUrls,
    [property: JsonPropertyName("keep_original_sound")] bool? KeepOriginalSound,
    [property: JsonPropertyName("callback_url")] string? CallbackUrl);

/// <summary>The body of POST /v1/kling/o3-video/generate (OpenAPI only; the rules are in <see cref="RunBlobKlingO3Video"/>).</summary>
public sealed record KlingO3VideoRequest(
    [property: JsonPropertyName("prompt")] string Prompt,
    [property: JsonPropertyName("images_url")] IReadOnlyList<string>? ImagesUrl,
    [property: JsonPropertyName("images_base64")] IReadOnlyList<string>? ImagesBase64,
    [property: JsonPropertyName("duration")] string? Duration,
    [property: JsonPropertyName("aspect_ratio")] string? AspectRatio,
    [property: JsonPropertyName("model")] string? Model,
    [property: JsonPropertyName("keep_original_sound")] bool? KeepOriginalSound,
    [property: JsonPropertyName("callback_url")] string? CallbackUrl);

/// <summary>The O1/O3 video status object; message (a code) only when failed.</summary>
public sealed record KlingVideoGeneration(
    [property: JsonPropertyName("generation_id")] string GenerationId,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("prompt")] string Prompt,
    [property: JsonPropertyName("video_url")] string? VideoUrl,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("message"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Message);

/// <summary>The O1/O3 video callback: message is always there, null unless failed.</summary>
public sealed record KlingVideoWebhook(
    [property: JsonPropertyName("generation_id")] string GenerationId,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("video_url")] string? VideoUrl,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("message")] string? Message);

/// <summary>Kling O1 and O3 video: a prompt with up to five images (URLs or base64, never both), string durations.</summary>
/// <param name="urlsField">The RunBlob name of the URL list: O1's images_urls, O3's images_url.</param>
/// <param name="urlsCatalogField">The catalog field of that list (imagesUrls, imagesUrl).</param>
/// <param name="requires">O1 requires duration and aspect_ratio; O3 has defaults for both.</param>
public abstract class RunBlobKlingOmniVideo(string path, string title, Type requestType, string urlsField, string urlsCatalogField, bool requires)
    : RunBlobFamily
{
    public override string Path => path;
    public override string Surface => "runblob:" + path.Replace('/', '-');
    public override string Title => title;
    public override string Endpoint => "runblob_kling_video";
    public override FailureCodes Codes => FailureCodes.Kling;
    public override Type RequestType => requestType;
    public override Type CreatedType => typeof(RunBlobCreated);
    public override Type StatusType => typeof(KlingVideoGeneration);

    /// <summary>The status object's model label.</summary>
    protected abstract string Label(RunBlobView view);

    /// <summary>The catalog model the body asks for, or the refusal of its model field.</summary>
    protected abstract (string? Model, IResult? Error) ChooseModel(JsonElement body);

    public override FamilyRequest Map(JsonElement body, ModelCatalog catalog)
    {
        var b = new PydanticBody(body);
        var prompt = b.String("prompt", required: true, min: 1, max: 2500);
        if (requires) b.Require("duration");
        var ratio = b.Choice("aspect_ratio", ["16:9", "9:16", "1:1"], required: requires);
        var (model, choiceError) = ChooseModel(body);
        var inline = b.Strings("images_base64");
        var urls = b.Strings(urlsField);
        var keepSound = b.Boolean("keep_original_sound", true);
        var callback = b.CallbackUrl();
        if (b.Errors.Count > 0) return FamilyRequest.Refuse(Unprocessable(b.Errors));
        if (choiceError is not null) return FamilyRequest.Refuse(choiceError);
        if (CheckImageLists(urls, inline, 5, $"Cannot provide both images_base64 and {urlsField}", n => $"Maximum 5 images allowed, got {n}") is { } images)
            return FamilyRequest.Refuse(images);
        var (endpoint, missing) = Served(catalog, model!);
        if (endpoint is null) return FamilyRequest.Refuse(missing!);
        var (duration, durationError) = DurationOf(body, endpoint);
        if (durationError is not null) return FamilyRequest.Refuse(durationError);
        return new(Core(model!, new JsonObject
        {
            ["promptText"] = prompt,
            ["duration"] = duration,
            ["ratio"] = ratio,
            ["imagesBase64"] = Strings(inline),
            [urlsCatalogField] = Strings(urls),
            ["keepOriginalSound"] = keepSound,
        }, callback), null);
    }

    /// <summary>duration: "5" (or 5), one of the model's catalog values; else "Duration must be 5, 10, or 15 seconds".</summary>
    protected static (long? Seconds, IResult? Error) DurationOf(JsonElement body, EndpointDefinition endpoint)
    {
        if (!body.TryGetProperty("duration", out var value) || value.ValueKind == JsonValueKind.Null) return (null, null);
        var text = value.ValueKind switch { JsonValueKind.String => value.GetString(), JsonValueKind.Number => value.GetRawText(), _ => null };
        var allowed = Allowed(endpoint, "duration");
        return text is not null && allowed.Contains(text) ? (long.Parse(text, CultureInfo.InvariantCulture), null)
            : (null, RunBlobRoutes.Detail(400, $"Duration must be {OxfordList(allowed)} seconds"));
    }

    public override object Status(RunBlobView view) => new KlingVideoGeneration(view.Id, view.Status, view.Prompt, view.OutputUrl, Label(view), view.Message);

    public override object Webhook(RunBlobView view) => new KlingVideoWebhook(view.Id, view.Status, view.OutputUrl, Label(view), view.Message);

    protected static string SecondsOf(RunBlobView view) => (view.Request?.Output.Seconds ?? 5).ToString("0", CultureInfo.InvariantCulture);
}

/// <summary>Kling O1 video — /v1/kling/o1-video: duration and aspect_ratio required, no model field, price in cents ("0.30").</summary>
public sealed class RunBlobKlingO1Video() : RunBlobKlingOmniVideo("kling/o1-video", "Kling O1 video", typeof(KlingO1VideoRequest), "images_urls", "imagesUrls", requires: true)
{
    public const string Model = "kling_o1_video";

    protected override (string? Model, IResult? Error) ChooseModel(JsonElement body) => (Model, null);

    public override string Price(long credits) => RunBlobMapping.UsdCents(credits);

    protected override string Label(RunBlobView view) => Model;
}

/// <summary>Kling O3 video — /v1/kling/o3-video: model kling_o3 (720p) or kling_o3_pro (1080p), 5/10/15 s, the label encodes both.</summary>
public sealed class RunBlobKlingO3Video() : RunBlobKlingOmniVideo("kling/o3-video", "Kling O3 video", typeof(KlingO3VideoRequest), "images_url", "imagesUrl", requires: false)
{
    public static readonly string[] Models = ["kling_o3", "kling_o3_pro"];

    protected override (string? Model, IResult? Error) ChooseModel(JsonElement body)
    {
        if (!body.TryGetProperty("model", out var model) || model.ValueKind == JsonValueKind.Null) return (Models[0], null);
        return model.ValueKind == JsonValueKind.String && Models.Contains(model.GetString()) ? (model.GetString(), null)
            : (null, RunBlobRoutes.Detail(400, $"Model must be {PydanticBody.OrList(Models.Select(m => $"'{m}'"))}"));
    }

    /// <summary>"kling-o3-video-10s-pro", "kling-o3-video-5s".</summary>
    protected override string Label(RunBlobView view) => $"kling-o3-video-{SecondsOf(view)}s" + (view.Row.Model == "kling_o3_pro" ? "-pro" : "");
}
