using Reelay.Server.Features.Catalog;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Relays;

public static class RelaySetup
{
    /// <summary>The relays (Relays:*), read and checked at start-up, and the workers that serve their models.</summary>
    public static IServiceCollection AddRelays(this IServiceCollection services, IConfiguration config)
    {
        services.AddSingleton(new RelayRegistry(RelayOptions.All(config)));
        services.AddSingleton<RelayRunner>();
        services.AddHostedService<RelayWorkers>();
        return services;
    }

    /// <summary>
    /// GET /admin/v1/relays: each upstream's health as this node saw it, its tasks in flight and breaker state;
    /// GET /admin/v1/relays/tasks/{id}: which engine served a task, the upstream's id and cost. Never a key.
    /// </summary>
    public static void MapRelays(this IEndpointRouteBuilder app, ReelayOptions options)
    {
        if (options.AdminToken is null) return;
        var admin = app.MapGroup("/admin/v1/relays").WithTags("Admin").RequireBearer(options.AdminToken, BearerToken.AdminRefusal);
        admin.MapGet("", (RelayRegistry registry, ModelCatalog catalog) => Results.Json(new
        {
            data = registry.All.Select(r =>
            {
                var (calls, errorRate) = r.Health.LastMinute();
                return new
                {
                    name = r.Options.Name,
                    engine = r.Options.Engine,
                    dialect = r.Options.Dialect,
                    baseUrl = r.Options.BaseUrl.ToString(),
                    models = catalog.Models.Where(m => m.Engine == r.Options.Engine).Select(m => new { id = m.Id, upstream = r.Options.UpstreamModel(m.Id) }),
                    maxConcurrent = r.Options.MaxConcurrent,
                    inFlight = r.Health.InFlight,
                    health = r.Health.State(),
                    callsLastMinute = calls,
                    errorRate,
                    lastError = r.Health.LastError,
                    lastErrorAt = r.Health.LastErrorAt,
                    lastSuccessAt = r.Health.LastSuccessAt,
                    breaker = "none",
                };
            }),
        }));
        admin.MapGet("/tasks/{id}", async (string id, Db db) =>
            await RelayStore.FindAsync(db, id) is { } upstream
                ? Results.Json(new { id, upstreamEngine = upstream.Engine, upstreamTaskId = upstream.TaskId, upstreamCost = upstream.Cost })
                : Results.Json(new { error = "No such task." }, statusCode: 404));
    }
}
