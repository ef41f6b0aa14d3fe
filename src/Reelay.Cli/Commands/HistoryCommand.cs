using System.CommandLine;
using System.Text.Json;
using Reelay.Cli.Output;

namespace Reelay.Cli.Commands;

/// <summary>`reelay history`: recent requests of this key's organization, from the server's request log.</summary>
public static class HistoryCommand
{
    public static Command Create()
    {
        var errors = new Option<bool>("--errors") { Description = "Only failing requests (status 400 and above)" };
        var limit = new Option<int>("--limit") { Description = "How many (1–100)", DefaultValueFactory = _ => 20 };
        var command = new Command("history", "Recent API requests with their status and error message") { errors, limit };
        command.Action(async (parse, console, ct) =>
        {
            using var document = await Cli.GetJsonAsync(parse, $"/v1/requests?errors={parse.GetValue(errors).ToString().ToLowerInvariant()}&limit={parse.GetValue(limit)}", ct);
            if (console.Json)
            {
                console.WriteJson(document.RootElement);
                return ExitCodes.Success;
            }
            var rows = new List<IReadOnlyList<string>>();
            foreach (var entry in document.RootElement.GetProperty("requests").EnumerateArray())
            {
                rows.Add([Text(entry, "time"), Text(entry, "status"), $"{Text(entry, "method")} {Text(entry, "path")}", Text(entry, "message")]);
                if (entry.TryGetProperty("issues", out var issues) && issues.ValueKind == JsonValueKind.Array)
                    foreach (var issue in issues.EnumerateArray())
                        rows.Add(["", "", $"  {Text(issue, "path")}", Text(issue, "message")]);
            }
            console.Table(["time", "status", "request", "message"], rows);
            return ExitCodes.Success;
        });
        return command;
    }

    private static string Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value.ValueKind == JsonValueKind.String ? value.GetString() ?? "" : value.ToString() : "";
}
