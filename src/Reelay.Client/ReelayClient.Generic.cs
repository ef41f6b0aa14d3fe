using System.Text.Json.Nodes;

namespace Reelay.Client;

public sealed partial class ReelayClient
{
    /// <summary>
    /// Starts a task on any generation endpoint, <c>POST /v1/{endpoint}</c> (e.g. <c>text_to_image</c>,
    /// <c>text_to_speech</c>), with the body as given: for endpoints this SDK has no typed request for. Retries
    /// reuse one Idempotency-Key, as the typed creates do.
    /// </summary>
    /// <param name="endpoint">The endpoint's name, letters, digits and '_' only (<c>video_to_video</c>).</param>
    /// <param name="body">The JSON object the endpoint takes, <c>model</c> included.</param>
    /// <param name="options">Per-request settings (sandbox header, Idempotency-Key, timeout).</param>
    /// <param name="cancellationToken">Stops the call.</param>
    public Task<CreatedTask> CreateTaskAsync(string endpoint, JsonObject body, RequestOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(endpoint);
        ArgumentNullException.ThrowIfNull(body);
        if (!endpoint.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            throw new ArgumentException($"'{endpoint}' is not an endpoint name (such as text_to_image).", nameof(endpoint));
        return SendJsonAsync<CreatedTask>(new ApiCall(HttpMethod.Post, ApiUri("v1/" + endpoint))
            { Content = JsonBody(body), IsCreate = true, Options = options }, cancellationToken);
    }
}
