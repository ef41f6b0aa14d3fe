using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Reelay.Server.Features.Queue;
using Reelay.Server.Features.Workers;

namespace Reelay.Cli.Worker;

/// <summary>
/// The worker protocol over HTTP, against one or more server nodes: a call that cannot reach a node (connection
/// refused, reset, timed out, 5xx) is retried on the next one, so a worker outlives the death of the node it used.
/// </summary>
public sealed class WorkerApi(IReadOnlyList<Uri> servers, string token, TextWriter log) : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };
    private int _current;

    public Uri CurrentServer => servers[Volatile.Read(ref _current) % servers.Count];

    /// <summary>A task, or null when none came within the wait.</summary>
    public async Task<LeasedTask?> LeaseAsync(string workerId, IReadOnlyList<string> models, double waitSeconds, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(() => Post("worker/v1/lease", new LeaseRequest(workerId, models.ToList(), waitSeconds)),
            TimeSpan.FromSeconds(waitSeconds + 30), cancellationToken);
        if (response.StatusCode == HttpStatusCode.NoContent) return null;
        if (response.StatusCode == HttpStatusCode.NotFound)
            throw new WorkerProtocolException($"{CurrentServer} does not offer the worker protocol: start it with Workers:Token set.", 404);
        await EnsureAsync(response, "lease");
        return await response.Content.ReadFromJsonAsync<LeasedTask>(Json, cancellationToken);
    }

    public async Task<LeaseState> HeartbeatAsync(string taskId, string leaseToken, double progress, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(() => Post($"worker/v1/tasks/{taskId}/heartbeat", new HeartbeatRequest(leaseToken, progress)),
            TimeSpan.FromSeconds(15), cancellationToken);
        if (await StopAnswerAsync(response, "heartbeat") is { } stop) return stop;
        var body = await response.Content.ReadFromJsonAsync<HeartbeatResponse>(Json, cancellationToken);
        return body!.Cancelled ? LeaseState.Cancelled : LeaseState.Held;
    }

    public async Task DownloadAsync(string url, string path, CancellationToken cancellationToken)
    {
        // Input URLs name the node that leased the task; if it is gone, the same path on another node serves it.
        var original = new Uri(url);
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, new Uri(CurrentServer, original.PathAndQuery.TrimStart('/'))),
            TimeSpan.FromMinutes(10), cancellationToken, HttpCompletionOption.ResponseHeadersRead);
        await EnsureAsync(response, "input download");
        await using var file = File.Create(path);
        await response.Content.CopyToAsync(file, cancellationToken);
    }

    public async Task<LeaseState> UploadAsync(string taskId, string leaseToken, string path, int index, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Put, new Uri(CurrentServer, $"worker/v1/tasks/{taskId}/output?index={index}"))
            {
                Content = new StreamContent(File.OpenRead(path)),
            };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(Reelay.Server.Features.Outputs.OutputFormats.ContentType(Path.GetExtension(path)));
            request.Headers.Add(WorkerEndpoints.LeaseHeader, leaseToken);
            return request;
        }, TimeSpan.FromMinutes(30), cancellationToken);
        return await StopAnswerAsync(response, "output upload") ?? LeaseState.Held;
    }

    public async Task<LeaseState> CompleteAsync(string taskId, string leaseToken, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(() => Post($"worker/v1/tasks/{taskId}/complete", new LeaseTokenRequest(leaseToken)), TimeSpan.FromSeconds(30), cancellationToken);
        return await StopAnswerAsync(response, "complete") ?? LeaseState.Held;
    }

    public async Task<LeaseState> FailAsync(string taskId, string leaseToken, string code, string? failure, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(() => Post($"worker/v1/tasks/{taskId}/fail", new FailRequest(leaseToken, code, failure)), TimeSpan.FromSeconds(30), cancellationToken);
        return await StopAnswerAsync(response, "fail") ?? LeaseState.Held;
    }

    public async Task ReleaseAsync(string taskId, string leaseToken, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(() => Post($"worker/v1/tasks/{taskId}/release", new LeaseTokenRequest(leaseToken)), TimeSpan.FromSeconds(10), cancellationToken);
    }

    private HttpRequestMessage Post(string path, object body) =>
        new(HttpMethod.Post, new Uri(CurrentServer, path)) { Content = JsonContent.Create(body, options: Json) };

    /// <summary>Sends once per node at most, moving on when a node is unreachable or failing; the last failure is thrown.</summary>
    private async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> build, TimeSpan timeout, CancellationToken cancellationToken,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var request = build();
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timer.CancelAfter(timeout);
            var server = CurrentServer;
            try
            {
                var response = await _http.SendAsync(request, completion, timer.Token);
                if ((int)response.StatusCode < 500 || attempt >= servers.Count) return response;
                response.Dispose();
                log.WriteLine($"{server} answered {(int)response.StatusCode}; trying the next server");
            }
            catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                if (attempt >= servers.Count) throw new HttpRequestException($"{server} is unreachable: {ex.Message}", ex);
                log.WriteLine($"{server} is unreachable ({ex.Message}); trying the next server");
            }
            Interlocked.Increment(ref _current);
        }
    }

    /// <summary>409 means stop (cancelled or lease lost), and so does 404 not_found (the task is gone); other errors throw with the server's message.</summary>
    private static async Task<LeaseState?> StopAnswerAsync(HttpResponseMessage response, string what)
    {
        if (response.StatusCode == HttpStatusCode.Conflict)
        {
            var error = await response.Content.ReadFromJsonAsync<WorkerError>(Json);
            return error?.Code == "cancelled" ? LeaseState.Cancelled : LeaseState.Lost;
        }
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            WorkerError? error = null;
            try { error = JsonSerializer.Deserialize<WorkerError>(await response.Content.ReadAsStringAsync(), Json); } catch (JsonException) { }
            if (error?.Code == "not_found") return LeaseState.Cancelled;
        }
        await EnsureAsync(response, what);
        return null;
    }

    private static async Task EnsureAsync(HttpResponseMessage response, string what)
    {
        if (response.IsSuccessStatusCode) return;
        var text = await response.Content.ReadAsStringAsync();
        string? error = null;
        try { error = JsonSerializer.Deserialize<WorkerError>(text, Json)?.Error; } catch (JsonException) { }
        throw new WorkerProtocolException($"The server refused the {what} ({(int)response.StatusCode}): {error ?? text}", (int)response.StatusCode);
    }

    public void Dispose() => _http.Dispose();
}

public sealed class WorkerProtocolException(string message, int status) : Exception(message)
{
    public int Status { get; } = status;
}
