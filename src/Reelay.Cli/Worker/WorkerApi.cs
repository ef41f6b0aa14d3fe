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

    /// <summary>The node the last answered call went to: the next call starts there.</summary>
    public Uri CurrentServer => servers[Volatile.Read(ref _current)];

    /// <summary>A task, or null when none came within the wait.</summary>
    public async Task<LeasedTask?> LeaseAsync(string workerId, IReadOnlyList<string> models, double waitSeconds, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(server => Post(server, "worker/v1/lease", new LeaseRequest(workerId, models.ToList(), waitSeconds)),
            TimeSpan.FromSeconds(waitSeconds + 30), cancellationToken);
        if (response.StatusCode == HttpStatusCode.NoContent) return null;
        if (response.StatusCode == HttpStatusCode.NotFound)
            throw new WorkerProtocolException($"{CurrentServer} does not offer the worker protocol: start it with Workers:Token set.", 404);
        await EnsureAsync(response, "lease");
        return await response.Content.ReadFromJsonAsync<LeasedTask>(Json, cancellationToken);
    }

    public async Task<LeaseState> HeartbeatAsync(string taskId, string leaseToken, double progress, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(server => Post(server, $"worker/v1/tasks/{taskId}/heartbeat", new HeartbeatRequest(leaseToken, progress)),
            TimeSpan.FromSeconds(15), cancellationToken);
        if (await StopAnswerAsync(response, "heartbeat") is { } stop) return stop;
        var body = await response.Content.ReadFromJsonAsync<HeartbeatResponse>(Json, cancellationToken);
        return body!.Cancelled ? LeaseState.Cancelled : LeaseState.Held;
    }

    public async Task DownloadAsync(string url, string path, CancellationToken cancellationToken)
    {
        // Input URLs name the node that leased the task; if it is gone, the same path on another node serves it.
        var original = new Uri(url);
        using var response = await SendAsync(server => new HttpRequestMessage(HttpMethod.Get, new Uri(server, original.PathAndQuery.TrimStart('/'))),
            TimeSpan.FromMinutes(10), cancellationToken, HttpCompletionOption.ResponseHeadersRead);
        await EnsureAsync(response, "input download");
        await using var file = File.Create(path);
        await response.Content.CopyToAsync(file, cancellationToken);
    }

    public async Task<LeaseState> UploadAsync(string taskId, string leaseToken, string path, int index, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(server =>
        {
            var request = new HttpRequestMessage(HttpMethod.Put, new Uri(server, $"worker/v1/tasks/{taskId}/output?index={index}"))
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
        using var response = await SendAsync(server => Post(server, $"worker/v1/tasks/{taskId}/complete", new LeaseTokenRequest(leaseToken)), TimeSpan.FromSeconds(30), cancellationToken);
        return await StopAnswerAsync(response, "complete") ?? LeaseState.Held;
    }

    public async Task<LeaseState> FailAsync(string taskId, string leaseToken, string code, string? failure, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(server => Post(server, $"worker/v1/tasks/{taskId}/fail", new FailRequest(leaseToken, code, failure)), TimeSpan.FromSeconds(30), cancellationToken);
        return await StopAnswerAsync(response, "fail") ?? LeaseState.Held;
    }

    public async Task ReleaseAsync(string taskId, string leaseToken, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(server => Post(server, $"worker/v1/tasks/{taskId}/release", new LeaseTokenRequest(leaseToken)), TimeSpan.FromSeconds(10), cancellationToken);
    }

    private static HttpRequestMessage Post(Uri server, string path, object body) =>
        new(HttpMethod.Post, new Uri(server, path)) { Content = JsonContent.Create(body, options: Json) };

    /// <summary>
    /// Sends to every node once at most, from the current one on, moving on when a node is unreachable or failing;
    /// the last failure is thrown. The nodes tried are this call's own: calls that fail at the same moment (every
    /// slot's, when a node dies) each still reach the next node, instead of advancing one shared position twice
    /// and landing on the dead node again, which made a report fail with a live node in the list.
    /// </summary>
    private async Task<HttpResponseMessage> SendAsync(Func<Uri, HttpRequestMessage> build, TimeSpan timeout, CancellationToken cancellationToken,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        var first = Volatile.Read(ref _current);
        for (var attempt = 1; ; attempt++)
        {
            var index = (first + attempt - 1) % servers.Count;
            var server = servers[index];
            using var request = build(server);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timer.CancelAfter(timeout);
            try
            {
                var response = await _http.SendAsync(request, completion, timer.Token);
                if ((int)response.StatusCode < 500 || attempt >= servers.Count)
                {
                    Volatile.Write(ref _current, index); // the next calls start at the node that answered
                    return response;
                }
                response.Dispose();
                log.WriteLine($"{server} answered {(int)response.StatusCode}; trying the next server");
            }
            catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                if (attempt >= servers.Count) throw new HttpRequestException($"{server} is unreachable: {ex.Message}", ex);
                log.WriteLine($"{server} is unreachable ({ex.Message}); trying the next server");
            }
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
