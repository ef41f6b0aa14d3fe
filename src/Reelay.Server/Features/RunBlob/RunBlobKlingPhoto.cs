using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Reelay.Server.Features.Catalog;

namespace Reelay.Server.Features.RunBlob;

/// <summary>The body of POST /v1/kling/o1-photo/generate and /o3-photo/generate (OpenAPI only; prefer_multi_shots is O3's).</summary>
public sealed record KlingPhotoRequest(
    [property: JsonPropertyName("prompt")] string Prompt,
    [property: JsonPropertyName("images_url")] IReadOnlyList<string>? ImagesUrl,
    [property: JsonPropertyName("images_base64")] IReadOnlyList<string>? ImagesBase64,
    [property: JsonPropertyName("img_resolution")] string? ImgResolution,
    [property: JsonPropertyName("aspect_ratio")] string? AspectRatio,
    [property: JsonPropertyName("prefer_multi_shots")] bool? PreferMultiShots,
    [property: JsonPropertyName("callback_url")] string? CallbackUrl);

/// <summary>The Kling photo status object; message (a code) only when failed.</summary>
public sealed record KlingPhotoGeneration(
    [property: JsonPropertyName("generation_id")] string GenerationId,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("prompt")] string Prompt,
    [property: JsonPropertyName("image_url")] string? ImageUrl,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("message"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Message);

/// <summary>The Kling photo callback: message is always there, null unless failed.</summary>
public sealed record KlingPhotoWebhook(
    [property: JsonPropertyName("generation_id")] string GenerationId,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("image_url")] string? ImageUrl,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("message")] string? Message);

/// <summary>Kling O1 and O3 photo: a prompt with reference images, a resolution (1k/2k/4k) and an aspect ratio; one PNG.</summary>
public abstract class RunBlobKlingPhoto : RunBlobFamily
{
    public static readonly string[] Ratios = ["9:16", "2:3", "3:4", "1:1", "4:3", "3:2", "16:9", "21:9"];

    public override string Endpoint => "runblob_kling_image";
    public override string UrlField => "image_url";
    public override FailureCodes Codes => FailureCodes.Kling;
    public override Type RequestType => typeof(KlingPhotoRequest);
    public override Type CreatedType => typeof(RunBlobCreated);
    public override Type StatusType => typeof(KlingPhotoGeneration);

    /// <summary>The catalog model (its id is also the status object's label, spelled by <see cref="Label"/>).</summary>
    public abstract string Model { get; }
    protected abstract string Label { get; }
    protected abstract int MaxImages { get; }
    protected abstract IReadOnlyList<string> AspectRatios { get; }

    /// <summary>The 400 when both lists are sent; null where mixing is allowed (O1).</summary>
    protected abstract string? MixedImages { get; }

    protected virtual bool HasMultiShots => false;

    public override FamilyRequest Map(JsonElement body, ModelCatalog catalog)
    {
        var b = new PydanticBody(body);
        var prompt = b.String("prompt", required: true, min: 1, max: 2500);
        var urls = b.Strings("images_url");
        var inline = b.Strings("images_base64");
        var ratio = b.Choice("aspect_ratio", AspectRatios);
        var multiShots = HasMultiShots ? b.Boolean("prefer_multi_shots") : null;
        var callback = b.CallbackUrl();
        if (b.Errors.Count > 0) return FamilyRequest.Refuse(Unprocessable(b.Errors));
        var (endpoint, missing) = Served(catalog, Model);
        if (endpoint is null) return FamilyRequest.Refuse(missing!);
        // img_resolution's check is a documented 400, its values the catalog's.
        var resolution = body.TryGetProperty("img_resolution", out var r) && r.ValueKind != JsonValueKind.Null ? r : (JsonElement?)null;
        var resolutions = Allowed(endpoint, "resolution");
        if (resolution is { } given && !(given.ValueKind == JsonValueKind.String && resolutions.Contains(given.GetString()!)))
            return FamilyRequest.Refuse(RunBlobRoutes.Detail(400, $"Invalid resolution. Must be {OxfordList(resolutions)}"));
        if (CheckImageLists(urls, inline, MaxImages, MixedImages, _ => $"Maximum {MaxImages} images allowed (URLs + base64 combined)") is { } images)
            return FamilyRequest.Refuse(images);
        return new(Core(Model, new JsonObject
        {
            ["promptText"] = prompt,
            ["imagesUrl"] = Strings(urls),
            ["imagesBase64"] = Strings(inline),
            ["resolution"] = resolution?.GetString(),
            ["ratio"] = ratio,
            ["preferMultiShots"] = multiShots,
        }, callback), null);
    }

    public override object Status(RunBlobView view) => new KlingPhotoGeneration(view.Id, view.Status, view.Prompt, view.OutputUrl, Label, view.Message);

    public override object Webhook(RunBlobView view) => new KlingPhotoWebhook(view.Id, view.Status, view.OutputUrl, Label, view.Message);
}

/// <summary>Kling O1 photo — /v1/kling/o1-photo: ≤ 5 images (URLs and base64 may be mixed), 1k or 2k (default 2k).</summary>
public sealed class RunBlobKlingO1Photo : RunBlobKlingPhoto
{
    public override string Path => "kling/o1-photo";
    public override string Surface => "runblob:kling-o1-photo";
    public override string Title => "Kling O1 photo";
    public override string Model => "kling_o1_photo";
    protected override string Label => "kling-o1-photo";
    protected override int MaxImages => 5;
    protected override IReadOnlyList<string> AspectRatios => Ratios;
    protected override string? MixedImages => null;
}

/// <summary>Kling O3 photo — /v1/kling/o3-photo: ≤ 10 images, never mixed, 1k/2k/4k (default 4k), aspect auto, multi-shots.</summary>
public sealed class RunBlobKlingO3Photo : RunBlobKlingPhoto
{
    public override string Path => "kling/o3-photo";
    public override string Surface => "runblob:kling-o3-photo";
    public override string Title => "Kling O3 photo";
    public override Type CreditsRefusalType => typeof(RunBlobFailure);
    public override string Model => "kling_o3_photo";
    protected override string Label => "kling_o3_photo";
    protected override int MaxImages => 10;
    protected override IReadOnlyList<string> AspectRatios => [.. Ratios, "auto"];
    protected override string? MixedImages => "Cannot mix images_url and images_base64 in one request";
    protected override bool HasMultiShots => true;
}
