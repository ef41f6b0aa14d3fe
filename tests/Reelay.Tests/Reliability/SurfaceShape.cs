using System.Text.Json;

namespace Reelay.Tests.Reliability;

/// <summary>Is an answer one the surface's clients can read? Null when it is; otherwise what is wrong with it.</summary>
public static class SurfaceShape
{
    /// <summary>
    /// Kestrel refuses some requests before any application code runs (a request line or headers it cannot parse, a
    /// header block over its limit): those answers carry no body and no X-Request-Id, and no surface can be known.
    /// </summary>
    private static readonly int[] ProtocolRefusals = [400, 405, 411, 413, 414, 431, 505];

    public static string? Problem(CorpusCase c, RawExchange.Answer answer)
    {
        if (answer.Status >= 500) return $"answered {answer.Status}";
        if (c.MustReject && answer.Status is >= 200 and < 300) return $"accepted a bad input with {answer.Status}";
        if (answer.Status < 400 || c.IsHead) return null;
        var requestId = answer.Header("X-Request-Id");
        if (requestId == "")
            return ProtocolRefusals.Contains(answer.Status) && answer.Body.Length == 0 ? null : $"{answer.Status} without X-Request-Id";
        var type = answer.Header("Content-Type");
        if (c.Surface == Surface.Portal)
            return type.StartsWith("text/html", StringComparison.Ordinal) && answer.Body.Length > 0 ? null : $"{answer.Status} portal answer is not an HTML page ({type})";
        if (c.Surface == Surface.Other && type.StartsWith("text/html", StringComparison.Ordinal) && answer.Body.Length > 0) return null;
        JsonElement body;
        try
        {
            body = JsonDocument.Parse(answer.Body).RootElement;
        }
        catch (JsonException)
        {
            return $"{answer.Status} body is not JSON ({type}): {Excerpt(answer)}";
        }
        if (body.ValueKind != JsonValueKind.Object) return $"{answer.Status} body is not a JSON object: {Excerpt(answer)}";
        return c.Surface switch
        {
            Surface.RunBlob => body.TryGetProperty("detail", out var d) && d.ValueKind is JsonValueKind.String or JsonValueKind.Array ? null : $"{answer.Status} RunBlob answer without 'detail': {Excerpt(answer)}",
            Surface.Runway => Runway(body) ? null : $"{answer.Status} Runway answer without 'error' (and 'issues' an array): {Excerpt(answer)}",
            Surface.Other => body.TryGetProperty("error", out _) || body.TryGetProperty("detail", out _) ? null : $"{answer.Status} answer without 'error' or 'detail': {Excerpt(answer)}",
            _ => body.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? null : $"{answer.Status} {c.Surface} answer without 'error': {Excerpt(answer)}",
        };
    }

    private static bool Runway(JsonElement body) =>
        body.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String && e.GetString()!.Length > 0
        && (!body.TryGetProperty("issues", out var issues) || issues.ValueKind == JsonValueKind.Array);

    public static string Excerpt(RawExchange.Answer answer)
    {
        var text = answer.Text;
        return text.Length > 300 ? text[..300] + "…" : text;
    }
}
