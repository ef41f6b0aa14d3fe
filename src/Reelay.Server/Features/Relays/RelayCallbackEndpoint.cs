using System.Text.Json;
using Reelay.Server.Features.Outputs;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Relays;

/// <summary>
/// The callback_url a relay registers on an upstream that calls back (RunBlob):
/// {CallbackBaseUrl or Server:PublicBaseUrl}/relays/v1/callbacks/{relay}?task=..&amp;expires=..&amp;signature=.., signed
/// for that relay and task. A callback is only a hint: it wakes the task's poll, and the poll asks the upstream what
/// is true — so a forged or repeated callback can do no more than cause one more poll.
/// </summary>
public sealed class RelayCallbackUrls(ReelayOptions options, OutputSigner signer)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(7);

    public static string Resource(string relay, string taskId) => $"relay-callback/{relay}/{taskId}";

    /// <summary>Null when no base URL is configured: the relay polls only.</summary>
    public string? For(RelayOptions relay, string taskId)
    {
        if ((relay.CallbackBaseUrl ?? options.PublicBaseUrl) is not { } root) return null;
        var expires = DateTimeOffset.UtcNow.Add(Lifetime).ToUnixTimeSeconds();
        return $"{root}/relays/v1/callbacks/{Uri.EscapeDataString(relay.Name)}?task={Uri.EscapeDataString(taskId)}&expires={expires}&signature={signer.Sign(Resource(relay.Name, taskId), expires)}";
    }

    public bool Valid(string relay, string? taskId, string? expires, string? signature) =>
        taskId is not null && signer.Check(Resource(relay, taskId), expires, signature, DateTimeOffset.UtcNow.ToUnixTimeSeconds()) == OutputUrlCheck.Valid;
}

public static class RelayCallbackEndpoint
{
    private const int MaxBody = 64 * 1024;

    public static void MapRelayCallbacks(this IEndpointRouteBuilder app) =>
        app.MapPost("/relays/v1/callbacks/{relay}", async (string relay, HttpContext http, RelayCallbackUrls urls, RelayRegistry registry, RelayCallbacks callbacks, Db db) =>
        {
            var query = http.Request.Query;
            if (registry.Find("relay:" + relay) is null || !urls.Valid(relay, query["task"], query["expires"], query["signature"]))
                return Results.Json(new { detail = "Unknown or expired callback URL." }, statusCode: 404);
            var upstream = await RelayStore.FindAsync(db, query["task"]!);
            string? generation = null;
            try
            {
                var bytes = await ReadAtMostAsync(http.Request.Body, MaxBody, http.RequestAborted);
                if (bytes is null) return Results.Json(new { detail = $"The callback body is larger than {MaxBody} bytes." }, statusCode: 413);
                using var body = JsonDocument.Parse(bytes);
                if (body.RootElement.ValueKind == JsonValueKind.Object && body.RootElement.TryGetProperty("generation_id", out var id) && id.ValueKind == JsonValueKind.String)
                    generation = id.GetString();
            }
            catch (Exception ex) when (ex is JsonException or IOException)
            {
                return Results.Json(new { detail = "The callback body must be the upstream's JSON status object." }, statusCode: 400);
            }
            // Only the upstream task this task follows: another id in a validly signed URL is ignored.
            if (upstream?.TaskId is { } followed && followed == generation && upstream.Engine == "relay:" + relay) callbacks.Notify(upstream.Engine, followed);
            return Results.Json(new { received = true });
        }).ExcludeFromDescription().DisableAntiforgery();

    /// <summary>The body, or null when it is longer than <paramref name="limit"/> (memory stays bounded).</summary>
    private static async Task<byte[]?> ReadAtMostAsync(Stream body, int limit, CancellationToken cancellationToken)
    {
        var buffer = new byte[limit + 1];
        var read = 0;
        int n;
        while (read < buffer.Length && (n = await body.ReadAsync(buffer.AsMemory(read), cancellationToken)) > 0) read += n;
        return read > limit ? null : buffer[..read];
    }
}
