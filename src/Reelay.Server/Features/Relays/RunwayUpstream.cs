using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Reelay.Server.Features.Relays;

/// <summary>
/// The Runway developer API as an upstream (api.dev.runwayml.com, or another Reelay): POST /v1/{endpoint},
/// GET /v1/tasks/{id}, DELETE /v1/tasks/{id}. Each call goes through the upstream's Polly pipelines
/// (<see cref="UpstreamResilience"/>: deadline, retries, circuit breaker).
/// </summary>
public sealed class RunwayUpstream(RelayOptions relay, RelayHealth health, UpstreamResilience resilience, HttpMessageHandler? handler = null)
    : UpstreamHttp(relay, health, resilience, handler), IUpstreamClient
{
    public const string Version = "2024-11-06";

    /// <summary>The Runway endpoints: their bodies are the catalog's field names as they are.</summary>
    public bool Serves(string endpoint) => endpoint is "image_to_video" or "text_to_video" or "video_to_video";

    public async Task<UpstreamCreated> CreateAsync(UpstreamCreate create, CancellationToken cancellationToken)
    {
        var (endpoint, idempotencyKey, simulate) = (create.Endpoint, create.IdempotencyKey, create.Simulate);
        var text = create.Body.ToJsonString();
        using var response = await SendAsync(() =>
        {
            var request = Request(HttpMethod.Post, $"v1/{endpoint}");
            request.Content = new StringContent(text, System.Text.Encoding.UTF8, "application/json");
            request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
            if (simulate is not null) request.Headers.TryAddWithoutValidation(Engines.Simulation.Header, simulate);
            return request;
        }, cancellationToken, create.FailFast);
        var json = await ReadJsonAsync(response, cancellationToken);
        if (response.IsSuccessStatusCode && json?["id"]?.GetValueKind() == JsonValueKind.String) return new UpstreamCreated(json["id"]!.GetValue<string>());
        return new UpstreamCreated(null, (int)response.StatusCode, Message(json, response),
            (json?["issues"] as JsonArray ?? []).Select(i => string.Join('.', (i?["path"] as JsonArray ?? []).Select(p => p?.ToString()))).ToList());
    }

    public async Task<UpstreamTask> GetAsync(string endpoint, string model, string upstreamTaskId, CancellationToken cancellationToken)
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

    public bool CanUpload => true;

    /// <summary>
    /// Runway's upload flow: POST /v1/uploads (ephemeral) gives a form — uploadUrl and fields — the file is posted to
    /// as multipart/form-data, and the runwayUri names it in the create. The form's URL is signed by its fields, so
    /// the key is not sent there.
    /// </summary>
    public async Task<string> UploadAsync(string fileName, string mediaType, string path, CancellationToken cancellationToken)
    {
        var ask = new JsonObject { ["filename"] = fileName, ["type"] = "ephemeral" }.ToJsonString();
        using var created = await SendAsync(() =>
        {
            var request = Request(HttpMethod.Post, "v1/uploads");
            request.Content = new StringContent(ask, System.Text.Encoding.UTF8, "application/json");
            return request;
        }, cancellationToken);
        var form = await ReadJsonAsync(created, cancellationToken);
        if (!created.IsSuccessStatusCode || form?["uploadUrl"]?.ToString() is not { } uploadUrl || form["runwayUri"]?.ToString() is not { } uri)
            throw new UpstreamRefusedException((int)created.StatusCode, "The upstream refused an upload: " + Message(form, created));
        using var posted = await SendAsync(() =>
        {
            var content = new MultipartFormDataContent();
            foreach (var (name, value) in form["fields"] as JsonObject ?? []) content.Add(new StringContent(value?.ToString() ?? ""), name);
            var file = new StreamContent(File.OpenRead(path));
            file.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(mediaType);
            content.Add(file, "file", fileName);
            return new HttpRequestMessage(HttpMethod.Post, uploadUrl) { Content = content };
        }, cancellationToken);
        if (!posted.IsSuccessStatusCode)
            throw new UpstreamRefusedException((int)posted.StatusCode, "The upstream refused an uploaded file: " + Message(await ReadJsonAsync(posted, cancellationToken), posted));
        return uri;
    }

    protected override void Authorize(HttpRequestMessage request)
    {
        base.Authorize(request);
        request.Headers.TryAddWithoutValidation("X-Runway-Version", Version);
    }
}

/// <summary>The upstream answered a follow-up call with a lasting refusal (401, 403, 400): retrying will not help.</summary>
public sealed class UpstreamRefusedException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}
