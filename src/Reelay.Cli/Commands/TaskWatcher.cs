using System.Net.Http.Headers;
using System.Text.Json;
using Reelay.Cli.Output;
using Reelay.Client;
using Spectre.Console;

namespace Reelay.Cli.Commands;

/// <summary>Follows a task to its end: queue position while it waits, render progress while it runs.</summary>
public sealed class TaskWatcher(ReelayClient client, string baseUrl, string? apiKey, CliConsole console)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    public async Task<ReelayTask> WatchAsync(string taskId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        if (!console.IsTerminal || console.Json) return await PollAsync(taskId, deadline, timeout, _ => { }, cancellationToken);
        ReelayTask? final = null;
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var bar = context.AddTask($"task {taskId[..8]}: submitted", maxValue: 1.0);
                final = await PollAsync(taskId, deadline, timeout, state =>
                {
                    bar.Description = Markup.Escape(state.Label);
                    bar.Value = state.Progress;
                }, cancellationToken);
                bar.Value = 1.0;
            });
        return final!;
    }

    private sealed record State(string Label, double Progress);

    private async Task<ReelayTask> PollAsync(string taskId, DateTime deadline, TimeSpan timeout, Action<State> show, CancellationToken cancellationToken)
    {
        while (true)
        {
            var task = await client.GetTaskAsync(taskId, cancellationToken: cancellationToken);
            switch (task.Status)
            {
                case ReelayTaskStatus.Succeeded: return task;
                case ReelayTaskStatus.Failed or ReelayTaskStatus.Cancelled: throw new TaskFailedException(task);
                case ReelayTaskStatus.Running: show(new State($"rendering {task.Progress ?? 0:P0}", task.Progress ?? 0)); break;
                default:
                    var position = await QueuePositionAsync(taskId, cancellationToken);
                    show(new State($"{task.RawStatus.ToLowerInvariant()}{(position is null ? "" : $" (position {position} in queue)")}", 0));
                    break;
            }
            if (DateTime.UtcNow > deadline) throw new TaskTimedOutException(task, timeout);
            await Task.Delay(PollInterval, cancellationToken);
        }
    }

    /// <summary>The Runway task object has no queue position; the RunBlob view of the same task does.</summary>
    private async Task<int?> QueuePositionAsync(string taskId, CancellationToken cancellationToken)
    {
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{baseUrl}/v1/sora/generations/{taskId}");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
            using var response = await http.SendAsync(request, cancellationToken);
            if (!response.IsSuccessStatusCode) return null;
            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            return document.RootElement.TryGetProperty("progress_pos_in_queue", out var p) && p.ValueKind == JsonValueKind.Number ? p.GetInt32() : null;
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or TaskCanceledException)
        {
            return null; // a nicety only: never fail the watch over it
        }
    }

    public static async Task DownloadAsync(string url, string path, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
        await using var body = await http.GetStreamAsync(url, cancellationToken);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        await using var file = File.Create(path);
        await body.CopyToAsync(file, cancellationToken);
    }
}
