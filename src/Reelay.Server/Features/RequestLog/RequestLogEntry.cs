namespace Reelay.Server.Features.RequestLog;

/// <summary>
/// What the middleware captured about one request. The raw body is redacted by the writer, off the
/// request's path; it is null when the body was empty, too large or had no room in the queue.
/// </summary>
public sealed class RequestLogEntry
{
    public long At { get; init; }
    public string? OrgId { get; set; }
    public string? KeyId { get; set; }
    public string? KeyPrefix { get; set; }
    public string Method { get; init; } = "";
    public string Path { get; init; } = "";
    public string? Query { get; init; }
    public string Endpoint { get; init; } = "";
    public int Status { get; init; }
    public double LatencyMs { get; init; }
    public string RequestId { get; init; } = "";
    public string? RequestType { get; init; }
    public long RequestBytes { get; init; }
    public byte[]? RawRequestBody { get; set; }
    /// <summary>Why RawRequestBody is missing although the request had a body (too large, not read, queue full).</summary>
    public string? BodyNote { get; set; }
    public string? ResponseBody { get; init; }
    /// <summary>The task the request is about, when its route names one.</summary>
    public string? TaskId { get; set; }
    /// <summary>A successful POST's small answer, where the writer looks for the created task's id.</summary>
    public byte[]? CreateResponse { get; init; }
    /// <summary>SHA-256 of the key of a request no endpoint authenticated (404/405), so its organization still sees it.</summary>
    public byte[]? UnresolvedKeyHash { get; init; }
}
