namespace Reelay.Server.Features.Relays;

/// <summary>
/// What this node has seen of one upstream: calls that worked and failed attempts (each retried 429/5xx/connection
/// error counts) in a sliding minute, the last failure's kind (never its text: it could echo a request) and the
/// tasks in flight. Only for GET /admin/v1/relays; no decision reads it.
/// </summary>
public sealed class RelayHealth
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly Queue<(DateTime At, bool Ok)> _recent = new();
    private int _inFlight;

    public string? LastError { get; private set; }
    public DateTime? LastErrorAt { get; private set; }
    public DateTime? LastSuccessAt { get; private set; }
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>How often the breaker opened on this node, and when it last opened and closed (for the admin view).</summary>
    public int BreakerOpenings => Volatile.Read(ref _openings);
    public DateTime? BreakerOpenedAt { get; private set; }
    public DateTime? BreakerClosedAt { get; private set; }
    private int _openings;

    public void BreakerOpened()
    {
        Interlocked.Increment(ref _openings);
        BreakerOpenedAt = DateTime.UtcNow;
    }

    public void BreakerClosed() => BreakerClosedAt = DateTime.UtcNow;

    public void Started() => Interlocked.Increment(ref _inFlight);
    public void Ended() => Interlocked.Decrement(ref _inFlight);

    public void Succeeded() => Record(true, null);

    public void Failed(string kind) => Record(false, kind);

    private void Record(bool ok, string? kind)
    {
        lock (_recent)
        {
            var now = DateTime.UtcNow;
            _recent.Enqueue((now, ok));
            Trim(now);
            if (ok) LastSuccessAt = now;
            else (LastError, LastErrorAt) = (kind, now);
        }
    }

    /// <summary>Calls and the share that failed over the last minute.</summary>
    public (int Calls, double ErrorRate) LastMinute()
    {
        lock (_recent)
        {
            Trim(DateTime.UtcNow);
            var calls = _recent.Count;
            return (calls, calls == 0 ? 0 : Math.Round(_recent.Count(r => !r.Ok) / (double)calls, 4));
        }
    }

    /// <summary>"healthy", "degraded" (some failures this minute) or "failing" (the last call failed and nothing worked since).</summary>
    public string State()
    {
        var (calls, rate) = LastMinute();
        if (calls == 0) return LastErrorAt is not null && (LastSuccessAt is null || LastErrorAt > LastSuccessAt) ? "failing" : "healthy";
        if (LastErrorAt > LastSuccessAt || (LastSuccessAt is null && LastErrorAt is not null)) return "failing";
        return rate > 0 ? "degraded" : "healthy";
    }

    private void Trim(DateTime now)
    {
        while (_recent.Count > 0 && now - _recent.Peek().At > Window) _recent.Dequeue();
    }
}
