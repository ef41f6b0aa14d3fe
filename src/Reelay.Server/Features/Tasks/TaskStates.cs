namespace Reelay.Server.Features.Tasks;

/// <summary>Core task states and how the Runway surface names them.</summary>
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

    public static string ToRunway(string status) => status switch
    {
        Queued => "PENDING",
        Throttled => "THROTTLED",
        Running => "RUNNING",
        Succeeded => "SUCCEEDED",
        Failed => "FAILED",
        Cancelled => "CANCELLED",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown task state."),
    };

    /// <summary>
    /// What DELETE does: an active task is cancelled (and stays readable as CANCELLED); a finished
    /// one is deleted and is no longer found.
    /// </summary>
    public static DeleteAction OnDelete(string status) => IsActive(status) ? DeleteAction.Cancel : DeleteAction.Delete;
}

public enum DeleteAction { Cancel, Delete }
