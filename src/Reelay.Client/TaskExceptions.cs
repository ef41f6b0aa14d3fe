namespace Reelay.Client;

/// <summary>
/// <see cref="ReelayClient.WaitForTaskOutputAsync"/> saw the task end <see cref="ReelayTaskStatus.Failed"/>
/// or <see cref="ReelayTaskStatus.Cancelled"/>: either way there is no output to return.
/// </summary>
public sealed class TaskFailedException(ReelayTask task)
    : ReelayException(task.Status == ReelayTaskStatus.Cancelled
        ? $"Task {task.Id} was cancelled."
        : $"Task {task.Id} failed{(task.FailureCode is null ? "" : $" ({task.FailureCode})")}: {task.Failure}")
{
    /// <summary>The task as last read.</summary>
    public ReelayTask Task { get; } = task;

    /// <summary>The task id.</summary>
    public string TaskId => Task.Id;

    /// <summary>Why it failed, in words; null for a cancelled task.</summary>
    public string? Failure => Task.Failure;

    /// <summary>The dotted failure code, e.g. <c>SAFETY.INPUT.TEXT</c>; null when none was given or the task was cancelled.</summary>
    public string? FailureCode => Task.FailureCode;
}

/// <summary>
/// <see cref="ReelayClient.WaitForTaskOutputAsync"/> gave up waiting. The task itself goes on: wait again,
/// or cancel it with <see cref="ReelayClient.CancelTaskAsync"/>.
/// </summary>
public sealed class TaskTimedOutException(ReelayTask task, TimeSpan timeout)
    : ReelayException($"Task {task.Id} was still {task.RawStatus} after {timeout.TotalSeconds:0.###} s.")
{
    /// <summary>The task as last read.</summary>
    public ReelayTask Task { get; } = task;

    /// <summary>The task id.</summary>
    public string TaskId => Task.Id;

    /// <summary>How long the wait lasted.</summary>
    public TimeSpan Timeout { get; } = timeout;
}
