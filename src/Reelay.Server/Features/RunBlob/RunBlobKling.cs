using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Reelay.Server.Features.Catalog;
using Reelay.Server.Features.Webhooks;

namespace Reelay.Server.Features.RunBlob;

/// <summary>The body of POST /v1/kling/generate (for the OpenAPI document; the rules are in <see cref="RunBlobKling.Map"/>).</summary>
public sealed record KlingGenerateRequest(
    [property: JsonPropertyName("prompt")] string Prompt,
    [property: JsonPropertyName("model")] string? Model,
    [property: JsonPropertyName("duration")] string? Duration,
    [property: JsonPropertyName("aspect_ratio")] string? AspectRatio,
    [property: JsonPropertyName("callback_url")] string? CallbackUrl,
    [property: JsonPropertyName("image_url")] string? ImageUrl);

/// <summary>The Kling status object: video_url and completed_at only once there; message (a code) only when failed.</summary>
public sealed record KlingGeneration(
    [property: JsonPropertyName("generation_id")] string GenerationId,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("prompt")] string Prompt,
    [property: JsonPropertyName("video_url"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? VideoUrl,
    [property: JsonPropertyName("created_at")] string CreatedAt,
    [property: JsonPropertyName("completed_at"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? CompletedAt,
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("duration")] string Duration,
    [property: JsonPropertyName("message"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Message);

/// <summary>The Kling callback: completed {generation_id, status, video_url, completed_at}; failed adds message.</summary>
public sealed record KlingWebhook(
    [property: JsonPropertyName("generation_id")] string GenerationId,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("video_url")] string? VideoUrl,
    [property: JsonPropertyName("completed_at")] string? CompletedAt,
    [property: JsonPropertyName("message"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Message);

/// <summary>
/// Kling main — /v1/kling: text- and image-to-video over the kling_* models. Its 422 is a sentence
/// ("Validation error: prompt is required"), not FastAPI's list. Field names the pages do not show (negative prompt,
/// cfg, seed, the Motion Control inputs) are left out.
/// </summary>
public sealed partial class RunBlobKling : RunBlobFamily
{
    public const string DefaultModel = "kling_2.5_turbo";

    public static readonly string[] Models =
    [
        "kling_3", "kling_3_pro", "kling_3_motion", "kling_3_motion_pro", "kling_2.6_motion", "kling_2.6_motion_pro", "kling_2.6",
        "kling_2.5_turbo", "kling_2.5_turbo_pro", "kling_2.1", "kling_2.1_pro", "kling_2.1_master", "kling_1.6", "kling_1.6_pro",
    ];

    public override string Path => "kling";
    public override string Surface => "runblob:kling";
    public override string Title => "Kling";
    public override string Endpoint => "runblob_kling_video";
    public override FailureCodes Codes => FailureCodes.Kling;
    public override WebhookSchedule? Schedule => null; // exponential, as Sora's: 30, 60, 120, 240, 480 s
    public override Type RequestType => typeof(KlingGenerateRequest);
    public override Type CreatedType => typeof(RunBlobCreated);
    public override Type StatusType => typeof(KlingGeneration);
    public override Type UnprocessableType => typeof(RunBlobDetail);

    public override FamilyRequest Map(JsonElement body, ModelCatalog catalog)
    {
        var b = new PydanticBody(body);
        var prompt = b.String("prompt", required: true, min: 1, max: 2500);
        var model = b.Choice("model", Models, DefaultModel);
        var ratio = b.Choice("aspect_ratio", ["16:9", "9:16", "1:1"]);
        var imageUrl = b.String("image_url");
        var callback = b.CallbackUrl();
        if (b.Errors.Count > 0) return FamilyRequest.Refuse(Unprocessable(b.Errors));
        var (endpoint, missing) = Served(catalog, model!);
        if (endpoint is null) return FamilyRequest.Refuse(missing!);
        var (duration, durationError) = Duration(body, endpoint.Fields["duration"]);
        if (durationError is not null) return FamilyRequest.Refuse(RunBlobRoutes.Detail(422, "Validation error: " + durationError));
        return new(Core(model!, new JsonObject
        {
            ["promptText"] = prompt,
            ["ratio"] = ratio,
            ["duration"] = duration,
            ["imageUrl"] = imageUrl,
        }, callback), null);
    }

    /// <summary>
    /// duration as an integer or a string of digits (kling_3 documents integers, the others strings: both are taken),
    /// checked against the model's catalog values.
    /// </summary>
    public static (long? Seconds, string? Error) Duration(JsonElement body, RequestSchema allowed)
    {
        if (!body.TryGetProperty("duration", out var value) || value.ValueKind == JsonValueKind.Null) return (null, null);
        long? seconds = value.ValueKind switch
        {
            JsonValueKind.Number when value.TryGetInt64(out var n) => n,
            JsonValueKind.String when long.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) => n,
            _ => null,
        };
        if (allowed.IsNumberEnum)
        {
            var values = allowed.Enum!.Select(v => v.GetValue<long>()).ToList();
            return seconds is { } s && values.Contains(s) ? (s, null)
                : (null, $"duration must be {PydanticBody.OrList(values.Select(v => $"'{v}'"))}");
        }
        var (min, max) = ((long)(allowed.Minimum ?? 0), (long)(allowed.Maximum ?? 0));
        return seconds is { } t && t >= min && t <= max ? (t, null) : (null, $"duration must be an integer from {min} to {max}");
    }

    /// <summary>"Validation error: prompt is required" — the first problem as a sentence, as the Kling errors page shows it.</summary>
    public override IResult Unprocessable(IReadOnlyList<PydanticError> errors) => RunBlobRoutes.Detail(422, "Validation error: " + Sentence(errors[0]));

    public static string Sentence(PydanticError error) => error.Type == "missing" ? $"{error.Field} is required"
        : error.Field.Length == 0 ? error.Msg
        : $"{error.Field}: {error.Msg}";

    public override object Status(RunBlobView view) => new KlingGeneration(view.Id, view.Status, view.Prompt, view.OutputUrl,
        RunBlobMapping.TimestampZ(view.Row.CreatedAt), CompletedAt(view), Version(view.Row.Model), Seconds(view), view.Message);

    public override object Webhook(RunBlobView view) => new KlingWebhook(view.Id, view.Status, view.OutputUrl, CompletedAt(view), view.Message);

    /// <summary>"kling_2.5_turbo_pro" → "2.5", "kling_3" → "3": the version the status object reports.</summary>
    public static string Version(string model) => VersionPattern().Match(model) is { Success: true } m ? m.Groups[1].Value : model;

    /// <summary>The rendered length as the status page writes it: a string ("5").</summary>
    public static string Seconds(RunBlobView view) =>
        (view.Request?.Output.Seconds ?? 5).ToString("0.###", CultureInfo.InvariantCulture);

    private static string? CompletedAt(RunBlobView view) =>
        view.Ended && RunBlobMapping.EndedAt(view.Row) is { } ended ? RunBlobMapping.TimestampZ(ended) : null;

    [GeneratedRegex(@"^kling_(\d+(?:\.\d+)?)")]
    private static partial Regex VersionPattern();
}
