using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Reelay.Server.Features.RunBlob;

namespace Reelay.Server.Features.Relays;

/// <summary>
/// The RunBlob API as an upstream (RunBlob, or another Reelay): Sora (POST /v1/sora/generate, GET
/// /v1/sora/generations/{id}/) and Veo 3 (/v1/veo/…). The stored request (catalog field names) is put back into
/// RunBlob's words — Sora: prompt, orientation, duration, image_base64; Veo: prompt, model, aspect_ratio, seed,
/// bytes_image, start_frame, end_frame, reference_images (bare base64 of the stored inputs) — with the callback_url
/// RunBlob calls when the generation ends, after which the relay polls at once instead of waiting for its next poll. RunBlob has no cancel
/// and no failure codes: a cancel here stops following (the upstream generation runs on and is paid for), and a
/// failure's code is read back from RunBlob's documented texts. The create's "price" (USD) is recorded as the
/// upstream cost in credits (1 credit = 0.01 USD, as Reelay's RunBlob surface prices).
/// </summary>
public sealed class RunBlobUpstream(RelayOptions relay, RelayHealth health, UpstreamResilience resilience, HttpMessageHandler? handler = null)
    : UpstreamHttp(relay, health, resilience, handler), IUpstreamClient
{
    /// <summary>The catalog endpoints this dialect relays, and the family path of each.</summary>
    private static readonly Dictionary<string, string> Families = new(StringComparer.Ordinal) { ["sora_generate"] = "sora", ["runblob_veo3"] = "veo" };

    public bool Serves(string endpoint) => Families.ContainsKey(endpoint);

    public bool CanUpload => false;

    public Task<string> UploadAsync(string fileName, string mediaType, string path, CancellationToken cancellationToken) =>
        throw new NotSupportedException("RunBlob has no upload flow: inputs travel as image_base64.");

    /// <summary>The RunBlob body of a stored request (pure, so tests can call it).</summary>
    public static JsonObject Body(string endpoint, JsonObject core, string? callbackUrl)
    {
        var body = endpoint == "runblob_veo3" ? VeoBody(core) : SoraBody(core);
        if (callbackUrl is not null) body["callback_url"] = callbackUrl;
        return body;
    }

    private static JsonObject VeoBody(JsonObject core)
    {
        var body = new JsonObject
        {
            ["prompt"] = core["promptText"]?.DeepClone(),
            ["model"] = core["model"]?.DeepClone(),
            ["aspect_ratio"] = core["ratio"]?.ToString() == "720:1280" ? "9:16" : "16:9",
        };
        foreach (var (ours, theirs) in new[] { ("seed", "seed"), ("watermarkText", "watermark_text"), ("filterText", "filter_text") })
            if (core[ours] is { } value) body[theirs] = value.DeepClone();
        foreach (var (ours, theirs) in new[] { ("imageBase64", "bytes_image"), ("startFrame", "start_frame"), ("endFrame", "end_frame") })
            if (core[ours]?.ToString() is { } image) body[theirs] = Bare(image);
        if (core["referenceImages"] is JsonArray references)
            body["reference_images"] = new JsonArray(references.Select(r => (JsonNode?)JsonValue.Create(Bare(r?.ToString() ?? ""))).ToArray());
        return body;
    }

    private static JsonObject SoraBody(JsonObject core)
    {
        var body = new JsonObject
        {
            ["prompt"] = core["promptText"]?.DeepClone(),
            ["orientation"] = core["ratio"]?.ToString() == "1280:720" ? "16:9" : "9:16",
        };
        if (core["duration"] is { } duration) body["duration"] = duration.DeepClone();
        // Either image field of ours holds the stored input inlined as a data URI; RunBlob takes bare base64.
        if ((core["imageBase64"] ?? core["imageUrl"])?.ToString() is { } image) body["image_base64"] = Bare(image);
        return body;
    }

    private static string Bare(string image) => image.StartsWith("data:", StringComparison.Ordinal) ? image[(image.IndexOf(',') + 1)..] : image;

    public async Task<UpstreamCreated> CreateAsync(UpstreamCreate create, CancellationToken cancellationToken)
    {
        var text = Body(create.Endpoint, create.Body, create.CallbackUrl).ToJsonString();
        using var response = await SendAsync(() =>
        {
            var request = Request(HttpMethod.Post, $"v1/{Families[create.Endpoint]}/generate");
            request.Content = new StringContent(text, System.Text.Encoding.UTF8, "application/json");
            // RunBlob documents no Idempotency-Key; a Reelay upstream honours it, and others ignore the header.
            request.Headers.TryAddWithoutValidation("Idempotency-Key", create.IdempotencyKey);
            if (create.Simulate is not null) request.Headers.TryAddWithoutValidation(Engines.Simulation.Header, create.Simulate);
            return request;
        }, cancellationToken, create.FailFast);
        var json = await ReadJsonAsync(response, cancellationToken);
        if (response.IsSuccessStatusCode && json?["generation_id"]?.GetValueKind() == JsonValueKind.String)
            return new UpstreamCreated(json["generation_id"]!.GetValue<string>(), Cost: Credits(json["price"]?.ToString()));
        var paths = json?["detail"] is JsonArray list
            ? list.Select(d => string.Join('.', (d?["loc"] as JsonArray ?? []).Skip(1).Select(p => p?.ToString()))).ToList() : [];
        return new UpstreamCreated(null, (int)response.StatusCode, Message(json, response), paths);
    }

    /// <summary>"0.1200" USD as credits (12); null when it is not a price.</summary>
    public static long? Credits(string? usd) =>
        decimal.TryParse(usd, NumberStyles.Number, CultureInfo.InvariantCulture, out var value) && value >= 0 ? (long)Math.Round(value * 100) : null;

    public async Task<UpstreamTask> GetAsync(string endpoint, string upstreamTaskId, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(() => Request(HttpMethod.Get, $"v1/{Families[endpoint]}/generations/{Uri.EscapeDataString(upstreamTaskId)}/"), cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound) return UpstreamTask.Gone;
        var json = await ReadJsonAsync(response, cancellationToken);
        if (!response.IsSuccessStatusCode || json is null) throw new UpstreamRefusedException((int)response.StatusCode, Message(json, response));
        return ReadTask(json);
    }

    /// <summary>The RunBlob status object in our words (pure).</summary>
    public static UpstreamTask ReadTask(JsonObject json)
    {
        var status = json["status"]?.ToString() switch
        {
            "pending" => "queued",
            "completed" => "succeeded",
            "failed" => "failed",
            _ => "running",
        };
        var progress = json["progress_pct"]?.GetValueKind() == JsonValueKind.Number ? json["progress_pct"]!.GetValue<double>() / 100 : 0;
        var outputs = json["video_url"]?.GetValueKind() == JsonValueKind.String ? new[] { json["video_url"]!.GetValue<string>() } : [];
        // Sora says error_message (a text); Veo says error.message (a code).
        var message = json["error_message"]?.ToString() ?? json["error"]?["message"]?.ToString();
        return new UpstreamTask(status, progress, outputs, FailureCode(message), message, null);
    }

    /// <summary>RunBlob's documented failure texts and Veo's codes back to the codes they stand for (so the charge rule can follow).</summary>
    public static string? FailureCode(string? message) => message switch
    {
        null => null,
        RunBlobMapping.PhotorealisticPeople => "SAFETY.INPUT.IMAGE",
        RunBlobMapping.PolicyViolation => "SAFETY.INPUT.TEXT",
        _ when message == FailureCodes.Veo.ImageModeration => "SAFETY.INPUT.IMAGE",
        _ when message == FailureCodes.Veo.TextModeration => "SAFETY.INPUT.TEXT",
        _ when message == FailureCodes.Veo.OutputModeration => "SAFETY.OUTPUT.VIDEO",
        _ when message == FailureCodes.Veo.InvalidInput => "ASSET.INVALID",
        _ => "INTERNAL",
    };

    /// <summary>RunBlob cannot cancel a generation: nothing to send.</summary>
    public Task CancelAsync(string upstreamTaskId, CancellationToken cancellationToken) => Task.CompletedTask;
}
