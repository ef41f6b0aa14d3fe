using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Reelay.Server.Features.Telemetry;

/// <summary>
/// Every metric Reelay defines, in one place: the code paths call these methods, the Prometheus exporter and the
/// README's metric list read <see cref="Catalog"/>. Names follow OpenTelemetry's conventions (dotted, unit in the
/// instrument, not the name); Prometheus shows them with underscores and a unit/_total suffix.
/// </summary>
public static class ReelayMetrics
{
    public const string MeterName = "Reelay";
    public static readonly Meter Meter = new(MeterName, "1.0");

    private static readonly Counter<long> Created = Meter.CreateCounter<long>("reelay.tasks.created", "{task}",
        "Tasks accepted, by model, endpoint, surface, engine and the state they started in (queued or throttled).");
    private static readonly Counter<long> Finished = Meter.CreateCounter<long>("reelay.tasks.finished", "{task}",
        "Tasks that ended, by model, endpoint, surface, engine and final status (succeeded, failed, cancelled).");
    private static readonly Histogram<double> QueueWait = Meter.CreateHistogram<double>("reelay.task.queue_wait.duration", "s",
        "Time from creation to RUNNING, by model (a task retried after a lost lease counts its first start).");
    private static readonly Histogram<double> RunTime = Meter.CreateHistogram<double>("reelay.task.run.duration", "s",
        "Time from RUNNING to the end, by model and final status.");
    private static readonly Counter<long> Credits = Meter.CreateCounter<long>("reelay.credits", "{credit}",
        "Credits moved by tasks, by model and kind: held at creation, charged or released when the task ends.");
    private static readonly Counter<long> AssetFetches = Meter.CreateCounter<long>("reelay.asset.fetches", "{fetch}",
        "Input URLs fetched, by outcome (ok, or the check that refused it).");
    private static readonly Histogram<double> AssetFetchTime = Meter.CreateHistogram<double>("reelay.asset.fetch.duration", "s",
        "Time to fetch one input URL, by outcome.");
    private static readonly Counter<long> WebhookDeliveries = Meter.CreateCounter<long>("reelay.webhook.deliveries", "{attempt}",
        "Webhook delivery attempts, by kind (callback, endpoint) and outcome (delivered, retrying, failed).");
    private static readonly Histogram<double> WebhookLatency = Meter.CreateHistogram<double>("reelay.webhook.delivery.duration", "s",
        "Time of one webhook attempt until the receiver's answer, by kind and outcome.");
    private static readonly Counter<long> RelayCalls = Meter.CreateCounter<long>("reelay.relay.upstream.calls", "{call}",
        "Calls to a relay's upstream, by relay and outcome (ok, retried, unavailable, breaker_open).");

    /// <summary>Every instrument, gauges included: the README's metric table is generated from this (and a test keeps it so).</summary>
    public static IReadOnlyList<MetricInfo> Catalog =>
    [
        .. new Instrument[] { Created, Finished, QueueWait, RunTime, Credits, AssetFetches, AssetFetchTime, WebhookDeliveries, WebhookLatency, RelayCalls }
            .Select(i => new MetricInfo(i.Name, i is Histogram<double> ? "histogram" : "counter", i.Unit ?? "", i.Description ?? "")),
        .. QueueGauges.Catalog.Select(g => new MetricInfo(g.Name, "gauge", g.Unit, g.Description)),
    ];

    /// <summary>The README table: the name Prometheus shows, its type and what it counts.</summary>
    public static string MarkdownTable() =>
        "| metric (Prometheus) | type | meaning |\n|---|---|---|\n"
        + string.Concat(Catalog.Select(m => $"| `{m.PrometheusName}` | {m.Kind} | {m.Description} |\n"));

    public static void TaskCreated(string model, string endpoint, string surface, string engine, string status) =>
        Created.Add(1, Tags(model, endpoint, surface, engine, status));

    public static void TaskFinished(string model, string endpoint, string surface, string engine, string status, long? startedAt, long finishedAt)
    {
        Finished.Add(1, Tags(model, endpoint, surface, engine, status));
        if (startedAt is { } started)
            RunTime.Record((finishedAt - started) / 1000.0, new KeyValuePair<string, object?>("model", model), new KeyValuePair<string, object?>("status", status));
    }

    public static void TaskStarted(string model, long createdAt, long startedAt) =>
        QueueWait.Record(Math.Max(0, startedAt - createdAt) / 1000.0, new KeyValuePair<string, object?>("model", model));

    /// <summary>kind: held, charged, released.</summary>
    public static void CreditsMoved(string kind, string? model, long credits)
    {
        if (credits > 0) Credits.Add(credits, new KeyValuePair<string, object?>("kind", kind), new KeyValuePair<string, object?>("model", model ?? ""));
    }

    public static void AssetFetched(string outcome, TimeSpan elapsed)
    {
        var tag = new KeyValuePair<string, object?>("outcome", outcome);
        AssetFetches.Add(1, tag);
        AssetFetchTime.Record(elapsed.TotalSeconds, tag);
    }

    public static void WebhookAttempted(string kind, string outcome, long latencyMs)
    {
        var tags = new TagList { { "kind", kind }, { "outcome", outcome } };
        WebhookDeliveries.Add(1, tags);
        WebhookLatency.Record(latencyMs / 1000.0, tags);
    }

    public static void RelayCall(string relay, string outcome) =>
        RelayCalls.Add(1, new KeyValuePair<string, object?>("relay", relay), new KeyValuePair<string, object?>("outcome", outcome));

    private static TagList Tags(string model, string endpoint, string surface, string engine, string status) =>
        new() { { "model", model }, { "endpoint", endpoint }, { "surface", surface }, { "engine", engine }, { "status", status } };
}

/// <summary>One instrument as the docs list it.</summary>
public sealed record MetricInfo(string Name, string Kind, string Unit, string Description)
{
    /// <summary>What the Prometheus exporter calls it: dots become underscores, "s" adds _seconds, a counter _total ({annotations} add nothing).</summary>
    public string PrometheusName => Name.Replace('.', '_') + (Unit == "s" ? "_seconds" : "") + (Kind == "counter" ? "_total" : "");
}
