using System.Net;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Reelay.Server.Features.Relays;

/// <summary>
/// The Polly pipelines of one upstream, shared by every call its dialect client makes. Calls: a deadline (the relay's
/// Timeout) around retries with exponential backoff and jitter around the upstream's circuit breaker around a
/// per-attempt timeout. The breaker counts connection errors, attempt timeouts and 5xx (not 429: a rate limit is the
/// account's concurrency, not an upstream that is down); once open it refuses calls at once for BreakSeconds, then
/// lets one through (half-open) and closes on its success. A call made with <see cref="FailFast"/> gives up as soon
/// as the breaker refuses it (the runner has another engine to fall back to); others keep retrying to the deadline.
/// </summary>
public sealed class UpstreamResilience
{
    public static readonly ResiliencePropertyKey<bool> FailFast = new("reelay.relay.fail-fast");
    private static readonly TimeSpan MaxAttemptTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan DownloadAttemptTimeout = TimeSpan.FromMinutes(5);
    private readonly CircuitBreakerStateProvider _breaker = new();
    private long _openUntilTicks;

    public UpstreamResilience(RelayOptions relay, RelayHealth health)
    {
        Calls = new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddTimeout(relay.Timeout)
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is BrokenCircuitException
                    ? !args.Context.Properties.GetValue(FailFast, false)
                    : args.Outcome.Exception is HttpRequestException or TimeoutRejectedException
                      || (args.Outcome.Result is { } r && IsTransient(r.StatusCode))),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(200),
                MaxDelay = TimeSpan.FromSeconds(5),
                OnRetry = args =>
                {
                    Telemetry.ReelayMetrics.RelayCall(relay.Name, "retried");
                    health.Failed(args.Outcome.Exception switch
                    {
                        BrokenCircuitException => "breaker open",
                        { } e => e.GetType().Name,
                        null => $"HTTP {(int)args.Outcome.Result!.StatusCode}",
                    });
                    args.Outcome.Result?.Dispose();
                    return default;
                },
            })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is HttpRequestException or TimeoutRejectedException
                    || (args.Outcome.Result is { } r && IsDown(r.StatusCode))),
                FailureRatio = relay.Breaker.FailureRatio,
                MinimumThroughput = relay.Breaker.MinimumThroughput,
                SamplingDuration = relay.Breaker.Sampling,
                BreakDuration = relay.Breaker.Break,
                StateProvider = _breaker,
                OnOpened = args =>
                {
                    Interlocked.Exchange(ref _openUntilTicks, (DateTime.UtcNow + args.BreakDuration).Ticks);
                    health.BreakerOpened();
                    return default;
                },
                OnClosed = _ =>
                {
                    Interlocked.Exchange(ref _openUntilTicks, 0);
                    health.BreakerClosed();
                    return default;
                },
            })
            .AddTimeout(AttemptTimeout(relay.Timeout))
            .Build();
        Downloads = new ResiliencePipelineBuilder()
            .AddTimeout(relay.Timeout)
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<HttpRequestException>().Handle<IOException>().Handle<TimeoutRejectedException>(),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(200),
                MaxDelay = TimeSpan.FromSeconds(5),
                OnRetry = args =>
                {
                    health.Failed("download: " + args.Outcome.Exception?.GetType().Name);
                    return default;
                },
            })
            .AddTimeout(DownloadAttemptTimeout)
            .Build();
    }

    /// <summary>API calls (create, get, cancel, upload): retried, deadline-bound, behind the breaker.</summary>
    public ResiliencePipeline<HttpResponseMessage> Calls { get; }

    /// <summary>Output downloads: retried alone, to the deadline; not behind the breaker (outputs may live on another host).</summary>
    public ResiliencePipeline Downloads { get; }

    /// <summary>"closed", "open", "half-open" (Polly's own state of the breaker).</summary>
    public string BreakerState => _breaker.CircuitState switch
    {
        CircuitState.Open => "open",
        CircuitState.HalfOpen => "half-open",
        CircuitState.Isolated => "isolated",
        _ => "closed",
    };

    /// <summary>
    /// True while the breaker is open and its break has not run out: new tasks go to the model's next engine. Once the
    /// break is over the upstream gets tasks again, and the first call is the breaker's half-open probe.
    /// </summary>
    public bool Skipped => _breaker.CircuitState == CircuitState.Open && DateTime.UtcNow.Ticks < Interlocked.Read(ref _openUntilTicks);

    /// <summary>
    /// One attempt's limit: 30 s, or half the relay's Timeout when that is shorter (pure). An answer slower than the
    /// whole deadline must not end the task: the attempt is abandoned and asked again — a create with the same
    /// Idempotency-Key, so the upstream answers with the task the abandoned attempt made.
    /// </summary>
    public static TimeSpan AttemptTimeout(TimeSpan deadline) => TimeSpan.FromTicks(Math.Min(MaxAttemptTimeout.Ticks, deadline.Ticks / 2));

    /// <summary>What is worth asking again: rate limits, the upstream's own trouble, and an idempotent create still in flight.</summary>
    public static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.TooManyRequests or HttpStatusCode.Conflict or HttpStatusCode.RequestTimeout || (int)status >= 500;

    /// <summary>What the breaker counts against an upstream: it is failing, not merely busy.</summary>
    public static bool IsDown(HttpStatusCode status) => status is HttpStatusCode.RequestTimeout || (int)status >= 500;

    /// <summary>Runs one call with the fail-fast choice carried to the retry's decision.</summary>
    public async Task<HttpResponseMessage> SendAsync(Func<CancellationToken, Task<HttpResponseMessage>> call, bool failFast, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(FailFast, failFast);
        try
        {
            return await Calls.ExecuteAsync(static async (ctx, send) => await send(ctx.CancellationToken), context, call);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }
}
