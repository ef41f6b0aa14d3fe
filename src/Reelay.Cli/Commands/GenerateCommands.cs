using System.CommandLine;
using Reelay.Cli.Output;
using Reelay.Client;

namespace Reelay.Cli.Commands;

/// <summary>`reelay generate image-to-video|text-to-video`: create, follow, download.</summary>
public static class GenerateCommands
{
    private static readonly Option<string> Prompt = new("--prompt") { Description = "The prompt text" };
    private static readonly Option<string?> Ratio = new("--ratio") { Description = "width:height, e.g. 1280:720" };
    private static readonly Option<int?> Duration = new("--duration") { Description = "Seconds" };
    private static readonly Option<long?> Seed = new("--seed") { Description = "0–4294967295" };
    private static readonly Option<string?> Out = new("--out") { Description = "Where to save the MP4 (default: <task id>.mp4)" };
    private static readonly Option<string?> Simulate = new("--simulate") { Description = "Sandbox: sent as X-Reelay-Simulate, e.g. fail=SAFETY.INPUT.IMAGE or delay=5" };
    private static readonly Option<int> Timeout = new("--timeout") { Description = "Seconds to wait for the task", DefaultValueFactory = _ => 600 };

    public static Command Create()
    {
        var image = new Option<string>("--image") { Description = "A local image file (uploaded for you), or an https/data/runway URI", Required = true };
        var imageModel = new Option<string>("--model") { Description = "Model id", DefaultValueFactory = _ => "gen4_turbo" };
        var i2v = new Command("image-to-video", "Animate an image") { image, Prompt, imageModel, Ratio, Duration, Seed, Out, Simulate, Timeout };
        i2v.Action(async (parse, console, ct) =>
        {
            using var client = Cli.Client(parse);
            var source = parse.GetValue(image)!;
            var uri = File.Exists(source) ? await client.UploadFileAsync(source, cancellationToken: ct) : source;
            var created = await client.CreateImageToVideoAsync(new ImageToVideoRequest
            {
                Model = parse.GetValue(imageModel)!, PromptImage = PromptImage.FromUri(uri), PromptText = parse.GetValue(Prompt),
                Ratio = parse.GetValue(Ratio) ?? "1280:720", Duration = parse.GetValue(Duration), Seed = parse.GetValue(Seed),
            }, Options(parse), ct);
            return await FollowAsync(parse, console, client, created, ct);
        });

        var textModel = new Option<string>("--model") { Description = "Model id", DefaultValueFactory = _ => "gen4.5" };
        var t2v = new Command("text-to-video", "Render a video from a prompt") { Prompt, textModel, Ratio, Duration, Seed, Out, Simulate, Timeout };
        t2v.Action(async (parse, console, ct) =>
        {
            using var client = Cli.Client(parse);
            var created = await client.CreateTextToVideoAsync(new TextToVideoRequest
            {
                Model = parse.GetValue(textModel)!, PromptText = parse.GetValue(Prompt) ?? throw new ArgumentException("--prompt is required for text-to-video."),
                Ratio = parse.GetValue(Ratio) ?? "1280:720", Duration = parse.GetValue(Duration) ?? 5, Seed = parse.GetValue(Seed),
            }, Options(parse), ct);
            return await FollowAsync(parse, console, client, created, ct);
        });
        return new Command("generate", "Create a video and download it when it is ready") { i2v, t2v };
    }

    private static RequestOptions Options(ParseResult parse) => new() { Simulate = parse.GetValue(Simulate) };

    private static async Task<int> FollowAsync(ParseResult parse, CliConsole console, ReelayClient client, CreatedTask created, CancellationToken ct)
    {
        if (!console.Json) console.Error($"task {created.Id} created ({Cli.Credits(created.EstimatedCost?.Credits ?? 0)} credits)");
        var watcher = new TaskWatcher(client, Cli.ServerUrl(parse), Cli.Key(parse), console);
        var task = await watcher.WatchAsync(created.Id, TimeSpan.FromSeconds(parse.GetValue(Timeout)), ct);
        var path = parse.GetValue(Out) ?? $"{task.Id}.mp4";
        await TaskWatcher.DownloadAsync(task.Output![0], path, ct);
        if (console.Json) console.WriteJson(new { id = task.Id, status = task.RawStatus, output = task.Output, file = Path.GetFullPath(path), cost = task.Cost?.Credits });
        else console.Line($"saved {path} (task {task.Id}, {Cli.Credits(task.Cost?.Credits ?? 0)} credits)");
        return ExitCodes.Success;
    }
}
