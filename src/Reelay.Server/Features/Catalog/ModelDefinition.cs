using System.Text.Json.Nodes;

namespace Reelay.Server.Features.Catalog;

/// <summary>
/// A model of the catalog: its engine (the first of <see cref="Engines"/> when the catalog names several, in priority
/// order, for fallback), its default limits and the endpoints it serves.
/// </summary>
public sealed record ModelDefinition(
    string Id,
    string Engine,
    IReadOnlyDictionary<string, EndpointDefinition> Endpoints,
    ModelLimits? Limits = null,
    string? PriceNote = null,
    bool Legacy = false,
    IReadOnlyList<string>? EngineChain = null)
{
    /// <summary>The engines that may serve the model, in priority order ("engines"), or just its one "engine".</summary>
    public IReadOnlyList<string> Engines => EngineChain ?? [Engine];

    public ModelLimits DefaultLimits => Limits ?? new ModelLimits(2, 200);

    /// <summary>The aspect bounds of the model's prompt images (what the asset checker applies when told the model).</summary>
    public AspectBounds ImageAspect => Endpoints.Values.SelectMany(e => Images(e.Body)).Select(i => i.Aspect).FirstOrDefault(a => a is not null) ?? AspectBounds.Default;

    private static IEnumerable<RequestSchema> Images(RequestSchema s) =>
        (s.Media == MediaKind.Image ? [s] : Enumerable.Empty<RequestSchema>())
        .Concat((s.Properties?.Values ?? []).Concat(s.AnyOf ?? []).Concat(s.Items is null ? [] : [s.Items]).SelectMany(Images));
}

/// <summary>
/// One endpoint of a model: its closed request schema (the body's fields besides "model"), what it outputs, the
/// engine's defaults for absent fields and its price.
/// </summary>
public sealed record EndpointDefinition(string Output, RequestSchema Body, JsonObject Defaults, PriceDefinition Price)
{
    public IReadOnlyDictionary<string, RequestSchema> Fields => Body.Properties!;
}

/// <summary>
/// Credits per second of output, per image, per task or per character of promptText (text-to-speech), adjusted by
/// the request's options (docs/catalog.md).
/// </summary>
public sealed record PriceDefinition(decimal? PerSecond, decimal? PerImage, decimal? PerTask, string? CountField, IReadOnlyList<PriceAdjustment> Adjust)
{
    public decimal? PerCharacter { get; init; }

    public decimal Rate(JsonObject options, long pixels)
    {
        var rate = PerSecond ?? PerImage ?? PerTask ?? PerCharacter ?? 0;
        foreach (var step in Adjust.Where(a => a.When.Holds(options, pixels)))
            rate = step.Set ?? rate + (step.Add ?? 0) * Units(options, step.Per);
        return rate;
    }

    /// <summary>An "add" counted per item of a list field (a credit per reference image), else once.</summary>
    private static decimal Units(JsonObject options, string? per) =>
        per is null ? 1 : options[per] is JsonArray list ? list.Count : 0;
}

public sealed record PriceAdjustment(SchemaCondition When, decimal? Set, decimal? Add, string? Per = null);

public sealed record ModelLimits(int MaxConcurrentGenerations, int MaxDailyGenerations);

public static class Ratio
{
    /// <summary>"1280:720" → (1280, 720); null when not two positive integers up to 8000.</summary>
    public static (int Width, int Height)? Parse(string ratio)
    {
        var parts = ratio.Split(':');
        if (parts.Length != 2 || !int.TryParse(parts[0], out var w) || !int.TryParse(parts[1], out var h) || w <= 0 || h <= 0 || w > 8000 || h > 8000)
            return null;
        return (w, h);
    }
}
