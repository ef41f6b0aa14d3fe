using Reelay.Server.Features.Tasks;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Telemetry;

/// <summary>The task lifecycle's metric calls, where the queue and the create pipeline reach them (static, like the queue).</summary>
public static class TaskTelemetry
{
    private static Func<string, string> _engineOf = _ => "unknown";

    /// <summary>Set once at start-up from the catalog: a metric names the engine that serves the model.</summary>
    public static void UseEngines(Func<string, string?> engineOf) => _engineOf = model => engineOf(model) ?? "unknown";

    public static void Created(string model, string endpoint, string surface, string status, long heldCredits)
    {
        ReelayMetrics.TaskCreated(model, endpoint, surface, _engineOf(model), status);
        ReelayMetrics.CreditsMoved("held", model, heldCredits);
    }

    /// <summary>A claim: the queue wait is recorded for a task's first start only (a retried task would count twice).</summary>
    public static void Started(string model, long createdAt, long startedAt, long attempts)
    {
        if (attempts <= 1) ReelayMetrics.TaskStarted(model, createdAt, startedAt);
    }

    public static void Ended(TaskRow row, long? startedAt)
    {
        ReelayMetrics.TaskFinished(row.Model, row.Endpoint, row.Surface, _engineOf(row.Model), row.Status, startedAt, row.FinishedAt ?? Clock.NowMs());
        Webhooks.TaskEvents.Ended(row.Id);
    }
}
