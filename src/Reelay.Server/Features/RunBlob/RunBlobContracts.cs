using System.Globalization;
using System.Text.Json.Serialization;
using Reelay.Server.Features.Tasks;

namespace Reelay.Server.Features.RunBlob;

/// <summary>201 of the families whose id is generation_id (Sora, Kling).</summary>
public sealed record RunBlobCreated(
    [property: JsonPropertyName("generation_id")] string GenerationId,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("price")] string Price);

/// <summary>201 of the families whose id is task_uuid (Nano Banana, ChatGPT Images).</summary>
public sealed record RunBlobTaskCreated(
    [property: JsonPropertyName("task_uuid")] string TaskUuid,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("price")] string Price);

/// <summary>The error body of every family: a text, or for 422s a list of <see cref="PydanticError"/>.</summary>
public sealed record RunBlobDetail([property: JsonPropertyName("detail")] string Detail);

public sealed record RunBlobValidationDetail([property: JsonPropertyName("detail")] IReadOnlyList<PydanticError> Detail);

/// <summary>The 402 of the pages that document {"success":false,"message":"INSUFFICIENT_CREDITS"} (Veo, Kling O3 photo).</summary>
public sealed record RunBlobFailure(
    [property: JsonPropertyName("success")] bool Success,
    [property: JsonPropertyName("message")] string Message);

/// <summary>
/// A family's failure codes by kind of core failure. Sandbox and engine codes are the core's (SAFETY.INPUT.IMAGE, …);
/// a code without dots (fail=TIMEOUT, fail=NON_ENGLISH_PROMPT) is already a family code and passes through.
/// </summary>
public sealed record FailureCodes(string ImageModeration, string TextModeration, string OutputModeration, string InvalidInput, string Upstream, string Other)
{
    /// <summary>Nano Banana and ChatGPT Images: moderation is MODERATION_FAILED (the Gemini page's example).</summary>
    public static readonly FailureCodes Generic = new("MODERATION_FAILED", "MODERATION_FAILED", "MODERATION_FAILED", "INVALID_IMAGE", "TASK_FAILED", "TASK_FAILED");

    public static readonly FailureCodes Kling = new("CONTENT_POLICY_VIOLATION", "CONTENT_POLICY_VIOLATION", "CONTENT_POLICY_VIOLATION", "INVALID_IMAGE", "TASK_FAILED", "TASK_FAILED");

    public static readonly FailureCodes Veo = new("PHOTOREAL_UPLOAD", "UNSAFE_CONTENT", "MODERATION_FAILED", "INVALID_IMAGE", "GOOGLE_DECLINED", "TASK_FAILED");
}

/// <summary>How core tasks read on the RunBlob surface.</summary>
public static class RunBlobMapping
{
    public const string PhotorealisticPeople = "Image contains photorealistic people. Please try with a different image.";
    public const string PolicyViolation = "Your prompt may violate our content policy. Please modify your prompt and try again.";

    public static string Status(string coreStatus) => coreStatus switch
    {
        TaskStates.Queued or TaskStates.Throttled => "pending",
        TaskStates.Running => "processing",
        TaskStates.Succeeded => "completed",
        _ => "failed",
    };

    /// <summary>USD with four decimals: 1 credit = USD 0.01.</summary>
    public static string Usd(long credits) => (credits / 100m).ToString("0.0000", CultureInfo.InvariantCulture);

    /// <summary>USD with two decimals, as the Kling O1 video page shows it ("0.30").</summary>
    public static string UsdCents(long credits) => (credits / 100m).ToString("0.00", CultureInfo.InvariantCulture);

    /// <summary>ISO-8601 without a zone suffix, microsecond precision, UTC — Sora's and Veo's timestamp format.</summary>
    public static string Timestamp(long unixMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture);

    /// <summary>ISO-8601 in whole seconds with a Z, as the Kling status page shows it ("2025-11-22T10:30:00Z").</summary>
    public static string TimestampZ(long unixMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>When the task ended (completed, failed or cancelled), else null.</summary>
    public static long? EndedAt(TaskRow row) => row.FinishedAt is { } finished && TaskStates.IsTerminal(row.Status) ? finished : null;

    /// <summary>The error_message of a failed or cancelled Sora generation, in RunBlob's words where it has them.</summary>
    public static string ErrorMessage(TaskRow row) => row.Status == TaskStates.Cancelled
        ? "The generation was cancelled."
        : row.FailureCode switch
        {
            "SAFETY.INPUT.IMAGE" => PhotorealisticPeople,
            "SAFETY.INPUT.TEXT" or "INPUT_PREPROCESSING.SAFETY.TEXT" => PolicyViolation,
            _ => row.Failure ?? "The generation failed.",
        };

    /// <summary>The failure code of a failed or cancelled generation in a family's vocabulary (the same kinds as Sora's texts).</summary>
    public static string Code(TaskRow row, FailureCodes codes) => row.Status == TaskStates.Cancelled ? codes.Other : row.FailureCode switch
    {
        "SAFETY.INPUT.IMAGE" => codes.ImageModeration,
        "SAFETY.INPUT.TEXT" or "INPUT_PREPROCESSING.SAFETY.TEXT" => codes.TextModeration,
        { } code when code.StartsWith("SAFETY.", StringComparison.Ordinal) => codes.OutputModeration,
        "ASSET.INVALID" => codes.InvalidInput,
        { } code when code.StartsWith("THIRD_PARTY.", StringComparison.Ordinal) => codes.Upstream,
        null or "INTERNAL" => codes.Other,
        { } code when !code.Contains('.') => code,
        _ => codes.Other,
    };
}
