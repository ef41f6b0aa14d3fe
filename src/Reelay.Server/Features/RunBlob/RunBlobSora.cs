using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Reelay.Server.Features.Catalog;
using Reelay.Server.Features.Webhooks;

namespace Reelay.Server.Features.RunBlob;

/// <summary>The body of POST /v1/sora/generate (for the OpenAPI document; the rules are in <see cref="RunBlobSora.Map"/>).</summary>
public sealed record SoraGenerateRequest(
    [property: JsonPropertyName("prompt")] string Prompt,
    [property: JsonPropertyName("orientation")] string? Orientation,
    [property: JsonPropertyName("duration")] int? Duration,
    [property: JsonPropertyName("callback_url")] string? CallbackUrl,
    [property: JsonPropertyName("image_base64")] string? ImageBase64,
    [property: JsonPropertyName("image_url")] string? ImageUrl);

/// <summary>The Sora status object (every field always present, null when not applicable).</summary>
public sealed record RunBlobGeneration(
    [property: JsonPropertyName("generation_id")] string GenerationId,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("prompt")] string Prompt,
    [property: JsonPropertyName("video_url")] string? VideoUrl,
    [property: JsonPropertyName("created_at")] string CreatedAt,
    [property: JsonPropertyName("completed_at")] string? CompletedAt,
    [property: JsonPropertyName("progress_pct")] int? ProgressPct,
    [property: JsonPropertyName("progress_pos_in_queue")] int? ProgressPosInQueue,
    [property: JsonPropertyName("error_message")] string? ErrorMessage);

/// <summary>Sora — /v1/sora (runblob-surface.md): orientation, duration 10|15, one image as URL or base64.</summary>
public sealed class RunBlobSora : RunBlobFamily
{
    public const string BothImages = "Cannot provide both image_base64 and image_url";
    public const int MaxPromptLength = 4000;

    public override string Path => "sora";
    // Tasks and deliveries written before the families existed say "runblob": Sora keeps the name.
    public override string Surface => "runblob";
    public override string Title => "Sora";
    public override string Endpoint => "sora_generate";
    public override int? ListLimit => 20;
    public override bool ScopedToFamily => false;
    public override bool ShowsQueuePosition => true;
    public override WebhookSchedule? Schedule => null; // the exponential default: 30, 60, 120, 240, 480 s
    public override Type RequestType => typeof(SoraGenerateRequest);
    public override Type CreatedType => typeof(RunBlobCreated);
    public override Type StatusType => typeof(RunBlobGeneration);

    public override FamilyRequest Map(JsonElement body, ModelCatalog catalog)
    {
        var b = new PydanticBody(body);
        var prompt = b.String("prompt", required: true, min: 1, max: MaxPromptLength);
        var orientation = b.Choice("orientation", ["9:16", "16:9"], "9:16");
        var duration = b.IntegerChoice("duration", [10, 15], 10);
        var callback = b.CallbackUrl();
        var imageBase64 = b.String("image_base64");
        var imageUrl = b.String("image_url");
        if (b.Errors.Count > 0) return FamilyRequest.Refuse(Unprocessable(b.Errors));
        if (imageBase64 is not null && imageUrl is not null) return FamilyRequest.Refuse(RunBlobRoutes.Detail(400, BothImages));
        if (catalog.ServingEndpoint(Endpoint).FirstOrDefault() is not { } model)
            return FamilyRequest.Refuse(RunBlobRoutes.Detail(400, "No model on this server serves /v1/sora/generate."));
        return new(Core(model.Id, new JsonObject
        {
            ["promptText"] = prompt,
            ["ratio"] = orientation == "16:9" ? "1280:720" : "720:1280",
            ["duration"] = duration,
            ["imageUrl"] = imageUrl,
            ["imageBase64"] = imageBase64,
        }, callback), null);
    }

    public override object Status(RunBlobView view)
    {
        var row = view.Row;
        return new RunBlobGeneration(view.Id, view.Status, view.Prompt, view.OutputUrl, RunBlobMapping.Timestamp(row.CreatedAt),
            RunBlobMapping.EndedAt(row) is { } ended ? RunBlobMapping.Timestamp(ended) : null,
            view.Status == "processing" ? (int)Math.Round((row.Progress ?? 0) * 100) : null,
            view.Status == "pending" ? view.QueuePosition : null,
            view.Failed ? RunBlobMapping.ErrorMessage(row) : null);
    }

    /// <summary>The callback: the status object without its progress fields, error_message only when failed.</summary>
    public override object Webhook(RunBlobView view)
    {
        var payload = JsonSerializer.SerializeToNode(Status(view))!.AsObject();
        payload.Remove("progress_pct");
        payload.Remove("progress_pos_in_queue");
        if (!view.Failed) payload.Remove("error_message");
        return payload;
    }
}
