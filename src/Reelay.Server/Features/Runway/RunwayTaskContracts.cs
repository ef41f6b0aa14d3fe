using System.Text.Json.Serialization;

using Reelay.Server.Features.Tasks;

namespace Reelay.Server.Features.Runway;

/// <summary>The task object of the Runway surface; absent fields are omitted, as the reference API does.</summary>
public sealed record RunwayTask(
    string Id,
    string CreatedAt,
    string Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Progress = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Output = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Failure = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? FailureCode = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] CreditAmount? EstimatedCost = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] CreditAmount? Cost = null);

public sealed record CreditAmount(long Credits);

public sealed record CreatedTask(string Id, CreditAmount EstimatedCost);

public static class RunwayTaskMapping
{
    /// <summary>The Runway surface's name of a core state.</summary>
    public static string Status(string status) => status switch
    {
        TaskStates.Queued => "PENDING",
        TaskStates.Throttled => "THROTTLED",
        TaskStates.Running => "RUNNING",
        TaskStates.Succeeded => "SUCCEEDED",
        TaskStates.Failed => "FAILED",
        TaskStates.Cancelled => "CANCELLED",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown task state."),
    };

    /// <summary>Maps a stored task to the status-specific shape; outputUrl signs a fresh URL per read.</summary>
    public static RunwayTask ToRunway(TaskRow row, Func<TaskRow, int, string> outputUrl)
    {
        var status = Status(row.Status);
        var created = Infrastructure.Clock.Iso(row.CreatedAt);
        var price = new CreditAmount(row.PriceCredits);
        return row.Status switch
        {
            TaskStates.Queued or TaskStates.Throttled => new RunwayTask(row.Id, created, status, EstimatedCost: price),
            TaskStates.Running => new RunwayTask(row.Id, created, status, Progress: Math.Round(row.Progress ?? 0, 4), EstimatedCost: price),
            TaskStates.Succeeded => new RunwayTask(row.Id, created, status, Output: row.OutputKeys.Select((_, i) => outputUrl(row, i)).ToList(), Cost: new CreditAmount(row.ChargedCredits)),
            TaskStates.Failed => new RunwayTask(row.Id, created, status, Failure: row.Failure ?? "The task failed.", FailureCode: row.FailureCode,
                Cost: new CreditAmount(Reelay.Server.Features.Credits.Ledger.ChargesFor(row.Status, row.FailureCode) ? row.ChargedCredits : 0)),
            _ => new RunwayTask(row.Id, created, status, Cost: new CreditAmount(0)),
        };
    }
}
