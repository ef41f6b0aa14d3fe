using System.Net.Http.Headers;
using System.Text.Json;

namespace Reelay.Client;

/// <summary>One logical API call; the transport may send it several times.</summary>
internal sealed record ApiCall(HttpMethod Method, Uri Uri)
{
    /// <summary>Builds a fresh body per attempt: a sent HttpContent cannot be sent again.</summary>
    public Func<HttpContent>? Content { get; init; }
    /// <summary>False for the upload form post, which must not carry the API key to the upload URL.</summary>
    public bool Authenticated { get; init; } = true;
    /// <summary>Task creation: gets an Idempotency-Key and the sandbox header.</summary>
    public bool IsCreate { get; init; }
    public TimeSpan? DefaultTimeout { get; init; }
    public RequestOptions? Options { get; init; }
    /// <summary>
    /// For the upload form: a 409 ("already uploaded") right after an attempt that got no answer means
    /// that attempt did land, so the upload is done.
    /// </summary>
    public bool ConflictAfterLostAttemptMeansDone { get; init; }
}

internal readonly record struct ApiResponse(int Status, string Body, string RequestId);

public sealed partial class ReelayClient
{
    private static readonly string UserAgent =
        $"Reelay.Client/{typeof(ReelayClient).Assembly.GetName().Version?.ToString(3) ?? "0"} (.NET {Environment.Version})";

    /// <summary>Sends the call, retrying what is transient (see <see cref="RetryPolicy"/>), and maps failures to exceptions.</summary>
    private async Task<ApiResponse> SendAsync(ApiCall call, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var maxRetries = Math.Max(0, call.Options?.MaxRetries ?? _options.MaxRetries);
        var timeout = call.Options?.Timeout ?? call.DefaultTimeout ?? _options.Timeout;
        // One id per logical call, shared by its retries, so the server's logs show them together.
        var requestId = "req_" + Guid.NewGuid().ToString("N");
        // Generated once, before the first attempt: every retry must carry the same key for the server to
        // recognise it as the same create and replay the first answer instead of making a second task.
        var idempotencyKey = call.Options?.IdempotencyKey ?? (call.IsCreate ? "reelay-csharp-" + Guid.NewGuid().ToString("N") : null);
        var lostPrevious = false;
        for (var attempt = 0; ; attempt++)
        {
            ApiException failure;
            TimeSpan? serverDelay = null;
            bool retryable, lost = false;
            using (var request = BuildRequest(call, requestId, idempotencyKey))
            using (var attemptTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                attemptTimeout.CancelAfter(timeout);
                try
                {
                    using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attemptTimeout.Token).ConfigureAwait(false);
                    var body = await response.Content.ReadAsStringAsync(attemptTimeout.Token).ConfigureAwait(false);
                    var status = (int)response.StatusCode;
                    var responseId = response.Headers.TryGetValues("X-Request-Id", out var ids) ? ids.First() : requestId;
                    if (status is >= 200 and < 300) return new ApiResponse(status, body, responseId);
                    if (status == 409 && lostPrevious && call.ConflictAfterLostAttemptMeansDone) return new ApiResponse(204, "", responseId);
                    failure = ApiErrors.FromResponse(status, body, response.Headers, responseId);
                    retryable = RetryPolicy.IsRetryable(status, response.Headers);
                    serverDelay = RetryPolicy.ServerDelay(response.Headers, DateTimeOffset.UtcNow);
                }
                catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
                {
                    // Our per-attempt timer, or the HttpClient's own Timeout when the caller supplied the client;
                    // the caller's own cancellation is not caught and surfaces as OperationCanceledException.
                    failure = new ApiTimeoutException(
                        $"No response to {call.Method} {call.Uri.AbsolutePath} within {timeout.TotalSeconds:0.###} s.", requestId, ex);
                    retryable = lost = true;
                }
                catch (Exception ex) when (ex is HttpRequestException or IOException)
                {
                    failure = new ApiConnectionException(
                        $"Could not reach the server at {call.Uri.GetLeftPart(UriPartial.Authority)}: {ex.Message}", requestId, ex);
                    retryable = lost = true;
                }
            }
            if (!retryable || attempt >= maxRetries) throw failure;
            if (RetryPolicy.Delay(attempt, serverDelay, _options, Random.Shared.NextDouble()) is not { } delay) throw failure;
            lostPrevious = lost;
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
    }

    private HttpRequestMessage BuildRequest(ApiCall call, string requestId, string? idempotencyKey)
    {
        var request = new HttpRequestMessage(call.Method, call.Uri) { Content = call.Content?.Invoke() };
        var headers = request.Headers;
        headers.TryAddWithoutValidation("User-Agent", UserAgent);
        headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        headers.TryAddWithoutValidation("X-Request-Id", requestId);
        if (call.Authenticated)
        {
            headers.Authorization = new AuthenticationHeaderValue("Bearer", _apiKey);
            headers.TryAddWithoutValidation("X-Runway-Version", _options.RunwayVersion);
        }
        if (call.IsCreate)
        {
            headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
            if (call.Options?.Simulate is { } simulate) headers.TryAddWithoutValidation("X-Reelay-Simulate", simulate);
        }
        if (call.Options is { } options)
            foreach (var (name, value) in options.Headers)
            {
                headers.Remove(name);
                headers.TryAddWithoutValidation(name, value);
            }
        return request;
    }

    private Uri ApiUri(string relative) => new(_baseUrl, relative);

    /// <summary>The body is serialized once, so every retry sends the identical bytes the Idempotency-Key was first used with.</summary>
    private static Func<HttpContent> JsonBody<T>(T value)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(value, Json.Options);
        return () => new ByteArrayContent(bytes) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };
    }

    private async Task<T> SendJsonAsync<T>(ApiCall call, CancellationToken cancellationToken)
    {
        var response = await SendAsync(call, cancellationToken).ConfigureAwait(false);
        try
        {
            return JsonSerializer.Deserialize<T>(response.Body, Json.Options)
                ?? throw new JsonException("The body is null.");
        }
        catch (JsonException ex)
        {
            throw new ApiException($"{response.Status} The response of {call.Method} {call.Uri.AbsolutePath} is not the expected JSON: {ex.Message}",
                response.Status, response.RequestId, response.Body, ex);
        }
    }
}
