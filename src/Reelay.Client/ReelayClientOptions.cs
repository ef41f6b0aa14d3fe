namespace Reelay.Client;

/// <summary>Settings of a <see cref="ReelayClient"/>. Unset key and base URL come from the environment.</summary>
public sealed class ReelayClientOptions
{
    /// <summary>The API key (<c>key_</c> + 128 lowercase hex digits); default <c>REELAY_API_SECRET</c>.</summary>
    public string? ApiKey { get; set; }

    /// <summary>The server, e.g. <c>http://127.0.0.1:8080</c>; default <c>REELAY_BASE_URL</c>, then <see cref="DefaultBaseUrl"/>.</summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>Retries after the first attempt for retryable failures (408, 409, 429, 5xx, connection errors). 0 disables retries.</summary>
    public int MaxRetries { get; set; } = 2;

    /// <summary>Time allowed for one attempt (not the whole call with its retries).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Time allowed for one attempt of posting an upload's file (files are up to 200 MB).</summary>
    public TimeSpan UploadTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The first backoff delay; each retry doubles it, up to <see cref="MaxRetryDelay"/>, minus up to 25 % jitter.</summary>
    public TimeSpan InitialRetryDelay { get; set; } = TimeSpan.FromSeconds(0.5);

    /// <summary>The longest backoff delay the SDK picks by itself.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(8);

    /// <summary>
    /// The longest server-requested wait (<c>Retry-After</c>, <c>retry-after-ms</c>) the SDK sleeps through.
    /// A longer request (a daily cap answers hours) is not retried: the exception surfaces at once with its <c>RetryAfter</c>.
    /// </summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The first wait between polls of <see cref="ReelayClient.WaitForTaskOutputAsync"/>; later waits grow.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between polls (the Runway SDKs poll about every 6 s).</summary>
    public TimeSpan MaxPollInterval { get; set; } = TimeSpan.FromSeconds(6);

    /// <summary>The <c>X-Runway-Version</c> sent on every API call.</summary>
    public string RunwayVersion { get; set; } = DefaultRunwayVersion;

    /// <summary>The API version this SDK is written against.</summary>
    public const string DefaultRunwayVersion = "2024-11-06";

    /// <summary>The base URL when neither the options nor <c>REELAY_BASE_URL</c> give one: where <c>./serve.sh</c> listens.</summary>
    public static readonly Uri DefaultBaseUrl = new("http://127.0.0.1:8080");

    internal ReelayClientOptions Clone() => (ReelayClientOptions)MemberwiseClone();
}

/// <summary>Per-call settings; each unset value falls back to the client's.</summary>
public sealed class RequestOptions
{
    /// <summary>
    /// The <c>Idempotency-Key</c> of a create. Unset, the SDK generates one per call, so its own retries
    /// never create a second task; set it to make your own retries (e.g. after a restart) safe too.
    /// </summary>
    public string? IdempotencyKey { get; set; }

    /// <summary>
    /// The sandbox header <c>X-Reelay-Simulate</c> on a create, e.g. <c>"fail=SAFETY.INPUT.TEXT"</c>,
    /// <c>"delay=5"</c> or <c>"throttle=10"</c>; options combine with commas.
    /// </summary>
    public string? Simulate { get; set; }

    /// <summary>Overrides <see cref="ReelayClientOptions.MaxRetries"/> for this call.</summary>
    public int? MaxRetries { get; set; }

    /// <summary>Overrides the per-attempt timeout for this call.</summary>
    public TimeSpan? Timeout { get; set; }

    /// <summary>Extra request headers for this call.</summary>
    public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
}
