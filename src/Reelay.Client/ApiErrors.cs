using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Reelay.Client;

/// <summary>Turns an error response into the exception for its status.</summary>
internal static class ApiErrors
{
    public static ApiException FromResponse(int status, string body, HttpResponseHeaders headers, string? requestId)
    {
        var (error, docUrl, issues) = Parse(body);
        var text = error ?? (body.Length is > 0 and <= 500 ? body : $"The request failed with status {status}.");
        var message = $"{status} {text}";
        // Validation errors list every problem; putting them in Message makes a log line enough to fix the request.
        if (issues.Count > 0) message += ": " + string.Join("; ", issues.Select(i => i.Path.Count == 0 ? i.Message : $"{i.PathText}: {i.Message}"));
        var retryAfter = RetryPolicy.ServerDelay(headers, DateTimeOffset.UtcNow);
        ApiException exception = status switch
        {
            400 => new BadRequestException(message, requestId, body, issues),
            401 => new AuthenticationException(message, requestId, body),
            403 => new PermissionDeniedException(message, requestId, body),
            404 => new NotFoundException(message, requestId, body),
            409 => new ConflictException(message, requestId, body),
            422 => new UnprocessableEntityException(message, requestId, body),
            429 => new RateLimitException(message, requestId, body, retryAfter),
            503 => new ServiceUnavailableException(message, requestId, body, retryAfter),
            >= 500 => new InternalServerException(message, status, requestId, body),
            _ => new ApiException(message, status, requestId, body),
        };
        exception.Error = text;
        exception.DocUrl = docUrl;
        return exception;
    }

    /// <summary>
    /// Reads <c>{"error", "docUrl"?, "issues"?}</c> leniently: an error body from a proxy in front of the
    /// server may be HTML or empty, and must still produce the right exception rather than a parse failure.
    /// </summary>
    internal static (string? Error, string? DocUrl, IReadOnlyList<ApiIssue> Issues) Parse(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return (null, null, []);
            // RunBlob-style routes say "detail"; accept it so the message is never lost.
            var error = Text(root, "error") ?? Text(root, "detail");
            var issues = new List<ApiIssue>();
            if (root.TryGetProperty("issues", out var list) && list.ValueKind == JsonValueKind.Array)
                foreach (var item in list.EnumerateArray())
                    if (item.ValueKind == JsonValueKind.Object)
                        issues.Add(new ApiIssue { Code = Text(item, "code") ?? "", Path = PathOf(item), Message = Text(item, "message") ?? "" });
            return (error, Text(root, "docUrl"), issues);
        }
        catch (JsonException)
        {
            return (null, null, []);
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static List<object> PathOf(JsonElement issue) =>
        issue.TryGetProperty("path", out var path) && path.ValueKind == JsonValueKind.Array
            ? path.EnumerateArray().Select(p => p.ValueKind == JsonValueKind.Number && p.TryGetInt32(out var n) ? (object)n : p.ToString()).ToList()
            : [];
}

/// <summary>The SDK's one set of JSON settings: camelCase, and unset optional fields left out because every schema is closed.</summary>
internal static class Json
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
