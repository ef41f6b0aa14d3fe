using Reelay.Server.Features.Catalog;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Relays;

public static class RelaySetup
{
    /// <summary>The relays (Relays:*), read and checked at start-up, and the workers that serve their models.</summary>
    public static IServiceCollection AddRelays(this IServiceCollection services, IConfiguration config)
    {
        services.AddSingleton(new RelayRegistry(RelayOptions.All(config)));
        services.AddSingleton<RelayCallbacks>();
        services.AddSingleton<RelayCallbackUrls>();
        services.AddSingleton<RelayRunner>();
        services.AddHostedService<RelayWorkers>();
        return services;
    }

    /// <summary>
    /// The upstreams' callback route, and the operator's views (Admin:Token): GET /admin/v1/relays (each upstream's
    /// health as this node saw it, tasks in flight, breaker), /admin/v1/relays/tasks and /tasks/{id} (which engine
    /// served a task, the upstream's id and cost), /admin/v1/relays/margin (our price against the upstream's cost per
    /// day and model). Never a key. A model whose engines name a relay whose dialect cannot relay one of its
    /// endpoints stops the server here, at start-up.
    /// </summary>
    public static void MapRelays(this WebApplication app, ReelayOptions options)
    {
        var registry = app.Services.GetRequiredService<RelayRegistry>();
        var catalog = app.Services.GetRequiredService<ModelCatalog>();
        var problems = catalog.Models.SelectMany(m => m.Engines.Select(registry.Find).OfType<Relay>()
            .SelectMany(r => m.Endpoints.Keys.Where(e => !r.Client.Serves(e))
                .Select(e => $"model '{m.Id}': the {r.Options.Dialect} dialect of {r.Options.Engine} cannot relay the endpoint '{e}'"))).ToList();
        if (problems.Count > 0) throw new InvalidOperationException("The catalog and the relays do not fit: " + string.Join("; ", problems) + ".");
        app.MapRelayCallbacks();
        if (options.AdminToken is null) return;
        var admin = app.MapGroup("/admin/v1/relays").WithTags("Admin").RequireBearer(options.AdminToken, BearerToken.AdminRefusal);
        admin.MapGet("", () => Results.Json(new { data = registry.All.Select(r => Describe(r, catalog)) }));
        admin.MapGet("/tasks", async (string? limit, string? model, Db db) =>
            int.TryParse(limit ?? "50", out var n) && n is >= 1 and <= 500
                ? Results.Json(new { data = await RelayStore.RecentAsync(db, n, model) })
                : Results.Json(new { error = "'limit' must be a whole number from 1 to 500." }, statusCode: 400));
        admin.MapGet("/tasks/{id}", async (string id, Db db) =>
            await RelayStore.FindAsync(db, id) is { } upstream
                ? Results.Json(new { id, upstreamEngine = upstream.Engine, upstreamTaskId = upstream.TaskId, upstreamCost = upstream.Cost })
                : Results.Json(new { error = "No such task." }, statusCode: 404));
        admin.MapGet("/margin", async (string? from, string? to, Db db) =>
            RelayMargin.Window(from, to, DateTime.UtcNow) is { Error: null } window
                ? Results.Json(new { from = window.From.ToString("yyyy-MM-dd"), to = window.To.ToString("yyyy-MM-dd"), data = await RelayMargin.ReportAsync(db, window.From, window.To) })
                : Results.Json(new { error = RelayMargin.Window(from, to, DateTime.UtcNow).Error }, statusCode: 400));
    }

    private static object Describe(Relay r, ModelCatalog catalog)
    {
        var (calls, errorRate) = r.Health.LastMinute();
        return new
        {
            name = r.Options.Name,
            engine = r.Options.Engine,
            dialect = r.Options.Dialect,
            baseUrl = r.Options.BaseUrl.ToString(),
            models = catalog.Models.Where(m => m.Engines.Contains(r.Options.Engine))
                .Select(m => new { id = m.Id, upstream = r.Options.UpstreamModel(m.Id), engines = m.Engines }),
            maxConcurrent = r.Options.MaxConcurrent,
            inFlight = r.Health.InFlight,
            health = r.Health.State(),
            callsLastMinute = calls,
            errorRate,
            lastError = r.Health.LastError,
            lastErrorAt = r.Health.LastErrorAt,
            lastSuccessAt = r.Health.LastSuccessAt,
            breaker = r.Resilience.BreakerState,
            skipped = r.Resilience.Skipped,
            breakerOpenings = r.Health.BreakerOpenings,
            breakerOpenedAt = r.Health.BreakerOpenedAt,
            breakerClosedAt = r.Health.BreakerClosedAt,
        };
    }
}
