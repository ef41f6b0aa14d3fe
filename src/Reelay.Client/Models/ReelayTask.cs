using System.Text.Json.Serialization;

namespace Reelay.Client;

/// <summary>A task's state. <see cref="Unknown"/> stands for any status this SDK version does not know.</summary>
public enum ReelayTaskStatus
{
    /// <summary>A status this version of the SDK does not know; see <see cref="ReelayTask.RawStatus"/>.</summary>
    Unknown,
    /// <summary>Queued.</summary>
    Pending,
    /// <summary>The organization is at its concurrency limit; runs in submission order when a slot frees.</summary>
    Throttled,
    /// <summary>Rendering; <see cref="ReelayTask.Progress"/> tells how far.</summary>
    Running,
    /// <summary>Finished; <see cref="ReelayTask.Output"/> holds the video URLs.</summary>
    Succeeded,
    /// <summary>Finished with an error; see <see cref="ReelayTask.Failure"/> and <see cref="ReelayTask.FailureCode"/>.</summary>
    Failed,
    /// <summary>Cancelled by <see cref="ReelayClient.CancelTaskAsync"/>.</summary>
    Cancelled,
}

/// <summary>A generation task, as <c>GET /v1/tasks/{id}</c> returns it. Fields that do not apply to the status are null.</summary>
public sealed record ReelayTask
{
    /// <summary>The task id.</summary>
    public string Id { get; init; } = "";
    /// <summary>When the task was created (UTC).</summary>
    public DateTimeOffset CreatedAt { get; init; }
    /// <summary>The status string as sent (<c>PENDING</c>, <c>RUNNING</c>…), useful when <see cref="Status"/> is <see cref="ReelayTaskStatus.Unknown"/>.</summary>
    [JsonPropertyName("status")] public string RawStatus { get; init; } = "";
    /// <summary>The task's state.</summary>
    [JsonIgnore] public ReelayTaskStatus Status => ReelayTaskStatuses.Parse(RawStatus);
    /// <summary>0–1 while <see cref="ReelayTaskStatus.Running"/>.</summary>
    public double? Progress { get; init; }
    /// <summary>Signed, expiring URLs of the output videos once <see cref="ReelayTaskStatus.Succeeded"/>; GET the task again for fresh ones.</summary>
    public IReadOnlyList<string>? Output { get; init; }
    /// <summary>Why the task failed, in words.</summary>
    public string? Failure { get; init; }
    /// <summary>The dotted failure code, generic to specific, e.g. <c>SAFETY.INPUT.TEXT</c>.</summary>
    public string? FailureCode { get; init; }
    /// <summary>The price held while the task is not finished.</summary>
    public CreditAmount? EstimatedCost { get; init; }
    /// <summary>What the finished task cost.</summary>
    public CreditAmount? Cost { get; init; }

    /// <summary>True once the task can change no more: succeeded, failed or cancelled.</summary>
    [JsonIgnore]
    public bool IsFinished => Status is ReelayTaskStatus.Succeeded or ReelayTaskStatus.Failed or ReelayTaskStatus.Cancelled;
}

/// <summary>Upper-case status strings; anything unknown maps to <see cref="ReelayTaskStatus.Unknown"/> instead of failing the whole read.</summary>
internal static class ReelayTaskStatuses
{
    public static ReelayTaskStatus Parse(string? value) => value switch
    {
        "PENDING" => ReelayTaskStatus.Pending,
        "THROTTLED" => ReelayTaskStatus.Throttled,
        "RUNNING" => ReelayTaskStatus.Running,
        "SUCCEEDED" => ReelayTaskStatus.Succeeded,
        "FAILED" => ReelayTaskStatus.Failed,
        "CANCELLED" => ReelayTaskStatus.Cancelled,
        _ => ReelayTaskStatus.Unknown,
    };
}
