using System.Diagnostics.Metrics;

namespace Reelay.Server.Features.Telemetry;

/// <summary>The observable gauges: read from the latest <see cref="OperationsState"/> sample when a reader collects.</summary>
public static class QueueGauges
{
    private static Func<OperationsState> _state = () => OperationsState.Empty;

    private static readonly (string Name, string Unit, string Description)[] Definitions =
    [
        ("reelay.queue.depth", "{task}", "Tasks waiting or running now, by model and state (queued, throttled, running); from the database, so every node reports the same."),
        ("reelay.queue.oldest_waiting.age", "s", "How long the oldest queued or throttled task of a model has waited."),
        ("reelay.webhook.backlog", "{delivery}", "Webhook deliveries waiting to be sent or retried."),
        ("reelay.workers.seen", "{worker}", "Remote workers that asked for work in the last two minutes."),
    ];

    public static IEnumerable<(string Name, string Unit, string Description)> Catalog => Definitions;

    /// <summary>Called once at start-up with the sampler the gauges read.</summary>
    public static void ReadFrom(Func<OperationsState> state) => _state = state;

    static QueueGauges()
    {
        var meter = ReelayMetrics.Meter;
        meter.CreateObservableGauge(Definitions[0].Name, () => _state().Queues.SelectMany(q => new[]
        {
            new Measurement<long>(q.Queued, new("model", q.Model), new("state", "queued")),
            new Measurement<long>(q.Throttled, new("model", q.Model), new("state", "throttled")),
            new Measurement<long>(q.Running, new("model", q.Model), new("state", "running")),
        }), Definitions[0].Unit, Definitions[0].Description);
        meter.CreateObservableGauge(Definitions[1].Name, () => _state().Queues
            .Select(q => new Measurement<double>(q.OldestWaitingSeconds, new KeyValuePair<string, object?>("model", q.Model))),
            Definitions[1].Unit, Definitions[1].Description);
        meter.CreateObservableGauge(Definitions[2].Name, () => _state().WebhookBacklog, Definitions[2].Unit, Definitions[2].Description);
        meter.CreateObservableGauge(Definitions[3].Name, () => _state().WorkersSeen, Definitions[3].Unit, Definitions[3].Description);
    }
}
