namespace Reelay.Client;

/// <summary>The base of every exception this SDK throws for a failed call or task.</summary>
public class ReelayException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ReelayException(string message, Exception? innerException = null) : base(message, innerException) { }
}

/// <summary>
/// A call that failed: the server answered an error status, or (for <see cref="ApiConnectionException"/>)
/// never answered. Subclasses tell the status apart, so callers can catch exactly what they handle.
/// </summary>
public class ApiException : ReelayException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The exception message.</param>
    /// <param name="statusCode">The HTTP status, or null when no response arrived.</param>
    /// <param name="requestId">The <c>X-Request-Id</c> of the response, or the one the SDK sent when no response arrived.</param>
    /// <param name="rawBody">The response body as received, or null.</param>
    /// <param name="innerException">The underlying exception, if any.</param>
    public ApiException(string message, int? statusCode, string? requestId, string? rawBody, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
        RequestId = requestId;
        RawBody = rawBody;
    }

    /// <summary>The HTTP status, or null when no response arrived.</summary>
    public int? StatusCode { get; }

    /// <summary>The request id to quote when reporting a problem: the server logs carry it.</summary>
    public string? RequestId { get; }

    /// <summary>The response body as received.</summary>
    public string? RawBody { get; }

    /// <summary>The server's <c>error</c> text, without the status prefix of <see cref="Exception.Message"/>.</summary>
    public string? Error { get; internal set; }

    /// <summary>A link to the server's explanation of this error and its fix, when given.</summary>
    public string? DocUrl { get; internal set; }
}

/// <summary>One problem of a refused request, in the Zod vocabulary of the Runway API.</summary>
public sealed record ApiIssue
{
    /// <summary>The kind of problem: <c>invalid_type</c>, <c>too_small</c>, <c>too_big</c>, <c>invalid_enum_value</c>, <c>unrecognized_keys</c>, <c>custom</c>….</summary>
    public string Code { get; init; } = "";
    /// <summary>Where in the body: property names (<see cref="string"/>) and array indexes (<see cref="int"/>).</summary>
    public IReadOnlyList<object> Path { get; init; } = [];
    /// <summary>What is wrong, in words.</summary>
    public string Message { get; init; } = "";

    /// <summary>The path in the dotted form, e.g. <c>promptImage[0].uri</c>.</summary>
    public string PathText => string.Concat(Path.Select((p, i) => p is int n ? $"[{n}]" : i == 0 ? $"{p}" : $".{p}"));
}

/// <summary>400: the request is invalid (see <see cref="Issues"/>), or cannot be served as is (e.g. not enough credits).</summary>
public sealed class BadRequestException(string message, string? requestId, string? rawBody, IReadOnlyList<ApiIssue> issues)
    : ApiException(message, 400, requestId, rawBody)
{
    /// <summary>Every problem found in the request (empty when the error is not a validation error).</summary>
    public IReadOnlyList<ApiIssue> Issues { get; } = issues;
}

/// <summary>401: the API key is missing, malformed, unknown or disabled, or its organization is suspended.</summary>
public sealed class AuthenticationException(string message, string? requestId, string? rawBody)
    : ApiException(message, 401, requestId, rawBody);

/// <summary>403: not allowed, e.g. an upload form without its token or an expired output URL.</summary>
public sealed class PermissionDeniedException(string message, string? requestId, string? rawBody)
    : ApiException(message, 403, requestId, rawBody);

/// <summary>404: no such task (or one of another organization, or a deleted one), or no such route.</summary>
public sealed class NotFoundException(string message, string? requestId, string? rawBody)
    : ApiException(message, 404, requestId, rawBody);

/// <summary>409: a conflicting request, e.g. the same <c>Idempotency-Key</c> still in flight, or a second file for one upload.</summary>
public sealed class ConflictException(string message, string? requestId, string? rawBody)
    : ApiException(message, 409, requestId, rawBody);

/// <summary>422: the <c>Idempotency-Key</c> was already used with a different request.</summary>
public sealed class UnprocessableEntityException(string message, string? requestId, string? rawBody)
    : ApiException(message, 422, requestId, rawBody);

/// <summary>429: over a limit, such as a model's daily generation cap.</summary>
public sealed class RateLimitException(string message, string? requestId, string? rawBody, TimeSpan? retryAfter)
    : ApiException(message, 429, requestId, rawBody)
{
    /// <summary>How long the server asks to wait before trying again, when it says.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
}

/// <summary>5xx: the server failed. <see cref="ServiceUnavailableException"/> is the 503 case.</summary>
public class InternalServerException(string message, int statusCode, string? requestId, string? rawBody)
    : ApiException(message, statusCode, requestId, rawBody);

/// <summary>503: the server is at capacity (its queue is full) or not ready; try again after <see cref="RetryAfter"/>.</summary>
public sealed class ServiceUnavailableException(string message, string? requestId, string? rawBody, TimeSpan? retryAfter)
    : InternalServerException(message, 503, requestId, rawBody)
{
    /// <summary>How long the server asks to wait before trying again, when it says.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
}

/// <summary>No response: the connection was refused, reset or dropped. <see cref="ApiException.StatusCode"/> is null.</summary>
public class ApiConnectionException(string message, string? requestId, Exception? innerException)
    : ApiException(message, null, requestId, null, innerException);

/// <summary>No response within the per-attempt timeout.</summary>
public sealed class ApiTimeoutException(string message, string? requestId, Exception? innerException)
    : ApiConnectionException(message, requestId, innerException);
