using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Reelay.Server.Features.Assets;
using Reelay.Server.Features.Catalog;
using Reelay.Server.Features.Tasks;

namespace Reelay.Server.Features.RunBlob;

/// <summary>The body of POST /v1/veo/generate (for the OpenAPI document; the rules are in <see cref="RunBlobVeo.Map"/>).</summary>
public sealed record VeoGenerateRequest(
    [property: JsonPropertyName("prompt")] string Prompt,
    [property: JsonPropertyName("model")] string? Model,
    [property: JsonPropertyName("model_type")] string? ModelType,
    [property: JsonPropertyName("aspect_ratio")] string? AspectRatio,
    [property: JsonPropertyName("seed")] long? Seed,
    [property: JsonPropertyName("callback_url")] string? CallbackUrl,
    [property: JsonPropertyName("watermark_text")] string? WatermarkText,
    [property: JsonPropertyName("filter_text")] string? FilterText,
    [property: JsonPropertyName("bytes_image")] string? BytesImage,
    [property: JsonPropertyName("start_frame")] string? StartFrame,
    [property: JsonPropertyName("end_frame")] string? EndFrame,
    [property: JsonPropertyName("reference_images")] IReadOnlyList<string>? ReferenceImages);

public sealed record VeoCreated(
    [property: JsonPropertyName("generation_id")] string GenerationId,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("seed")] long? Seed,
    [property: JsonPropertyName("price")] string Price);

/// <summary>The failure of a Veo generation: the code in error.message (the page's code reads it there).</summary>
public sealed record VeoError([property: JsonPropertyName("message")] string Message);

/// <summary>The Veo status object, which is also the callback body (failed: video_url null, error set).</summary>
public sealed record VeoGeneration(
    [property: JsonPropertyName("generation_id")] string GenerationId,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("prompt")] string Prompt,
    [property: JsonPropertyName("video_url")] string? VideoUrl,
    [property: JsonPropertyName("created_at")] string CreatedAt,
    [property: JsonPropertyName("completed_at")] string? CompletedAt,
    [property: JsonPropertyName("seed")] long? Seed,
    [property: JsonPropertyName("error")] VeoError? Error);

/// <summary>
/// Veo 3 — /v1/veo: text, one image (bytes_image), a start/end frame pair or reference images, all base64; 8 s with
/// audio. Older and newer pages differ: model/model_type, seed ranges, filter_text/watermark_text — all accepted.
/// </summary>
public sealed class RunBlobVeo : RunBlobFamily
{
    public const long MaxSeed = 1_000_000_000;
    public static readonly string[] Models = ["veo-3-fast", "veo-3-quality"];

    public override string Path => "veo";
    public override string Surface => "runblob:veo";
    public override string Title => "Veo 3";
    public override string Endpoint => "runblob_veo3";
    public override string NotFoundDetail => "TASK_NOT_FOUND";
    public override FailureCodes Codes => FailureCodes.Veo;
    public override Type RequestType => typeof(VeoGenerateRequest);
    public override Type CreatedType => typeof(VeoCreated);
    public override Type StatusType => typeof(VeoGeneration);
    public override Type CreditsRefusalType => typeof(RunBlobFailure);

    public override FamilyRequest Map(JsonElement body, ModelCatalog catalog)
    {
        var b = new PydanticBody(body);
        var prompt = b.String("prompt", required: true, min: 10, max: 4000);
        // The newer page names it model, the older one model_type; model wins when both are sent.
        var model = b.Choice(b.Has("model") || !b.Has("model_type") ? "model" : "model_type", Models, Models[0]);
        var ratio = b.Choice("aspect_ratio", ["16:9", "9:16"], "16:9");
        // Older page 1–10000, newer 0–1000000000: the union is accepted. The used seed is echoed, so it is chosen here.
        var seed = b.Integer("seed", 0, MaxSeed) ?? (b.Has("seed") ? null : Random.Shared.NextInt64(0, MaxSeed + 1));
        var watermark = b.String("watermark_text", min: 3, max: 14);
        var filter = b.Choice("filter_text", ["moderate", "translate", "moderate_translate"]);
        var image = b.String("bytes_image");
        var start = b.String("start_frame");
        var end = b.String("end_frame");
        var references = b.Strings("reference_images", min: 1, max: 3);
        var callback = b.CallbackUrl();
        if (b.Errors.Count > 0) return FamilyRequest.Refuse(Unprocessable(b.Errors));
        if (Served(catalog, model!).Error is { } missing) return FamilyRequest.Refuse(missing);
        return new(Core(model!, new JsonObject
        {
            ["promptText"] = prompt,
            ["ratio"] = ratio == "9:16" ? "720:1280" : "1280:720",
            ["seed"] = seed,
            ["watermarkText"] = watermark,
            ["filterText"] = filter,
            ["imageBase64"] = image,
            ["startFrame"] = start,
            ["endFrame"] = end,
            ["referenceImages"] = Strings(references),
        }, callback), null);
    }

    public override object Created(string id, string price, CoreBody core) =>
        new VeoCreated(id, "pending", core.Body.TryGetProperty("seed", out var seed) ? seed.GetInt64() : null, price);

    public override object Status(RunBlobView view) => new VeoGeneration(view.Id, view.Status, view.Prompt, view.OutputUrl,
        RunBlobMapping.Timestamp(view.Row.CreatedAt), RunBlobMapping.EndedAt(view.Row) is { } ended ? RunBlobMapping.Timestamp(ended) : null,
        view.Request?.Output.Seed, view.Message is { } code ? new VeoError(code) : null);

    /// <summary>The ids are UUIDs: anything else is INVALID_TASK_ID (the status code is not documented; 400 here).</summary>
    public override IResult? RefuseId(string id) => Guid.TryParse(id, out _) ? null : RunBlobRoutes.Detail(400, "INVALID_TASK_ID");

    /// <summary>Image problems found at submit are the errors page's codes; the catalog's mode rules keep their sentences.</summary>
    public override IResult Invalid(IReadOnlyList<ValidationIssue> issues, string message) =>
        RunBlobRoutes.Detail(400, issues.FirstOrDefault()?.Message is { } reason ? ImageCode(reason) ?? reason : message);

    /// <summary>An intake reason in the Veo errors page's words (pure).</summary>
    public static string? ImageCode(string reason) =>
        reason.StartsWith("Asset size exceeds", StringComparison.Ordinal) ? "IMAGE_TOO_LARGE"
        : reason == AssetIntake.NotAnImage || reason.StartsWith("Invalid asset. The content could not be read", StringComparison.Ordinal)
            || reason.StartsWith("Unsupported", StringComparison.Ordinal) ? "UNSUPPORTED_IMAGE_FORMAT"
        : reason == AssetIntake.InvalidBase64 || reason == AssetRules.InvalidDataUri || reason.StartsWith("Invalid asset", StringComparison.Ordinal) ? "INVALID_IMAGE"
        : null;
}
