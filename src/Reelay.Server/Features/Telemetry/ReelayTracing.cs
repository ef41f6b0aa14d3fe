using System.Diagnostics;

namespace Reelay.Server.Features.Telemetry;

/// <summary>
/// Reelay's spans. A task's trace starts with the create request; its W3C traceparent is stored with the task (and
/// with each webhook delivery), so the run on whichever node or worker claims it, the upload and the webhook
/// attempts continue the same trace.
/// </summary>
public static class ReelayTracing
{
    public const string SourceName = "Reelay";
    public static readonly ActivitySource Source = new(SourceName, "1.0");

    public const string TaskIdTag = "reelay.task.id";
    public const string OrgIdTag = "reelay.organization.id";

    /// <summary>The current span's traceparent, to store with a task or delivery; null when nothing is traced.</summary>
    public static string? CurrentParent() => Activity.Current is { IdFormat: ActivityIdFormat.W3C } current ? current.Id : null;

    /// <summary>A span continuing a stored traceparent (a new trace if there is none or it cannot be read).</summary>
    public static Activity? StartFrom(string name, string? traceParent, string taskId, string orgId, DateTimeOffset? start = null)
    {
        ActivityContext.TryParse(traceParent, null, out var parent);
        var activity = Source.StartActivity(name, ActivityKind.Internal, parent, startTime: start ?? default);
        activity?.SetTag(TaskIdTag, taskId);
        activity?.SetTag(OrgIdTag, orgId);
        return activity;
    }

    /// <summary>The queue wait as a span of its own (created → RUNNING), recorded once the wait is over.</summary>
    public static void RecordQueueWait(string? traceParent, string taskId, string orgId, long createdAt, long startedAt)
    {
        if (traceParent is null) return;
        using var wait = StartFrom("task.queue", traceParent, taskId, orgId, DateTimeOffset.FromUnixTimeMilliseconds(createdAt));
        wait?.SetEndTime(DateTimeOffset.FromUnixTimeMilliseconds(Math.Max(createdAt, startedAt)).UtcDateTime);
    }
}
