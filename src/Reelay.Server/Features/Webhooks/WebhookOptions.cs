using System.Globalization;

namespace Reelay.Server.Features.Webhooks;

/// <summary>Webhook delivery settings (Webhooks:*), read once at start-up.</summary>
public sealed record WebhookOptions
{
    /// <summary>Wait before each retry; the first attempt goes out at once, so there are 1 + Count attempts in all.</summary>
    public IReadOnlyList<TimeSpan> RetryDelays { get; init; } = [.. new[] { 30, 60, 120, 240, 480 }.Select(s => TimeSpan.FromSeconds(s))];
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(500);
    public TimeSpan RotationOverlap { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Deliveries in flight at once on this node: one slow receiver must not hold up everybody else's.</summary>
    public int Concurrency { get; init; } = 4;

    public string UserAgent { get; init; } = "Reelay-Webhooks/1.0";

    /// <summary>A registered endpoint is disabled after this many failed attempts in a row (Webhooks:DisableAfterFailures).</summary>
    public int DisableAfterFailures { get; init; } = 20;

    /// <summary>Overrides of named surface schedules (Webhooks:Schedules:NAME), e.g. shorter delays in a test.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<TimeSpan>> Schedules { get; init; } = new Dictionary<string, IReadOnlyList<TimeSpan>>();

    /// <summary>The delays of a delivery: the surface's schedule (or its configured override), else the default.</summary>
    public IReadOnlyList<TimeSpan> RetryDelaysFor(WebhookSchedule? schedule) =>
        schedule is null ? RetryDelays : Schedules.GetValueOrDefault(schedule.Name) ?? schedule.Delays;

    /// <summary>The deadline of one attempt: the configured one, or the surface's if it asks for less.</summary>
    public TimeSpan AttemptTimeoutFor(WebhookSchedule? schedule) =>
        schedule?.AttemptTimeout is { } own && own < AttemptTimeout ? own : AttemptTimeout;

    /// <summary>
    /// A claimed delivery belongs to its loop this long. It outlasts the longest possible attempt, so a live sender never
    /// loses its claim; a sender that died frees the delivery for another node after it.
    /// </summary>
    public TimeSpan Lease => AttemptTimeout + TimeSpan.FromSeconds(30);

    public static WebhookOptions From(IConfiguration config)
    {
        var options = new WebhookOptions
        {
            RetryDelays = ParseDelays(config["Webhooks:RetryDelaysSeconds"] ?? "30,60,120,240,480"),
            AttemptTimeout = Seconds(config, "Webhooks:AttemptTimeoutSeconds", 30),
            ConnectTimeout = Seconds(config, "Webhooks:ConnectTimeoutSeconds", 10),
            PollInterval = TimeSpan.FromMilliseconds(config.GetValue("Webhooks:PollMilliseconds", 500.0)),
            RotationOverlap = TimeSpan.FromHours(config.GetValue("Webhooks:RotationOverlapHours", 24.0)),
            Concurrency = config.GetValue("Webhooks:Concurrency", 4),
            UserAgent = config["Webhooks:UserAgent"] ?? "Reelay-Webhooks/1.0",
            DisableAfterFailures = config.GetValue("Webhooks:DisableAfterFailures", 20),
            Schedules = config.GetSection("Webhooks:Schedules").GetChildren()
                .ToDictionary(c => c.Key, c => ParseDelays(c.Value ?? ""), StringComparer.Ordinal),
        };
        if (options.PollInterval <= TimeSpan.Zero) throw new InvalidOperationException("Webhooks:PollMilliseconds must be positive.");
        if (options.RotationOverlap < TimeSpan.Zero) throw new InvalidOperationException("Webhooks:RotationOverlapHours must be 0 or more.");
        if (options.DisableAfterFailures < 1) throw new InvalidOperationException("Webhooks:DisableAfterFailures must be 1 or more.");
        if (options.Concurrency < 0) throw new InvalidOperationException("Webhooks:Concurrency must be 0 or more.");
        return options;
    }

    /// <summary>"30,60,120" → three delays; an empty value means no retries. A bad entry stops start-up with its text.</summary>
    public static IReadOnlyList<TimeSpan> ParseDelays(string value)
    {
        var delays = new List<TimeSpan>();
        foreach (var part in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || seconds < 0 || double.IsInfinity(seconds))
                throw new InvalidOperationException($"Webhooks:RetryDelaysSeconds: '{part}' is not a number of seconds.");
            delays.Add(TimeSpan.FromSeconds(seconds));
        }
        return delays;
    }

    private static TimeSpan Seconds(IConfiguration config, string key, double fallback)
    {
        var seconds = config.GetValue(key, fallback);
        return seconds > 0 ? TimeSpan.FromSeconds(seconds) : throw new InvalidOperationException($"{key} must be positive.");
    }
}
