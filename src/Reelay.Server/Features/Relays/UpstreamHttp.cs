using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Reelay.Server.Features.Relays;

/// <summary>
/// What every dialect's client shares: one HttpClient without logging handlers (request lines with headers must
/// never reach the log), calls through the upstream's pipelines (<see cref="UpstreamResilience"/>), the key only in
/// the Authorization header of API calls, and the deadline or an open breaker turned into
/// <see cref="UpstreamUnavailableException"/>, the one exception the runner maps to THIRD_PARTY.UNAVAILABLE.
/// </summary>
public abstract class UpstreamHttp(RelayOptions relay, RelayHealth health, UpstreamResilience resilience, HttpMessageHandler? handler)
{
    private readonly HttpClient _http = new(handler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = Timeout.InfiniteTimeSpan };

    protected RelayOptions Relay => relay;

    /// <summary>Streams one output to a local file; output URLs are signed on their own, so the key is not sent to wherever they point.</summary>
    public Task DownloadAsync(string url, string path, CancellationToken cancellationToken) =>
        Guard(async () => await resilience.Downloads.ExecuteAsync(async token =>
        {
            using var response = await _http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, token);
            response.EnsureSuccessStatusCode();
            await using var file = File.Create(path);
            await response.Content.CopyToAsync(file, token);
            health.Succeeded();
        }, cancellationToken));

    /// <summary>One call, retried by the pipeline (each attempt builds its request afresh); failFast gives up when the breaker is open.</summary>
    protected Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> request, CancellationToken cancellationToken, bool failFast = false) =>
        Guard(async () =>
        {
            var response = await resilience.SendAsync(async token =>
            {
                using var message = request();
                return await _http.SendAsync(message, token);
            }, failFast, cancellationToken);
            Telemetry.ReelayMetrics.RelayCall(relay.Name, "ok");
            health.Succeeded();
            return response;
        });

    protected HttpRequestMessage Request(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, new Uri(relay.BaseUrl, path));
        Authorize(request);
        return request;
    }

    /// <summary>The headers of an API call: the key, and whatever the dialect adds.</summary>
    protected virtual void Authorize(HttpRequestMessage request) => request.Headers.TryAddWithoutValidation("Authorization", relay.Authorization);

    protected static async Task<JsonObject?> ReadJsonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
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

    /// <summary>The upstream's own words for a refusal: Runway's "error", RunBlob's "detail" (a text or pydantic's list).</summary>
    protected static string Message(JsonObject? json, HttpResponseMessage response) =>
        json?["error"]?.ToString() ?? (json?["detail"] is JsonArray list ? string.Join("; ", list.Select(d => d?["msg"]?.ToString())) : json?["detail"]?.ToString())
        ?? $"The upstream answered HTTP {(int)response.StatusCode}.";

    private async Task<T> Guard<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (TimeoutRejectedException ex)
        {
            Telemetry.ReelayMetrics.RelayCall(relay.Name, "unavailable");
            throw new UpstreamUnavailableException($"The upstream '{relay.Name}' stayed unreachable for {relay.Timeout.TotalSeconds:0.#} s.", ex);
        }
        catch (BrokenCircuitException ex)
        {
            Telemetry.ReelayMetrics.RelayCall(relay.Name, "breaker_open");
            throw new UpstreamUnavailableException($"The upstream '{relay.Name}' is failing: its circuit breaker is open.", ex);
        }
    }

    private Task Guard(Func<Task> call) => Guard(async () => { await call(); return true; });
}
