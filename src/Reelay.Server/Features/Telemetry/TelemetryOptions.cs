namespace Reelay.Server.Features.Telemetry;

/// <summary>Where /metrics is served: not at all, on the main port behind Admin:Token, or on its own management port.</summary>
public enum MetricsExposure { Off, Admin, Port }

/// <summary>Metrics and tracing settings (Metrics:*, Telemetry:*, OTEL_EXPORTER_OTLP_ENDPOINT), read once at start-up.</summary>
public sealed record TelemetryOptions
{
    /// <summary>
    /// Admin by default: the main port faces API clients, and queue depths, model names and traffic are the
    /// operator's business, so the scrape needs the admin token there (Prometheus sends it as a bearer credential).
    /// Without Admin:Token there is no /metrics on the main port at all.
    /// </summary>
    public MetricsExposure Exposure { get; init; } = MetricsExposure.Admin;

    /// <summary>Metrics:Port mode: the management listener (plain /metrics, no token), bound to 127.0.0.1 unless Metrics:Host says otherwise.</summary>
    public int Port { get; init; } = 9464;
    public string Host { get; init; } = "127.0.0.1";

    public TimeSpan SampleInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The OTLP collector (OTEL_EXPORTER_OTLP_ENDPOINT); traces (and metrics) are pushed there when set.</summary>
    public string? OtlpEndpoint { get; init; }

    /// <summary>Traces are recorded when they go somewhere: an OTLP endpoint, or Telemetry:Tracing=true (an in-process exporter).</summary>
    public bool Tracing { get; init; }

    public static TelemetryOptions From(IConfiguration config)
    {
        var exposure = (config["Metrics:Exposure"] ?? "admin").Trim().ToLowerInvariant() switch
        {
            "off" => MetricsExposure.Off,
            "admin" => MetricsExposure.Admin,
            "port" => MetricsExposure.Port,
            var other => throw new InvalidOperationException($"Metrics:Exposure must be off, admin or port, not '{other}'."),
        };
        var port = config.GetValue("Metrics:Port", 9464);
        if (port is < 1 or > 65535) throw new InvalidOperationException("Metrics:Port must be a TCP port (1-65535).");
        var sample = config.GetValue("Telemetry:SampleSeconds", 5.0);
        if (sample <= 0) throw new InvalidOperationException("Telemetry:SampleSeconds must be positive.");
        var otlp = config["OTEL_EXPORTER_OTLP_ENDPOINT"];
        return new TelemetryOptions
        {
            Exposure = exposure,
            Port = port,
            Host = config["Metrics:Host"] ?? "127.0.0.1",
            SampleInterval = TimeSpan.FromSeconds(sample),
            OtlpEndpoint = string.IsNullOrWhiteSpace(otlp) ? null : otlp,
            Tracing = !string.IsNullOrWhiteSpace(otlp) || config.GetValue("Telemetry:Tracing", false),
        };
    }
}
