using System.Text.Json;
using System.Text.Json.Nodes;
using Reelay.Server.Features.Catalog;

namespace Reelay.Server.Features.Router;

/// <summary>What the router knows of a model besides its catalog entry: who provides it, how good and how fast it is.</summary>
/// <param name="Quality">A relative score, higher is better (what optimizeFor "quality" ranks by).</param>
/// <param name="Latency">Typical seconds until the output is ready (what optimizeFor "latency" ranks by).</param>
public sealed record RoutedModel(string Model, string Provider, double Quality, double Latency);

/// <summary>
/// A saved Model Router config (generate.{video,image,audio}): its slug, the modality it routes, the models it may
/// pick (in the operator's order, the last tie-breaker), the optimization preference, a price ceiling in credits per
/// generation (null: none), and whether a model at its concurrency limit is passed over for the next one.
/// </summary>
public sealed record RouterConfig(string ConfigId, string Kind, IReadOnlyList<string> Models, string OptimizeFor, long? PriceCeiling, bool OnCapacity);

/// <summary>The router part of the catalog ("routers" in default-catalog.json, docs/catalog.md "Router configs").</summary>
public sealed class RouterCatalog
{
    public static readonly string[] Kinds = ["video", "image", "audio"];
    public static readonly string[] Optimizations = ["cost", "latency", "quality"];

    public static readonly RouterCatalog Empty = new([], new Dictionary<string, RoutedModel>(), new Dictionary<string, RequestSchema>());

    public RouterCatalog(IReadOnlyList<RouterConfig> configs, IReadOnlyDictionary<string, RoutedModel> models, IReadOnlyDictionary<string, RequestSchema> inputs)
    {
        Configs = configs;
        Models = models;
        Inputs = inputs;
    }

    public IReadOnlyList<RouterConfig> Configs { get; }
    public IReadOnlyDictionary<string, RoutedModel> Models { get; }

    /// <summary>The model-agnostic input schema of each modality, checked before any model is considered.</summary>
    public IReadOnlyDictionary<string, RequestSchema> Inputs { get; }

    public RouterConfig? Find(string configId) => Configs.FirstOrDefault(c => c.ConfigId == configId);

    /// <summary>Reads and checks the "routers" object; every problem names the config or model it is about.</summary>
    public static RouterCatalog Parse(JsonNode? node, SchemaParser parser, IReadOnlyList<ModelDefinition> catalogModels, List<string> problems)
    {
        if (node is null) return Empty;
        if (node is not JsonObject o)
        {
            problems.Add("routers: must be an object with \"models\", \"inputs\" and \"configs\"");
            return Empty;
        }
        foreach (var key in o.Select(p => p.Key).Where(k => k is not ("models" or "inputs" or "configs" or "description"))) problems.Add($"routers: unknown key '{key}'");
        var known = catalogModels.ToDictionary(m => m.Id);
        var models = new Dictionary<string, RoutedModel>(StringComparer.Ordinal);
        foreach (var (id, facts) in o["models"] as JsonObject ?? [])
        {
            if (!known.ContainsKey(id)) problems.Add($"routers: model '{id}' is not in the catalog");
            var provider = facts?["provider"]?.GetValueKind() == JsonValueKind.String ? facts["provider"]!.GetValue<string>() : null;
            var quality = JsonNumbers.Double(facts?["quality"]);
            var latency = JsonNumbers.Double(facts?["latency"]);
            if (provider is null || quality is null || latency is null) problems.Add($"routers: model '{id}' needs provider (string), quality and latency (numbers)");
            models[id] = new RoutedModel(id, provider ?? "", quality ?? 0, latency ?? 0);
        }
        var inputs = new Dictionary<string, RequestSchema>(StringComparer.Ordinal);
        foreach (var (kind, schema) in o["inputs"] as JsonObject ?? [])
        {
            if (!Kinds.Contains(kind)) problems.Add($"routers: input '{kind}' is not a modality (video, image, audio)");
            inputs[kind] = parser.Parse(schema, $"routers input {kind}");
        }
        var configs = new List<RouterConfig>();
        foreach (var item in o["configs"] as JsonArray ?? [])
            if (ReadConfig(item, models, inputs, known, problems) is { } config) configs.Add(config);
        foreach (var duplicate in configs.GroupBy(c => c.ConfigId).Where(g => g.Count() > 1)) problems.Add($"routers: config '{duplicate.Key}' is listed twice");
        return new RouterCatalog(configs, models, inputs);
    }

    private static RouterConfig? ReadConfig(JsonNode? item, Dictionary<string, RoutedModel> models, Dictionary<string, RequestSchema> inputs,
        Dictionary<string, ModelDefinition> known, List<string> problems)
    {
        if (item is not JsonObject c || c["configId"]?.GetValueKind() != JsonValueKind.String)
        {
            problems.Add("routers: every config needs a \"configId\" string");
            return null;
        }
        var id = c["configId"]!.GetValue<string>();
        var where = $"router config '{id}'";
        foreach (var key in c.Select(p => p.Key).Where(k => k is not ("configId" or "kind" or "models" or "optimizeFor" or "priceCeiling" or "fallback" or "description")))
            problems.Add($"{where}: unknown key '{key}'");
        var kind = c["kind"]?.ToString() ?? "";
        if (!Kinds.Contains(kind)) problems.Add($"{where}: kind must be video, image or audio");
        else if (!inputs.ContainsKey(kind)) problems.Add($"{where}: routers.inputs has no '{kind}' schema");
        var optimize = c["optimizeFor"]?.ToString() ?? "";
        if (!Optimizations.Contains(optimize)) problems.Add($"{where}: optimizeFor must be cost, latency or quality");
        var ids = (c["models"] as JsonArray ?? []).Select(m => m?.ToString() ?? "").ToList();
        if (ids.Count == 0) problems.Add($"{where}: lists no models");
        foreach (var model in ids.Where(m => !models.ContainsKey(m))) problems.Add($"{where}: model '{model}' has no entry in routers.models");
        foreach (var model in ids.Where(m => known.TryGetValue(m, out var d) && !d.Endpoints.Values.Any(e => e.Output == kind)))
            problems.Add($"{where}: model '{model}' makes no {kind} output");
        long? ceiling = null;
        if (c["priceCeiling"] is { } p && p.GetValueKind() != JsonValueKind.Null)
        {
            if (JsonNumbers.Double(p) is { } n && n >= 0) ceiling = (long)Math.Floor(n);
            else problems.Add($"{where}: priceCeiling must be a number of credits or null");
        }
        var onCapacity = c["fallback"]?["onCapacity"]?.GetValueKind() == JsonValueKind.True;
        return new RouterConfig(id, kind, ids, optimize, ceiling, onCapacity);
    }
}
