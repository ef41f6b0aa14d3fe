using System.Globalization;
using System.Text.Json.Serialization;
using Reelay.Server.Features.Tasks;

namespace Reelay.Server.Features.RunBlob;

/// <summary>The generation status object of the RunBlob surface (every field always present, null when not applicable).</summary>
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

public sealed record RunBlobCreated(
    [property: JsonPropertyName("generation_id")] string GenerationId,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("price")] string Price);

/// <summary>How core tasks read on the RunBlob surface.</summary>
public static class RunBlobMapping
{
    public const string PhotorealisticPeople = "Image contains photorealistic people. Please try with a different image.";

    public static string Status(string coreStatus) => coreStatus switch
    {
        TaskStates.Queued or TaskStates.Throttled => "pending",
        TaskStates.Running => "processing",
        TaskStates.Succeeded => "completed",
        _ => "failed",
    };

    /// <summary>USD with four decimals: 1 credit = USD 0.01.</summary>
    public static string Usd(long credits) => (credits / 100m).ToString("0.0000", CultureInfo.InvariantCulture);

    /// <summary>ISO-8601 without a zone suffix, microsecond precision, UTC — the RunBlob timestamp format.</summary>
    public static string Timestamp(long unixMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture);

    /// <summary>The error_message of a failed or cancelled generation, in RunBlob's words where it has them.</summary>
    public static string ErrorMessage(TaskRow row) => row.Status == TaskStates.Cancelled
        ? "The generation was cancelled."
        : row.FailureCode switch
        {
            "SAFETY.INPUT.IMAGE" => PhotorealisticPeople,
            "SAFETY.INPUT.TEXT" or "INPUT_PREPROCESSING.SAFETY.TEXT" => "Your prompt may violate our content policy. Please modify your prompt and try again.",
            _ => row.Failure ?? "The generation failed.",
        };

    public static RunBlobGeneration ToGeneration(TaskRow row, string? videoUrl, int? positionInQueue) => new(
        row.Id,
        Status(row.Status),
        row.Prompt ?? "",
        row.Status == TaskStates.Succeeded ? videoUrl : null,
        Timestamp(row.CreatedAt),
        row.FinishedAt is { } finished && TaskStates.IsTerminal(row.Status) ? Timestamp(finished) : null,
        row.Status == TaskStates.Running ? (int)Math.Round((row.Progress ?? 0) * 100) : null,
        TaskStates.IsActive(row.Status) && row.Status != TaskStates.Running ? positionInQueue : null,
        row.Status is TaskStates.Failed or TaskStates.Cancelled ? ErrorMessage(row) : null);
}
