namespace Reelay.Server.Infrastructure;

/// <summary>"Did you mean POST /v1/text_to_video?" for a request that matched no route: the closest route without parameters.</summary>
public static class RouteSuggestions
{
    public static string? Nearest(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        var method = context.Request.Method;
        var routes = context.RequestServices.GetServices<EndpointDataSource>()
            .SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.Parameters.Count == 0 && e.RoutePattern.RawText is { Length: > 1 })
            .Where(e => e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods is not { Count: > 0 } methods || methods.Contains(method))
            .Select(e => "/" + e.RoutePattern.RawText!.TrimStart('/'))
            .Distinct();
        var best = routes.Select(r => (Route: r, Distance: Distance(path.ToLowerInvariant(), r.ToLowerInvariant())))
            .OrderBy(c => c.Distance).FirstOrDefault();
        // Close enough to be a typo ("-" for "_", a letter off), not merely another route of the API.
        return best.Route is not null && best.Distance > 0 && best.Distance <= Math.Max(2, best.Route.Length / 5) ? $"{method} {best.Route}" : null;
    }

    /// <summary>Levenshtein distance, bounded in effort by the short paths it compares.</summary>
    public static int Distance(string a, string b)
    {
        if (a.Length > 200 || b.Length > 200) return int.MaxValue;
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            previous = current;
        }
        return previous[b.Length];
    }
}
