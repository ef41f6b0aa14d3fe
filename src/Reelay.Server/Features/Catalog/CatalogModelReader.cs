using System.Text.Json;
using System.Text.Json.Nodes;

namespace Reelay.Server.Features.Catalog;

/// <summary>Reads one model of the catalog file; problems name the model and endpoint.</summary>
public static class CatalogModelReader
{
    private static readonly HashSet<string> ModelKeys = ["id", "engine", "engines", "limits", "priceNote", "legacy", "endpoints", "description"];
    private static readonly HashSet<string> EndpointKeys = ["output", "fields", "required", "rules", "defaults", "price", "description"];

    /// <param name="relays">The relays configured (Relays:NAME); null skips the check that a "relay:NAME" engine names one.</param>
    public static ModelDefinition? Read(JsonNode? node, SchemaParser parser, List<string> problems, IReadOnlySet<string>? relays = null)
    {
        if (node is not JsonObject o || o["id"]?.GetValueKind() != JsonValueKind.String)
        {
            problems.Add("every model needs an \"id\" string");
            return null;
        }
        var id = o["id"]!.GetValue<string>();
        var where = $"model '{id}'";
        foreach (var key in o.Select(p => p.Key).Where(k => !ModelKeys.Contains(k))) problems.Add($"{where}: unknown key '{key}'");
        var engines = ReadEngines(o, where, problems, relays);
        var endpoints = new Dictionary<string, EndpointDefinition>(StringComparer.Ordinal);
        if (o["endpoints"] is not JsonObject list || list.Count == 0) problems.Add($"{where} serves no endpoint");
        else
            foreach (var (name, endpoint) in list)
            {
                if (!ModelCatalog.KnownEndpoints.Contains(name)) problems.Add($"{where}: endpoint '{name}' is unknown");
                endpoints[name] = ReadEndpoint(endpoint as JsonObject ?? [], $"{where} {name}", parser, problems);
            }
        return new ModelDefinition(id, engines.FirstOrDefault() ?? "", endpoints, ReadLimits(o["limits"], where, problems),
            o["priceNote"]?.ToString(), o["legacy"]?.GetValueKind() == JsonValueKind.True, engines.Count > 1 ? engines : null);
    }

    /// <summary>
    /// "engine": one engine, or "engines": several in priority order (fallback). A list is relays, optionally ending
    /// with one local engine (preview, noop) as the last resort; a worker pool serves a model alone.
    /// </summary>
    private static List<string> ReadEngines(JsonObject o, string where, List<string> problems, IReadOnlySet<string>? relays)
    {
        List<string> engines;
        if (o["engines"] is { } list)
        {
            if (o["engine"] is not null) problems.Add($"{where}: give either \"engine\" or \"engines\", not both");
            engines = (list as JsonArray ?? []).Select(e => e?.GetValueKind() == JsonValueKind.String ? e.GetValue<string>() : "").ToList();
            if (list is not JsonArray || engines.Count is 0 or > 8) problems.Add($"{where}: \"engines\" must list 1 to 8 engines in priority order");
            if (engines.Distinct().Count() != engines.Count) problems.Add($"{where}: \"engines\" names an engine twice");
            for (var i = 0; i < engines.Count - 1 && engines.Count > 1; i++)
                if (ModelCatalog.EngineRelay(engines[i]) is null)
                    problems.Add($"{where}: engine '{engines[i]}' may only come last in \"engines\" (before it: relay:NAME engines to fall back from)");
            if (engines.Count > 1 && ModelCatalog.EnginePool(engines[^1]) is not null)
                problems.Add($"{where}: a worker pool ('{engines[^1]}') serves a model alone, not as a fallback");
        }
        else engines = [o["engine"]?.GetValueKind() == JsonValueKind.String ? o["engine"]!.GetValue<string>() : ""];
        foreach (var engine in engines.Distinct())
        {
            if (ModelCatalog.EngineRelay(engine) is { } relay)
            {
                if (relays is not null && !relays.Contains(relay))
                    problems.Add($"{where}: engine '{engine}' names the relay '{relay}', which is not configured (Relays:{relay}:BaseUrl and its other settings)");
            }
            else if (ModelCatalog.EnginePool(engine) is null && engine is not ("preview" or "noop"))
                problems.Add($"{where}: engine '{engine}' is unknown (known: preview, noop, pool:NAME, relay:NAME)");
        }
        return engines;
    }

    private static EndpointDefinition ReadEndpoint(JsonObject o, string where, SchemaParser parser, List<string> problems)
    {
        foreach (var key in o.Select(p => p.Key).Where(k => !EndpointKeys.Contains(k))) problems.Add($"{where}: unknown key '{key}'");
        var output = o["output"]?.GetValueKind() == JsonValueKind.String ? o["output"]!.GetValue<string>() : "";
        if (!ModelCatalog.OutputKinds.Contains(output)) problems.Add($"{where}: output must be video, image or audio");
        // The body is an object schema whose properties are the fields; "model" is the surface's selector, not a field.
        var body = parser.Parse(new JsonObject
        {
            ["type"] = "object",
            ["properties"] = o["fields"]?.DeepClone() ?? new JsonObject(),
            ["required"] = o["required"]?.DeepClone() ?? new JsonArray(),
            ["rules"] = o["rules"]?.DeepClone() ?? new JsonArray(),
        }, where);
        if (body.Properties?.ContainsKey("model") == true) problems.Add($"{where}: 'model' is not a field (it selects the model)");
        var defaults = o["defaults"] as JsonObject ?? [];
        foreach (var (name, _) in defaults.Where(d => body.Properties?.ContainsKey(d.Key) != true))
            problems.Add($"{where}: default for '{name}', which is not a field");
        return new EndpointDefinition(output, body, (JsonObject)defaults.DeepClone(), ReadPrice(o["price"], where, parser, problems));
    }

    private static PriceDefinition ReadPrice(JsonNode? node, string where, SchemaParser parser, List<string> problems)
    {
        if (node is not JsonObject o)
        {
            problems.Add($"{where}: no price");
            return new PriceDefinition(0, null, null, null, []);
        }
        decimal? Dec(string key) => o[key]?.GetValueKind() == JsonValueKind.Number ? o[key]!.GetValue<decimal>() : null;
        var price = new PriceDefinition(Dec("perSecond"), Dec("perImage"), Dec("perTask"), o["countField"]?.ToString(),
            (o["adjust"] as JsonArray ?? []).Select((a, i) => new PriceAdjustment(
                parser.Condition(a?["when"], $"{where} price adjustment {i + 1}") ?? new SchemaCondition(new Dictionary<string, JsonNode>()),
                a?["set"]?.GetValueKind() == JsonValueKind.Number ? a["set"]!.GetValue<decimal>() : null,
                a?["add"]?.GetValueKind() == JsonValueKind.Number ? a["add"]!.GetValue<decimal>() : null,
                a?["per"]?.GetValueKind() == JsonValueKind.String ? a["per"]!.GetValue<string>() : null)).ToList()) { PerCharacter = Dec("perCharacter") };
        var rates = new[] { price.PerSecond, price.PerImage, price.PerTask, price.PerCharacter };
        if (rates.Count(p => p is not null) != 1)
            problems.Add($"{where}: the price has exactly one of perSecond, perImage, perTask or perCharacter");
        if (rates.Any(p => p < 0)) problems.Add($"{where}: the price must not be negative");
        foreach (var key in o.Select(p => p.Key).Where(k => k is not ("perSecond" or "perImage" or "perTask" or "perCharacter" or "countField" or "adjust")))
            problems.Add($"{where}: unknown price key '{key}'");
        return price;
    }

    private static ModelLimits? ReadLimits(JsonNode? node, string where, List<string> problems)
    {
        if (node is null) return null;
        var concurrent = node["maxConcurrentGenerations"]?.GetValueKind() == JsonValueKind.Number ? node["maxConcurrentGenerations"]!.GetValue<int>() : -1;
        var daily = node["maxDailyGenerations"]?.GetValueKind() == JsonValueKind.Number ? node["maxDailyGenerations"]!.GetValue<int>() : -1;
        if (concurrent < 0 || daily < 0) problems.Add($"{where}: limits need maxConcurrentGenerations and maxDailyGenerations (whole numbers)");
        return new ModelLimits(Math.Max(concurrent, 0), Math.Max(daily, 0));
    }
}
