using System.Globalization;
using System.Net.Http.Headers;

namespace Reelay.Client;

/// <summary>
/// Which failures are worth another attempt and how long to wait first. Kept free of I/O so the
/// rules can be tested without sleeping.
/// </summary>
internal static class RetryPolicy
{
    /// <summary>
    /// The Stainless-generated Runway SDKs' rule, which Reelay's errors are designed for: timeouts (408),
    /// conflicts (409, an idempotent create still in flight), rate limits (429) and server errors are
    /// transient; other 4xx are the caller's mistake and would fail the same way again.
    /// <c>x-should-retry</c> lets the server overrule the status in either direction.
    /// </summary>
    public static bool IsRetryable(int status, HttpResponseHeaders headers)
    {
        if (headers.TryGetValues("x-should-retry", out var values))
        {
            var value = values.FirstOrDefault()?.Trim();
            if (string.Equals(value, "true", StringComparison.OrdinalIgnoreCase)) return true;
            if (string.Equals(value, "false", StringComparison.OrdinalIgnoreCase)) return false;
        }
        return status is 408 or 409 or 429 || status >= 500;
    }

    /// <summary>
    /// The wait the server asks for: <c>retry-after-ms</c> (fractional milliseconds, more precise, so first),
    /// then <c>Retry-After</c> as seconds or as an HTTP date. Null when it asks for nothing usable.
    /// </summary>
    public static TimeSpan? ServerDelay(HttpResponseHeaders headers, DateTimeOffset now)
    {
        if (headers.TryGetValues("retry-after-ms", out var ms) &&
            double.TryParse(ms.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var millis) &&
            double.IsFinite(millis) && millis >= 0)
            return TimeSpan.FromMilliseconds(millis);
        if (headers.RetryAfter is { } retryAfter)
        {
            if (retryAfter.Delta is { } delta && delta >= TimeSpan.Zero) return delta;
            if (retryAfter.Date is { } date) return date - now < TimeSpan.Zero ? TimeSpan.Zero : date - now;
        }
        // Fractional seconds ("1.5") are not valid HTTP, so the typed header drops them; accept them anyway.
        if (headers.TryGetValues("Retry-After", out var raw) &&
            double.TryParse(raw.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) &&
            double.IsFinite(seconds) && seconds >= 0)
            return TimeSpan.FromSeconds(seconds);
        return null;
    }

    /// <summary>
    /// The wait before retry number <paramref name="retry"/> (0 for the first), or null not to retry:
    /// the server's requested delay when it gives one within <see cref="ReelayClientOptions.MaxRetryAfter"/>;
    /// none at all when it asks for longer (sleeping through a daily cap helps nobody); otherwise
    /// exponential backoff with jitter, so many clients failing together do not retry in lockstep.
    /// </summary>
    public static TimeSpan? Delay(int retry, TimeSpan? serverDelay, ReelayClientOptions options, double random)
    {
        if (serverDelay is { } requested)
            return requested <= options.MaxRetryAfter ? requested : null;
        var backoff = options.InitialRetryDelay.TotalMilliseconds * Math.Pow(2, Math.Min(retry, 30));
        backoff = Math.Min(backoff, options.MaxRetryDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(backoff * (1 - 0.25 * random));
    }
}
