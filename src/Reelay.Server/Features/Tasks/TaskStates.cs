namespace Reelay.Server.Features.Tasks;

/// <summary>Core task states (each surface names them in its own words: RunwayTaskMapping.Status, RunBlobMapping.Status).</summary>
public static class TaskStates
{
    public const string Queued = "queued";
    public const string Throttled = "throttled";
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    public static bool IsActive(string status) => status is Queued or Throttled or Running;

    public static bool IsTerminal(string status) => status is Succeeded or Failed or Cancelled;

    /// <summary>
    /// What DELETE does to the task besides deleting it: an active task is cancelled first (render stopped,
    /// credits released).
    /// </summary>
    public static DeleteAction OnDelete(string status) => IsActive(status) ? DeleteAction.Cancel : DeleteAction.Delete;
}

public enum DeleteAction { Cancel, Delete }
