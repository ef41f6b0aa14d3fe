using System.CommandLine;
using System.Text.Json;
using Reelay.Cli.Output;

namespace Reelay.Cli.Commands;

/// <summary>`reelay tasks list`: the organization's tasks, newest first, from GET /v1/tasks.</summary>
public static class TaskList
{
    public static Command Create()
    {
        var limit = new Option<int>("--limit") { Description = "How many (1–100)", DefaultValueFactory = _ => 20 };
        var status = new Option<string?>("--status") { Description = "Only tasks in this status: PENDING, THROTTLED, RUNNING, SUCCEEDED, FAILED or CANCELLED" };
        var before = new Option<string?>("--before") { Description = "The cursor printed after a full page, for the page after it" };
        var list = new Command("list", "The organization's tasks, newest first: status, model, prompt, cost") { limit, status, before };
        list.Action(async (parse, console, ct) =>
        {
            var query = $"/v1/tasks?limit={parse.GetValue(limit)}"
                + (parse.GetValue(status) is { } s ? "&status=" + Uri.EscapeDataString(s) : "")
                + (parse.GetValue(before) is { } b ? "&before=" + Uri.EscapeDataString(b) : "");
            using var document = await Cli.GetJsonAsync(parse, query, ct);
            if (console.Json)
            {
                console.WriteJson(document.RootElement);
                return ExitCodes.Success;
            }
            var rows = document.RootElement.GetProperty("tasks").EnumerateArray().Select(Row).ToList();
            console.Table(["id", "created", "status", "model", "prompt", "credits"], rows);
            if (rows.Count == 0) console.Line("no tasks");
            if (document.RootElement.TryGetProperty("next", out var next) && next.ValueKind == JsonValueKind.String)
                console.Line($"more: reelay tasks list --before {next.GetString()}");
            return ExitCodes.Success;
        });
        return list;
    }

    private static IReadOnlyList<string> Row(JsonElement task)
    {
        var status = Text(task, "status");
        if (task.TryGetProperty("progress", out var p) && p.ValueKind == JsonValueKind.Number) status += $" {p.GetDouble():P0}";
        if (task.TryGetProperty("failureCode", out var code) && code.ValueKind == JsonValueKind.String) status += $" {code.GetString()}";
        var cost = task.TryGetProperty("cost", out var c) ? c : task.TryGetProperty("estimatedCost", out var e) ? e : default;
        var prompt = Text(task, "promptText").ReplaceLineEndings(" ");
        var created = DateTimeOffset.TryParse(Text(task, "createdAt"), out var at) ? at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss") : Text(task, "createdAt");
        return [Text(task, "id"), created, status, Text(task, "model"), prompt.Length > 40 ? prompt[..39] + "…" : prompt,
            cost.ValueKind == JsonValueKind.Object ? Cli.Credits(cost.GetProperty("credits").GetInt64()) : ""];
    }

    private static string Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() ?? "" : "";
}
