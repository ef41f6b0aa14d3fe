using System.Collections.Concurrent;
using System.Diagnostics;
using Reelay.Cli.Output;
using Reelay.Client;

namespace Reelay.Cli.Commands;

/// <summary>
/// Remembers the queue position the server sends with each task read (X-Reelay-Queue-Position), so following a task
/// is one GET /v1/tasks/{id} per second and nothing else.
/// </summary>
public sealed class QueuePositions() : DelegatingHandler(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
{
    public const string Header = "X-Reelay-Queue-Position";
    private readonly ConcurrentDictionary<string, int?> _byTask = new(StringComparer.OrdinalIgnoreCase);

    public int? For(string taskId) => _byTask.GetValueOrDefault(taskId);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (request.Method == HttpMethod.Get && request.RequestUri?.AbsolutePath is { } path && path.Contains("/v1/tasks/", StringComparison.Ordinal))
            _byTask[path[(path.LastIndexOf('/') + 1)..]] =
                response.Headers.TryGetValues(Header, out var values) && int.TryParse(values.FirstOrDefault(), out var position) ? position : null;
        return response;
    }
}

/// <summary>Follows a task to its end: one read per second; the label says the state (queue position, running), the bar how far.</summary>
public sealed class TaskWatcher(ReelayClient client, QueuePositions positions, CliConsole console)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    public async Task<ReelayTask> WatchAsync(string taskId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        using var line = console.Progress($"task {(taskId.Length > 8 ? taskId[..8] : taskId)}");
        while (true)
        {
            var task = await client.GetTaskAsync(taskId, cancellationToken: cancellationToken);
            switch (task.Status)
            {
                case ReelayTaskStatus.Succeeded:
                    line.Finish($"done in {ProgressLine.Seconds(clock.Elapsed)}", 1);
                    return task;
                case ReelayTaskStatus.Failed or ReelayTaskStatus.Cancelled:
                    line.Finish($"{task.RawStatus.ToLowerInvariant()} after {ProgressLine.Seconds(clock.Elapsed)}", task.Progress ?? 0);
                    throw new TaskFailedException(task);
                default:
                    line.Show(Label(task, positions.For(taskId)), task.Progress ?? 0);
                    break;
            }
            if (clock.Elapsed > timeout) throw new TaskTimedOutException(task, timeout);
            await Task.Delay(PollInterval, cancellationToken);
        }
    }

    /// <summary>What the task is doing, in words; how far is the bar's job (pure).</summary>
    public static string Label(ReelayTask task, int? queuePosition) => task.Status switch
    {
        ReelayTaskStatus.Running => "running",
        ReelayTaskStatus.Throttled => queuePosition is { } p ? $"throttled (position {p} in queue)" : "throttled",
        ReelayTaskStatus.Pending => queuePosition is { } q ? $"queued (position {q})" : "queued",
        _ => task.RawStatus.ToLowerInvariant(),
    };
}
