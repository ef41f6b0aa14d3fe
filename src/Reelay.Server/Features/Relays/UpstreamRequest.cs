using System.Text.Json.Nodes;
using Reelay.Server.Features.Engines;
using Reelay.Server.Features.Tasks;

namespace Reelay.Server.Features.Relays;

/// <summary>
/// Pure decisions about what the upstream is sent: the body rebuilt from the request Reelay validated and stored
/// (each "input:N" at its media input's path replaced by the stored blob as a data URI — never the user's URL, which
/// may have changed or expired), the idempotency key, and the sandbox instruction that travels with it.
/// </summary>
public static class UpstreamRequest
{
    /// <summary>The create body: the stored options, the upstream's model id first, the inputs inlined.</summary>
    public static JsonObject Body(GenerationRequest request, string upstreamModel, IReadOnlyDictionary<int, string> dataUris)
    {
        var body = new JsonObject { ["model"] = upstreamModel };
        foreach (var (name, value) in request.Options) body[name] = value?.DeepClone();
        foreach (var input in request.Media)
            if (!ReplaceAt(body, input.Path.Split('.'), $"input:{input.Index}", dataUris[input.Index]))
                throw new InvalidOperationException($"The stored request has no \"input:{input.Index}\" at '{input.Path}'.");
        return body;
    }

    public static string DataUri(string mediaType, byte[] bytes) => $"data:{mediaType};base64,{Convert.ToBase64String(bytes)}";

    private static bool ReplaceAt(JsonNode node, string[] path, string placeholder, string value)
    {
        JsonNode? parent = node;
        for (var i = 0; i < path.Length - 1 && parent is not null; i++)
            parent = parent is JsonArray array && int.TryParse(path[i], out var n) ? (n < array.Count ? array[n] : null) : parent[path[i]];
        var last = path[^1];
        switch (parent)
        {
            case JsonObject o when o[last]?.ToString() == placeholder:
                o[last] = value;
                return true;
            case JsonArray a when int.TryParse(last, out var index) && index < a.Count && a[index]?.ToString() == placeholder:
                a[index] = value;
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// The same key for every lease of the task: a node that dies between the upstream POST and storing the
    /// upstream's id retries with it, and an upstream that honours Idempotency-Key answers with the task it already
    /// made. "submission" counts deliberate new upstream tasks (a fallback to another engine), never lease attempts.
    /// </summary>
    public static string IdempotencyKey(string taskId, string engine, int submission = 1) => $"reelay-{taskId}-{engine}-{submission}";

    /// <summary>
    /// The task's sandbox instruction for the upstream (X-Reelay-Simulate): fail and delay act where the generation
    /// happens, so they are forwarded; throttle already acted here, in our queue. Null when there is nothing to forward.
    /// </summary>
    public static string? Simulate(Simulation? simulation)
    {
        if (simulation is null) return null;
        var parts = new List<string>();
        if (simulation.FailureCode is { } code) parts.Add($"fail={code}");
        if (simulation.DelaySeconds > 0) parts.Add($"delay={simulation.DelaySeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        return parts.Count == 0 ? null : string.Join(',', parts);
    }
}
