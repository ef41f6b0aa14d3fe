using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Reelay.Cli.Output;
using Reelay.Client;

namespace Reelay.Cli.Commands;

/// <summary>`reelay generate <command>`: one shape for every endpoint (see <see cref="GenerateSpecs"/>): create, follow, download.</summary>
public static class GenerateCommands
{
    private static readonly Option<string?> Out = new("--out") { Description = "Where to save the output (default: <task id> with the output's extension)" };
    private static readonly Option<string?> Simulate = new("--simulate") { Description = "Sandbox: sent as X-Reelay-Simulate, e.g. fail=SAFETY.INPUT.IMAGE or delay=5" };
    private static readonly Option<int> Timeout = new("--timeout") { Description = "Seconds to wait for the task", DefaultValueFactory = _ => 600 };
    private static readonly Option<string[]> Set = new("--set")
    {
        Description = "Any other body field, name=value (repeatable); the value is JSON if it parses, else text; name=@file uploads the file",
        AllowMultipleArgumentsPerToken = false,
    };

    public static Command Create()
    {
        var generate = new Command("generate", "Create a task, follow it and download its output");
        foreach (var spec in GenerateSpecs.All) generate.Subcommands.Add(Command(spec));
        return generate;
    }

    private static Command Command(GenerateSpec spec)
    {
        var model = new Option<string>("--model") { Description = $"Model id (default {spec.DefaultModel})", DefaultValueFactory = _ => spec.DefaultModel };
        var options = spec.Options.ToDictionary(o => o, o => (Option)(o.Kind switch
        {
            FieldKind.Flag => new Option<bool>(o.Name) { Description = o.Description },
            FieldKind.MediaReferences => new Option<string[]>(o.Name) { Description = o.Description, AllowMultipleArgumentsPerToken = false },
            _ => new Option<string?>(o.Name) { Description = o.Description, Required = o.Required && o.Default is null },
        }));
        var command = new Command(spec.Command, $"{spec.Summary} (POST /v1/{spec.Endpoint})") { model, Out, Simulate, Timeout, Set };
        foreach (var option in options.Values) command.Options.Add(option);
        command.Action(async (parse, console, ct) =>
        {
            var positions = new QueuePositions();
            using var client = Cli.Client(parse, positions);
            var modelId = parse.GetValue(model)!;
            var schema = await ModelFields.SchemaAsync(Cli.ServerUrl(parse), spec.Endpoint, modelId, ct);
            var given = options.ToDictionary(p => p.Key, p => Values(parse, p.Value));
            var body = await BodyAsync(spec, modelId, given, parse.GetValue(Set) ?? [], schema,
                (option, source) => Cli.MediaUriAsync(client, option, source, ct));
            CreatedTask created;
            try
            {
                created = await client.CreateTaskAsync(spec.Endpoint, body, new RequestOptions { Simulate = parse.GetValue(Simulate) }, ct);
            }
            catch (NotFoundException) when (schema is null)
            {
                throw new RemoteError(404, $"This server does not serve POST /v1/{spec.Endpoint}: no model in its catalog takes that endpoint.");
            }
            return await FollowAsync(parse, console, client, positions, created, ct);
        });
        return command;
    }

    private static string[] Values(ParseResult parse, Option option) => option switch
    {
        Option<bool> flag => parse.GetValue(flag) ? ["true"] : [],
        Option<string[]> list => parse.GetValue(list) ?? [],
        Option<string?> single => parse.GetValue(single) is { } value ? [value] : [],
        _ => [],
    };

    /// <summary>
    /// The create body: model, each given option in its field, then --set. A default is sent only where the model requires
    /// the field (elsewhere the server's own default applies); <paramref name="schema"/> is null when it could not be read.
    /// </summary>
    public static async Task<JsonObject> BodyAsync(GenerateSpec spec, string model, IReadOnlyDictionary<FieldOption, string[]> given, IReadOnlyList<string> sets,
        ModelSchema? schema, Func<string, string, Task<string>> mediaUri)
    {
        var body = new JsonObject { ["model"] = model };
        foreach (var option in spec.Options)
        {
            var values = given.GetValueOrDefault(option) ?? [];
            var field = option.Fields.FirstOrDefault(f => schema?.Properties.Contains(f) == true) ?? option.Fields[0];
            if (values.Length == 0)
            {
                if (option.Required) throw new UsageException($"{option.Name} is required for {spec.Command}.");
                if (option.Default is null || schema?.Required.Contains(field) == false) continue;
                values = [option.Default];
            }
            body[field] = option.Kind switch
            {
                FieldKind.Text => values[0],
                FieldKind.Integer => long.TryParse(values[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole) ? whole
                    : throw new UsageException($"{option.Name} must be a whole number, not '{values[0]}'."),
                FieldKind.Number => double.TryParse(values[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? number
                    : throw new UsageException($"{option.Name} must be a number, not '{values[0]}'."),
                FieldKind.Flag => true,
                FieldKind.Media => await mediaUri(option.Name, values[0]),
                FieldKind.MediaReferences => new JsonArray([.. await Task.WhenAll(values.Select(async v => (JsonNode)new JsonObject { ["uri"] = await mediaUri(option.Name, v) }))]),
                FieldKind.PresetVoice => new JsonObject { ["type"] = "runway-preset", ["presetId"] = values[0] },
                FieldKind.TypedMedia => new JsonObject { ["type"] = option.MediaType, ["uri"] = await mediaUri(option.Name, values[0]) },
                _ => throw new ArgumentOutOfRangeException(nameof(spec)),
            };
        }
        foreach (var set in sets)
        {
            var equals = set.IndexOf('=');
            if (equals < 1) throw new UsageException($"--set takes name=value, not '{set}'.");
            var (name, value) = (set[..equals], set[(equals + 1)..]);
            body[name] = value.StartsWith('@') ? await mediaUri("--set " + name, value[1..]) : ParseValue(value);
        }
        return body;
    }

    /// <summary>"5" is a number, "true" a boolean, "[1,2]" an array; anything that is not JSON is text.</summary>
    public static JsonNode? ParseValue(string value)
    {
        try
        {
            return JsonNode.Parse(value);
        }
        catch (JsonException)
        {
            return value;
        }
    }

    private static async Task<int> FollowAsync(ParseResult parse, CliConsole console, ReelayClient client, QueuePositions positions, CreatedTask created, CancellationToken ct)
    {
        if (!console.Json) console.Error($"task {created.Id} created ({Cli.Credits(created.EstimatedCost?.Credits ?? 0)} credits)");
        var task = await new TaskWatcher(client, positions, console).WatchAsync(created.Id, TimeSpan.FromSeconds(parse.GetValue(Timeout)), ct);
        var files = await Downloads.SaveAllAsync(console, task.Id, task.Output ?? [], parse.GetValue(Out), ct);
        if (console.Json)
            console.WriteJson(new { id = task.Id, status = task.RawStatus, output = task.Output, file = files.Count > 0 ? Path.GetFullPath(files[0]) : null, files = files.Select(Path.GetFullPath), cost = task.Cost?.Credits });
        else console.Line($"saved {string.Join(", ", files)} (task {task.Id}, {Cli.Credits(task.Cost?.Credits ?? 0)} credits)");
        return ExitCodes.Success;
    }
}
