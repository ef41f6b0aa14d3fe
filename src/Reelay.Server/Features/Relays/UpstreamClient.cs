using System.Text.Json.Nodes;

namespace Reelay.Server.Features.Relays;

/// <summary>An upstream task as we follow it, in our words: a core state, progress 0..1, output URLs, failure and cost.</summary>
public sealed record UpstreamTask(string Status, double Progress, IReadOnlyList<string> Outputs, string? FailureCode, string? Failure, long? Cost)
{
    /// <summary>The upstream no longer knows the task (deleted there, or expired).</summary>
    public static readonly UpstreamTask Gone = new("gone", 0, [], null, null, null);
}

/// <summary>How a create call ended: the upstream's task id (and its price, when the create says it), or a refusal that no retry will change (a 4xx).</summary>
public sealed record UpstreamCreated(string? TaskId, int Status = 200, string? Error = null, IReadOnlyList<string>? IssuePaths = null, long? Cost = null);

/// <summary>
/// One create: the catalog endpoint, the body in catalog field names (inputs inlined or uploaded), the key that makes
/// a repeat find the same upstream task, the sandbox instruction, whether to give up at once when the breaker is open
/// (another engine is left), and where the upstream may call back (null: poll only).
/// </summary>
public sealed record UpstreamCreate(string Endpoint, JsonObject Body, string IdempotencyKey, string? Simulate, bool FailFast, string? CallbackUrl);

/// <summary>
/// One upstream dialect's calls. Transient trouble (429, 5xx, connection errors, timeouts) is retried inside each
/// call until the relay's deadline; past it the call throws <see cref="UpstreamUnavailableException"/>.
/// </summary>
public interface IUpstreamClient
{
    Task<UpstreamCreated> CreateAsync(UpstreamCreate create, CancellationToken cancellationToken);
    /// <summary>Whether the dialect can relay a catalog endpoint (checked at start-up for every model it serves).</summary>
    bool Serves(string endpoint);
    /// <summary>The upstream task of one of our catalog endpoints and the upstream's model (a dialect may keep them under different paths).</summary>
    Task<UpstreamTask> GetAsync(string endpoint, string model, string upstreamTaskId, CancellationToken cancellationToken);
    Task CancelAsync(string upstreamTaskId, CancellationToken cancellationToken);
    /// <summary>Whether the dialect has an upload flow for large inputs.</summary>
    bool CanUpload { get; }
    /// <summary>Uploads one input file; returns the URI a create names it by.</summary>
    Task<string> UploadAsync(string fileName, string mediaType, string path, CancellationToken cancellationToken);
    /// <summary>Streams one output to a local file.</summary>
    Task DownloadAsync(string url, string path, CancellationToken cancellationToken);
}

/// <summary>The upstream stayed unreachable (or kept answering 429/5xx) past the relay's deadline.</summary>
public sealed class UpstreamUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
