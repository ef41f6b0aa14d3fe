using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Reelay.Server.Features.RunBlob;

namespace Reelay.Server.Features.Relays;

/// <summary>
/// The RunBlob API as an upstream (RunBlob, or another Reelay): every family the RunBlob surface knows — Sora, Veo 3,
/// Kling (main, O1/O3 video, O1/O3 photo), Nano Banana, ChatGPT Images — POST /v1/{family}/generate and GET
/// /v1/{family}/generations/{id}, ids in generation_id or task_uuid, outputs in video_url, image_url or
/// result_image_url. Bodies are <see cref="RunBlobBodies"/>; the create carries the callback_url RunBlob calls when
/// the generation ends, after which the relay polls at once instead of waiting for its next poll. RunBlob has no
/// cancel and no dotted failure codes: a cancel here stops following (the upstream generation runs on and is paid
/// for), and a failure's code is read back from the family's documented texts and codes. The create's "price" (USD)
/// is recorded as the upstream cost in credits (1 credit = 0.01 USD, as Reelay's RunBlob surface prices).
/// </summary>
public sealed class RunBlobUpstream(RelayOptions relay, RelayHealth health, UpstreamResilience resilience, HttpMessageHandler? handler = null)
    : UpstreamHttp(relay, health, resilience, handler), IUpstreamClient
{
    public bool Serves(string endpoint) => RunBlobBodies.Endpoints.Contains(endpoint);

    public bool CanUpload => false;

    public Task<string> UploadAsync(string fileName, string mediaType, string path, CancellationToken cancellationToken) =>
        throw new NotSupportedException("RunBlob has no upload flow: inputs travel inline as base64.");

    /// <summary>The RunBlob body of a stored request (pure, so tests can call it).</summary>
    public static JsonObject Body(string endpoint, JsonObject core, string? callbackUrl) => RunBlobBodies.Body(endpoint, core, callbackUrl);

    public async Task<UpstreamCreated> CreateAsync(UpstreamCreate create, CancellationToken cancellationToken)
    {
        var family = RunBlobBodies.Family(create.Endpoint, create.Body["model"]?.ToString());
        var text = Body(create.Endpoint, create.Body, create.CallbackUrl).ToJsonString();
        using var response = await SendAsync(() =>
        {
            var request = Request(HttpMethod.Post, $"v1/{family.Path}/generate");
            request.Content = new StringContent(text, System.Text.Encoding.UTF8, "application/json");
            // RunBlob documents no Idempotency-Key; a Reelay upstream honours it, and others ignore the header.
            request.Headers.TryAddWithoutValidation("Idempotency-Key", create.IdempotencyKey);
            if (create.Simulate is not null) request.Headers.TryAddWithoutValidation(Engines.Simulation.Header, create.Simulate);
            return request;
        }, cancellationToken, create.FailFast);
        var json = await ReadJsonAsync(response, cancellationToken);
        if (response.IsSuccessStatusCode && json?[family.IdField]?.GetValueKind() == JsonValueKind.String)
            return new UpstreamCreated(json[family.IdField]!.GetValue<string>(), Cost: Credits(json["price"]?.ToString()));
        var paths = json?["detail"] is JsonArray list
            ? list.Select(d => string.Join('.', (d?["loc"] as JsonArray ?? []).Skip(1).Select(p => p?.ToString()))).ToList() : [];
        return new UpstreamCreated(null, (int)response.StatusCode, Message(json, response), paths);
    }

    /// <summary>"0.1200" USD as credits (12); null when it is not a price.</summary>
    public static long? Credits(string? usd) =>
        decimal.TryParse(usd, NumberStyles.Number, CultureInfo.InvariantCulture, out var value) && value >= 0 ? (long)Math.Round(value * 100) : null;

    public async Task<UpstreamTask> GetAsync(string endpoint, string model, string upstreamTaskId, CancellationToken cancellationToken)
    {
        var family = RunBlobBodies.Family(endpoint, model);
        using var response = await SendAsync(() => Request(HttpMethod.Get, RunBlobBodies.StatusPath(family, upstreamTaskId)), cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound) return UpstreamTask.Gone;
        var json = await ReadJsonAsync(response, cancellationToken);
        if (!response.IsSuccessStatusCode || json is null) throw new UpstreamRefusedException((int)response.StatusCode, Message(json, response));
        return ReadTask(json, family.Codes);
    }

    /// <summary>The status object of any family in our words (pure); codes: the family's words for failures (default Veo's).</summary>
    public static UpstreamTask ReadTask(JsonObject json, FailureCodes? codes = null)
    {
        var status = json["status"]?.ToString() switch
        {
            "pending" => "queued",
            "completed" => "succeeded",
            "failed" => "failed",
            _ => "running",
        };
        var progress = json["progress_pct"]?.GetValueKind() == JsonValueKind.Number ? json["progress_pct"]!.GetValue<double>() / 100 : 0;
        var outputs = new[] { "video_url", "image_url", "result_image_url" }
            .Select(f => json[f]?.GetValueKind() == JsonValueKind.String ? json[f]!.GetValue<string>() : null).OfType<string>().Take(1).ToArray();
        // Sora says error_message (a text); Veo error.message; Kling, Nano Banana and ChatGPT message (a code, null unless failed).
        var message = json["error_message"]?.ToString() ?? json["error"]?["message"]?.ToString() ?? (status == "failed" ? json["message"]?.ToString() : null);
        return new UpstreamTask(status, progress, outputs, FailureCode(message, codes ?? FailureCodes.Veo), message, null);
    }

    /// <summary>
    /// RunBlob's documented failure texts and a family's codes back to the codes they stand for (so the charge rule
    /// can follow). Text moderation first: where a family has one code for every kind of moderation (Kling's
    /// CONTENT_POLICY_VIOLATION, Nano Banana's MODERATION_FAILED) it reads as the commonest, and every SAFETY code is charged alike.
    /// </summary>
    public static string? FailureCode(string? message, FailureCodes codes) => message switch
    {
        null => null,
        RunBlobMapping.PhotorealisticPeople => "SAFETY.INPUT.IMAGE",
        RunBlobMapping.PolicyViolation => "SAFETY.INPUT.TEXT",
        _ when message == codes.TextModeration => "SAFETY.INPUT.TEXT",
        _ when message == codes.ImageModeration => "SAFETY.INPUT.IMAGE",
        _ when message == codes.OutputModeration => "SAFETY.OUTPUT.VIDEO",
        _ when message == codes.InvalidInput || message == "IMAGE_INACCESSIBLE" => "ASSET.INVALID",
        _ => "INTERNAL",
    };

    /// <summary>RunBlob cannot cancel a generation: nothing to send.</summary>
    public Task CancelAsync(string upstreamTaskId, CancellationToken cancellationToken) => Task.CompletedTask;
}
