using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Reelay.Server.Features.Relays;

/// <summary>
/// The Runway developer API as an upstream (api.dev.runwayml.com, or another Reelay): POST /v1/{endpoint},
/// GET /v1/tasks/{id}, DELETE /v1/tasks/{id}. Each call goes through one Polly pipeline: a deadline (the relay's
/// Timeout) around retries with exponential backoff and jitter around a per-attempt timeout.
/// </summary>
public sealed class RunwayUpstream : IUpstreamClient
{
    public const string Version = "2024-11-06";
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan DownloadAttemptTimeout = TimeSpan.FromMinutes(5);
    private readonly RelayOptions _relay;
    private readonly RelayHealth _health;
    private readonly HttpClient _http;
    private readonly ResiliencePipeline<HttpResponseMessage> _calls;
    private readonly ResiliencePipeline _downloads;

    public RunwayUpstream(RelayOptions relay, RelayHealth health, HttpMessageHandler? handler = null)
    {
        _relay = relay;
        _health = health;
        // No HttpClientFactory logging handlers: request lines with headers must never reach the log.
        _http = new HttpClient(handler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = Timeout.InfiniteTimeSpan };
        _calls = new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddTimeout(relay.Timeout)
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>().Handle<HttpRequestException>().Handle<TimeoutRejectedException>()
                    .HandleResult(r => IsTransient(r.StatusCode)),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(200),
                MaxDelay = TimeSpan.FromSeconds(5),
                OnRetry = args =>
                {
                    Telemetry.ReelayMetrics.RelayCall(relay.Name, "retried");
                    _health.Failed(args.Outcome.Exception?.GetType().Name ?? $"HTTP {(int)args.Outcome.Result!.StatusCode}");
                    args.Outcome.Result?.Dispose();
                    return default;
                },
            })
            .AddTimeout(AttemptTimeout)
            .Build();
        _downloads = new ResiliencePipelineBuilder()
            .AddTimeout(relay.Timeout)
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<HttpRequestException>().Handle<IOException>().Handle<TimeoutRejectedException>(),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(200),
                MaxDelay = TimeSpan.FromSeconds(5),
                OnRetry = args =>
                {
                    _health.Failed("download: " + args.Outcome.Exception?.GetType().Name);
                    return default;
                },
            })
            .AddTimeout(DownloadAttemptTimeout)
            .Build();
    }

    /// <summary>What is worth asking again: rate limits, the upstream's own trouble, and an idempotent create still in flight.</summary>
    public static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.TooManyRequests or HttpStatusCode.Conflict or HttpStatusCode.RequestTimeout || (int)status >= 500;

    public async Task<UpstreamCreated> CreateAsync(string endpoint, JsonObject body, string idempotencyKey, string? simulate, CancellationToken cancellationToken)
    {
        var text = body.ToJsonString();
        using var response = await SendAsync(() =>
        {
            var request = Request(HttpMethod.Post, $"v1/{endpoint}");
            request.Content = new StringContent(text, System.Text.Encoding.UTF8, "application/json");
            request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
            if (simulate is not null) request.Headers.TryAddWithoutValidation(Engines.Simulation.Header, simulate);
            return request;
        }, cancellationToken);
        var json = await ReadJsonAsync(response, cancellationToken);
        if (response.IsSuccessStatusCode && json?["id"]?.GetValueKind() == JsonValueKind.String) return new UpstreamCreated(json["id"]!.GetValue<string>());
        return new UpstreamCreated(null, (int)response.StatusCode, Message(json, response),
            (json?["issues"] as JsonArray ?? []).Select(i => string.Join('.', (i?["path"] as JsonArray ?? []).Select(p => p?.ToString()))).ToList());
    }

    public async Task<UpstreamTask> GetAsync(string upstreamTaskId, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(() => Request(HttpMethod.Get, $"v1/tasks/{Uri.EscapeDataString(upstreamTaskId)}"), cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound) return UpstreamTask.Gone;
        var json = await ReadJsonAsync(response, cancellationToken);
        if (!response.IsSuccessStatusCode || json is null)
            throw new UpstreamRefusedException((int)response.StatusCode, Message(json, response));
        return ReadTask(json);
    }

    /// <summary>The Runway task object in our words (pure, so tests can call it).</summary>
    public static UpstreamTask ReadTask(JsonObject json)
    {
        var status = json["status"]?.ToString() switch
        {
            "PENDING" => "queued",
            "THROTTLED" => "throttled",
            "RUNNING" => "running",
            "SUCCEEDED" => "succeeded",
            "FAILED" => "failed",
            "CANCELLED" => "cancelled",
            _ => "running",
        };
        var progress = json["progress"]?.GetValueKind() == JsonValueKind.Number ? json["progress"]!.GetValue<double>() : 0;
        var outputs = (json["output"] as JsonArray ?? []).Select(o => o?.ToString()).OfType<string>().ToList();
        long? cost = json["cost"]?["credits"]?.GetValueKind() == JsonValueKind.Number ? json["cost"]!["credits"]!.GetValue<long>() : null;
        return new UpstreamTask(status, progress, outputs, json["failureCode"]?.ToString(), json["failure"]?.ToString(), cost);
    }

    public async Task CancelAsync(string upstreamTaskId, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(() => Request(HttpMethod.Delete, $"v1/tasks/{Uri.EscapeDataString(upstreamTaskId)}"), cancellationToken);
    }

    public Task DownloadAsync(string url, string path, CancellationToken cancellationToken) =>
        Guard(async () => await _downloads.ExecuteAsync(async token =>
        {
            // Output URLs are signed on their own: the upstream's key is not sent to wherever they point.
            using var response = await _http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, token);
            response.EnsureSuccessStatusCode();
            await using var file = File.Create(path);
            await response.Content.CopyToAsync(file, token);
            _health.Succeeded();
        }, cancellationToken));

    private Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> request, CancellationToken cancellationToken) =>
        Guard(async () =>
        {
            var response = await _calls.ExecuteAsync(async token => await _http.SendAsync(request(), token), cancellationToken);
            Telemetry.ReelayMetrics.RelayCall(_relay.Name, "ok");
            _health.Succeeded();
            return response;
        });

    /// <summary>The deadline passing becomes the one exception the runner maps to THIRD_PARTY.UNAVAILABLE.</summary>
    private async Task<T> Guard<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (TimeoutRejectedException ex)
        {
            Telemetry.ReelayMetrics.RelayCall(_relay.Name, "unavailable");
            throw new UpstreamUnavailableException($"The upstream '{_relay.Name}' stayed unreachable for {_relay.Timeout.TotalSeconds:0.#} s.", ex);
        }
    }

    private Task Guard(Func<Task> call) => Guard(async () => { await call(); return true; });

    private HttpRequestMessage Request(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, new Uri(_relay.BaseUrl, path));
        request.Headers.TryAddWithoutValidation("Authorization", _relay.Authorization);
        request.Headers.TryAddWithoutValidation("X-Runway-Version", Version);
        return request;
    }

    private static async Task<JsonObject?> ReadJsonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Message(JsonObject? json, HttpResponseMessage response) =>
        json?["error"]?.ToString() ?? $"The upstream answered HTTP {(int)response.StatusCode}.";
}

/// <summary>The upstream answered a follow-up call with a lasting refusal (401, 403, 400): retrying will not help.</summary>
public sealed class UpstreamRefusedException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}
