using System.CommandLine;
using Reelay.Cli.Output;
using Reelay.Client;

namespace Reelay.Cli.Commands;

/// <summary>`reelay tasks list|get|cancel|watch`.</summary>
public static class TaskCommands
{
    public static Command Create()
    {
        var id = new Argument<string>("task-id");
        var get = new Command("get", "Show a task") { id };
        get.Action(async (parse, console, ct) =>
        {
            using var client = Cli.Client(parse);
            Print(console, await client.GetTaskAsync(parse.GetValue(id)!, cancellationToken: ct));
            return ExitCodes.Success;
        });

        var cancel = new Command("cancel", "Cancel a pending, throttled or running task and delete it (a finished one is deleted)") { id };
        cancel.Action(async (parse, console, ct) =>
        {
            using var client = Cli.Client(parse);
            var taskId = parse.GetValue(id)!;
            // Read first: afterwards the task is gone (as the Runway API does), so this is the only way to say what happened.
            var before = await client.GetTaskAsync(taskId, cancellationToken: ct);
            await client.CancelTaskAsync(taskId, cancellationToken: ct);
            var active = before.RawStatus is "PENDING" or "THROTTLED" or "RUNNING";
            if (console.Json) console.WriteJson(new { id = taskId, status = active ? "CANCELLED" : "DELETED" });
            else console.Line(active ? $"task {taskId} cancelled and deleted" : $"task {taskId} deleted");
            return ExitCodes.Success;
        });

        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait", DefaultValueFactory = _ => 600 };
        var output = new Option<string?>("--out") { Description = "Also download the video here" };
        var watch = new Command("watch", "Follow a task until it ends (queue position, then progress)") { id, timeout, output };
        watch.Action(async (parse, console, ct) =>
        {
            var positions = new QueuePositions();
            using var client = Cli.Client(parse, positions);
            var task = await new TaskWatcher(client, positions, console).WatchAsync(parse.GetValue(id)!, TimeSpan.FromSeconds(parse.GetValue(timeout)), ct);
            if (parse.GetValue(output) is { } path) await Downloads.SaveAllAsync(console, task.Id, task.Output ?? [], path, ct);
            Print(console, task);
            return ExitCodes.Success;
        });
        return new Command("tasks", "List, inspect, follow and cancel tasks") { TaskList.Create(), get, cancel, watch };
    }

    private static void Print(CliConsole console, ReelayTask task)
    {
        if (console.Json)
        {
            console.WriteJson(task);
            return;
        }
        var rows = new List<IReadOnlyList<string>>
        {
            new[] { "id", task.Id }, new[] { "status", task.RawStatus }, new[] { "created", task.CreatedAt.ToString("u") },
        };
        if (task.Progress is { } progress) rows.Add(["progress", $"{progress:P0}"]);
        if (task.Failure is not null) rows.Add(["failure", task.Failure]);
        if (task.FailureCode is not null) rows.Add(["failureCode", task.FailureCode]);
        foreach (var url in task.Output ?? []) rows.Add(["output", url]);
        if ((task.Cost ?? task.EstimatedCost) is { } cost) rows.Add([task.Cost is null ? "estimated cost" : "cost", $"{Cli.Credits(cost.Credits)} credits"]);
        console.Table(["field", "value"], rows);
    }
}
