namespace Reelay.Server.Features.Admin;

/// <summary>
/// GET /admin/v1/routes: every route the server answers, read from its own endpoint table (EndpointDataSource), so
/// tooling that must cover every route — the bad-input corpus in the tests — follows new routes without being told.
/// </summary>
public static class AdminRoutes
{
    public sealed record Route(string Method, string Pattern);

    public static void MapAdminRoutes(this RouteGroupBuilder admin) =>
        admin.MapGet("/routes", (EndpointDataSource endpoints) => Results.Json(new { routes = List(endpoints) })).ExcludeFromDescription();

    public static IReadOnlyList<Route> List(EndpointDataSource endpoints) => endpoints.Endpoints
        .OfType<RouteEndpoint>()
        .Where(e => e.RoutePattern.RawText is not null)
        .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods is { Count: > 0 } methods ? methods : ["*"])
            .Select(m => new Route(m, "/" + e.RoutePattern.RawText!.TrimStart('/'))))
        .Distinct()
        .OrderBy(r => r.Pattern, StringComparer.Ordinal).ThenBy(r => r.Method, StringComparer.Ordinal)
        .ToList();
}
