using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Reelay.Server.Features.Catalog;

/// <summary>The models this server offers: data from a JSON file, never hard-coded in handlers.</summary>
public sealed class ModelCatalog
{
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    private readonly Dictionary<string, ModelDefinition> _models;

    public ModelCatalog(IReadOnlyList<ModelDefinition> models)
    {
        _models = models.ToDictionary(m => m.Id, StringComparer.Ordinal);
        Models = models;
    }

    public IReadOnlyList<ModelDefinition> Models { get; }

    public ModelDefinition? Find(string id) => _models.GetValueOrDefault(id);

    /// <summary>Models that serve an endpoint such as "image_to_video", in catalog order.</summary>
    public IReadOnlyList<ModelDefinition> ServingEndpoint(string endpoint) =>
        Models.Where(m => m.Endpoints.ContainsKey(endpoint)).ToList();

    public static ModelCatalog Load(string? catalogFile)
    {
        Stream stream = catalogFile is null
            ? Assembly.GetExecutingAssembly().GetManifestResourceStream("default-catalog.json")!
            : File.OpenRead(catalogFile);
        using (stream)
        {
            var file = JsonSerializer.Deserialize<CatalogFile>(stream, JsonOptions)
                ?? throw new InvalidOperationException("The model catalog is empty.");
            var problems = Validate(file);
            if (problems.Count > 0)
                throw new InvalidOperationException($"The model catalog {catalogFile ?? "(default)"} is invalid: " + string.Join("; ", problems));
            return new ModelCatalog(file.Models);
        }
    }

    /// <summary>Checks an operator-edited catalog up front, so a typo fails at start-up and not per request.</summary>
    public static List<string> Validate(CatalogFile file)
    {
        var problems = new List<string>();
        if (file.Models.Count == 0) problems.Add("it lists no models");
        foreach (var duplicate in file.Models.GroupBy(m => m.Id).Where(g => g.Count() > 1))
            problems.Add($"model '{duplicate.Key}' is listed twice");
        foreach (var model in file.Models)
        {
            if (EnginePool(model.Engine) is null && model.Engine is not ("preview" or "noop"))
                problems.Add($"model '{model.Id}': engine '{model.Engine}' is unknown (known: preview, noop, pool:NAME)");
            if (model.CreditsPerSecond < 0) problems.Add($"model '{model.Id}': creditsPerSecond must not be negative");
            if (model.Endpoints.Count == 0) problems.Add($"model '{model.Id}' serves no endpoint");
            foreach (var (name, endpoint) in model.Endpoints)
            {
                if (!KnownEndpoints.Contains(name)) problems.Add($"model '{model.Id}': endpoint '{name}' is unknown");
                if (endpoint.Ratios.Count == 0) problems.Add($"model '{model.Id}' {name}: no ratios");
                foreach (var ratio in endpoint.Ratios)
                    if (Ratio.Parse(ratio) is null) problems.Add($"model '{model.Id}' {name}: ratio '{ratio}' is not width:height");
                if (!endpoint.Duration.Allows(endpoint.Duration.Default))
                    problems.Add($"model '{model.Id}' {name}: the default duration is outside the allowed durations");
            }
        }
        return problems;
    }

    /// <summary>The worker pool an engine names ("pool:gpu-a" gives "gpu-a"), or null when it is not a pool.</summary>
    public static string? EnginePool(string engine) =>
        engine.StartsWith("pool:", StringComparison.Ordinal) && engine.Length > 5 && engine[5..].All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            ? engine[5..] : null;

    /// <summary>Runway endpoints by path; "sora_generate" is the RunBlob surface's POST /v1/sora/generate.</summary>
    public static readonly HashSet<string> KnownEndpoints = ["image_to_video", "text_to_video", "video_to_video", "sora_generate"];
}

public sealed record CatalogFile(List<ModelDefinition> Models);

public sealed record ModelDefinition(
    string Id,
    string Engine,
    decimal CreditsPerSecond,
    Dictionary<string, EndpointDefinition> Endpoints,
    bool ContentModeration = false,
    AspectBounds? PromptImageAspectRatio = null,
    ModelLimits? Limits = null)
{
    public AspectBounds ImageAspect => PromptImageAspectRatio ?? new AspectBounds(0.5, 2);
    public ModelLimits DefaultLimits => Limits ?? new ModelLimits(2, 200);

    /// <summary>Credits for an output of this length; fractional prices (sora-2: 1.2 credits/s) round up.</summary>
    public long PriceFor(int durationSeconds) => (long)Math.Ceiling(CreditsPerSecond * durationSeconds);
}

public sealed record EndpointDefinition(List<string> Required, List<string> Ratios, DurationRule Duration, int PromptTextMaxLength = 1000);

public sealed record DurationRule(int? Min = null, int? Max = null, List<int>? Values = null, int Default = 10)
{
    public bool Allows(int seconds) => Values is { Count: > 0 } ? Values.Contains(seconds) : seconds >= (Min ?? 1) && seconds <= (Max ?? 10);
}

public sealed record AspectBounds(double Min, double Max);

public sealed record ModelLimits(int MaxConcurrentGenerations, int MaxDailyGenerations);

public static class Ratio
{
    /// <summary>"1280:720" → (1280, 720); null when not two positive even-able integers.</summary>
    public static (int Width, int Height)? Parse(string ratio)
    {
        var parts = ratio.Split(':');
        if (parts.Length != 2 || !int.TryParse(parts[0], out var w) || !int.TryParse(parts[1], out var h) || w <= 0 || h <= 0 || w > 8000 || h > 8000)
            return null;
        return (w, h);
    }
}
