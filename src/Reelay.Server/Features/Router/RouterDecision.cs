namespace Reelay.Server.Features.Router;

/// <summary>
/// A model the router may pick for one request: whether the request maps onto it (Unsupported says why not), what it
/// would cost, and whether this organization is at its concurrency limit for it.
/// </summary>
public sealed record RouteCandidate(RoutedModel Model, long Credits, bool AtCapacity, string? Unsupported = null);

/// <summary>The pick, or why there is none; Skipped and AllExhausted are the capacityFallback (null when it does not apply).</summary>
public sealed record RouteDecision(RouteCandidate? Chosen, CapacityFallback? Fallback, string? Refusal);

public sealed record CapacityFallback(bool AllExhausted, IReadOnlyList<string> Skipped);

/// <summary>
/// The router's choice over the catalog (pure): models that cannot take the input are out, then models above the
/// config's price ceiling; the rest are ranked by optimizeFor (cost: fewest credits; latency: fastest; quality: best),
/// ties broken by the other measures and then the config's own order. With fallback.onCapacity, a model this
/// organization has no free concurrency slot for is passed over for the next; when all are at their limit the best
/// is used anyway and the task waits its turn (THROTTLED).
/// </summary>
public static class RouterDecision
{
    public static RouteDecision Decide(RouterConfig config, IReadOnlyList<RouteCandidate> candidates)
    {
        var supported = candidates.Where(c => c.Unsupported is null).ToList();
        if (supported.Count == 0)
            return Refuse($"No model of router config '{config.ConfigId}' supports this input: " +
                          string.Join("; ", candidates.Select(c => $"{c.Model.Model}: {c.Unsupported}")) + ".");
        var affordable = supported.Where(c => config.PriceCeiling is not { } ceiling || c.Credits <= ceiling).ToList();
        if (affordable.Count == 0)
            return Refuse($"No model of router config '{config.ConfigId}' can run this request within its price ceiling of {config.PriceCeiling} credits " +
                          $"(the cheapest, {supported.MinBy(c => c.Credits)!.Model.Model}, costs {supported.Min(c => c.Credits)} credits).");
        var ranked = Rank(config, affordable);
        if (!config.OnCapacity) return new RouteDecision(ranked[0], null, null);
        var free = ranked.FindIndex(c => !c.AtCapacity);
        if (free < 0) return new RouteDecision(ranked[0], new CapacityFallback(true, ranked.Skip(1).Select(c => c.Model.Model).ToList()), null);
        // Only models ranked above the pick were passed over because of capacity.
        var skipped = ranked.Take(free).Select(c => c.Model.Model).ToList();
        return new RouteDecision(ranked[free], skipped.Count > 0 ? new CapacityFallback(false, skipped) : null, null);
    }

    /// <summary>Best first, by the config's optimizeFor; a stable sort, so equal models keep the config's order.</summary>
    public static List<RouteCandidate> Rank(RouterConfig config, IEnumerable<RouteCandidate> candidates)
    {
        var order = config.Models.Select((m, i) => (m, i)).ToDictionary(x => x.m, x => x.i);
        var position = (RouteCandidate c) => order.GetValueOrDefault(c.Model.Model, int.MaxValue);
        return (config.OptimizeFor switch
        {
            "cost" => candidates.OrderBy(c => c.Credits).ThenByDescending(c => c.Model.Quality).ThenBy(c => c.Model.Latency),
            "latency" => candidates.OrderBy(c => c.Model.Latency).ThenByDescending(c => c.Model.Quality).ThenBy(c => c.Credits),
            _ => candidates.OrderByDescending(c => c.Model.Quality).ThenBy(c => c.Credits).ThenBy(c => c.Model.Latency),
        }).ThenBy(position).ToList();
    }

    private static RouteDecision Refuse(string reason) => new(null, null, reason);
}
