using Dapper;
using Reelay.Server.Features.Catalog;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Workers;

public sealed record WorkerView(string Id, IReadOnlyList<string> Models, string? Address, string LastSeenAt, long RunningTasks);

/// <summary>Per model: its engine, its waiting and running tasks, and how many remote workers asked for it lately.</summary>
public sealed record ModelWorkView(string Id, string Engine, long QueuedTasks, long ThrottledTasks, long RunningTasks, int RecentWorkers);

public static class WorkerAdminEndpoints
{
    /// <summary>A worker that has not asked for work for this long is idle-polling no more: it stopped or lost the network.</summary>
    public static readonly TimeSpan Recent = TimeSpan.FromMinutes(2);

    /// <summary>GET /admin/v1/workers: who is serving which model, and which models wait with nobody serving them.</summary>
    public static void MapWorkerAdmin(this IEndpointRouteBuilder app, ReelayOptions options)
    {
        if (options.AdminToken is null) return;
        var admin = app.MapGroup("/admin/v1").WithTags("Admin").RequireBearer(options.AdminToken, BearerToken.AdminRefusal);
        admin.MapGet("/workers", async (string? sinceSeconds, Db db, ModelCatalog catalog) =>
        {
            var since = 600.0;
            if (sinceSeconds is not null && (!double.TryParse(sinceSeconds, System.Globalization.CultureInfo.InvariantCulture, out since) || since is < 1 or > 604_800))
                return Results.Json(new { error = "'sinceSeconds' must be a number of seconds from 1 to 604800." }, statusCode: 400);
            var now = Clock.NowMs();
            await using var connection = await db.OpenAsync();
            var workers = (await connection.QueryAsync<(string Id, string Models, string? Address, long LastSeenAt)>(
                "SELECT id, models, address, last_seen_at FROM workers WHERE last_seen_at >= @cutoff ORDER BY id",
                new { cutoff = now - (long)(since * 1000) })).ToList();
            var running = (await connection.QueryAsync<(string Owner, long Count)>(
                "SELECT lease_owner, COUNT(*) FROM tasks WHERE status = 'running' AND lease_owner LIKE 'worker:%' GROUP BY lease_owner"))
                .ToDictionary(r => r.Owner, r => r.Count);
            var counts = (await connection.QueryAsync<(string Model, string Status, long Count)>(
                "SELECT model, status, COUNT(*) FROM tasks WHERE status IN ('queued', 'throttled', 'running') GROUP BY model, status"))
                .ToDictionary(r => (r.Model, r.Status), r => r.Count);

            var views = workers.Select(w => new WorkerView(w.Id, w.Models.Split(',', StringSplitOptions.RemoveEmptyEntries), w.Address,
                Clock.Iso(w.LastSeenAt), running.GetValueOrDefault("worker:" + w.Id))).ToList();
            var recent = views.Where((_, i) => workers[i].LastSeenAt >= now - (long)Recent.TotalMilliseconds).ToList();
            var models = catalog.Models.Select(m => new ModelWorkView(m.Id, m.Engine,
                counts.GetValueOrDefault((m.Id, "queued")), counts.GetValueOrDefault((m.Id, "throttled")), counts.GetValueOrDefault((m.Id, "running")),
                recent.Count(w => w.Models.Contains(m.Id)))).ToList();
            return Results.Json(new { workers = views, models });
        }).WithSummary("Remote workers seen in the last sinceSeconds (default 600) and, per model, waiting and running tasks and recent workers.");
    }
}
