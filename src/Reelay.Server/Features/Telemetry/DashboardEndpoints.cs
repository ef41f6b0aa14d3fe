using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Telemetry;

/// <summary>GET /admin/v1/dashboard: the operator's view, from the same sample the queue gauges report.</summary>
public static class DashboardEndpoints
{
    public static void MapDashboard(this IEndpointRouteBuilder app, ReelayOptions options)
    {
        if (options.AdminToken is null) return;
        app.MapGroup("/admin/v1").WithTags("Admin").RequireBearer(options.AdminToken, BearerToken.AdminRefusal)
            .MapGet("/dashboard", async (string? fresh, OperationsSampler sampler) =>
                Results.Json(Describe(fresh is "1" or "true" ? await sampler.SampleAsync() : sampler.Latest is { SampledAt: > 0 } latest ? latest : await sampler.SampleAsync())));
    }

    public static object Describe(OperationsState state) => new
    {
        sampledAt = Clock.Iso(state.SampledAt),
        queues = state.Queues.Select(q => new
        {
            model = q.Model,
            queued = q.Queued,
            throttled = q.Throttled,
            running = q.Running,
            oldestWaitingSeconds = Math.Round(q.OldestWaitingSeconds, 3),
        }),
        recent = new
        {
            windowMinutes = OperationsState.WindowMinutes,
            tasksPerMinute = state.Recent.TasksPerMinute,
            succeeded = state.Recent.Succeeded,
            failed = state.Recent.Failed,
            cancelled = state.Recent.Cancelled,
            errorRate = state.Recent.ErrorRate,
            p95RunSeconds = state.Recent.P95RunSeconds,
        },
        webhooks = new { backlog = state.WebhookBacklog, oldestDueSeconds = Math.Round(state.OldestWebhookDueSeconds, 3) },
        workers = new { seen = state.WorkersSeen },
    };
}
