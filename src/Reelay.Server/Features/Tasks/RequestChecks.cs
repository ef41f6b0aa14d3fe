using System.Text.Json;
using Reelay.Server.Features.Assets;
using Reelay.Server.Features.Catalog;

namespace Reelay.Server.Features.Tasks;

/// <summary>A body checked against its model's schema and its media checked by intake; the assets are ours to store or delete.</summary>
public sealed record CheckedRequest(ModelDefinition? Model, EndpointDefinition? Endpoint, ValidatedBody? Body,
    IReadOnlyList<(PendingMedia Input, CheckedAsset Asset)> Assets, List<ValidationIssue> Issues);

/// <summary>
/// Picks the model a body names on an endpoint, validates the body against the model's schema, then runs asset
/// intake on every media input at once (one slow host does not add up per input) and the checks that need what
/// intake found (clip lengths, totals, sizes). Issues of every stage are reported together.
/// </summary>
public static class RequestChecks
{
    public static async Task<CheckedRequest> CheckAsync(CoreBody core, ModelCatalog catalog, AssetIntake intake, string orgId, CancellationToken cancellationToken)
    {
        var (model, modelIssue) = SelectModel(core, catalog);
        if (model is null) return new CheckedRequest(null, null, null, [], [modelIssue!]);
        var endpoint = model.Endpoints[core.Endpoint];
        var body = ValidateBody(core.Body, endpoint);
        var issues = body.Issues;
        var results = await Task.WhenAll(body.Media.Select(m => CheckOneAsync(m, intake, orgId, cancellationToken)));
        var assets = new List<(PendingMedia, CheckedAsset)>();
        for (var i = 0; i < results.Length; i++)
        {
            if (results[i].Asset is { } asset) assets.Add((body.Media[i], asset));
            else issues.Add(ValidationIssue.Custom(body.Media[i].Path, results[i].Reason!));
        }
        issues.AddRange(MediaRules.Check(assets, body.Options));
        if (issues.Count == 0) return new CheckedRequest(model, endpoint, body, assets, issues);
        foreach (var (_, asset) in assets) asset.DeleteIfTemporary();
        return new CheckedRequest(model, endpoint, body, [], Bounded(issues));
    }

    /// <summary>The body minus "model" against the model's closed schema; "model" itself is the selector, known to be valid here.</summary>
    public static ValidatedBody ValidateBody(JsonElement body, EndpointDefinition endpoint)
    {
        return RequestValidator.Validate(body, endpoint.Body, selector: "model");
    }

    public static (ModelDefinition? Model, ValidationIssue? Issue) SelectModel(CoreBody core, ModelCatalog catalog)
    {
        var models = catalog.ServingEndpoint(core.Endpoint);
        if (!core.Body.TryGetProperty("model", out var element)) return (null, ValidationIssue.Required(["model"], "string"));
        if (element.ValueKind != JsonValueKind.String) return (null, ValidationIssue.WrongType(["model"], "string", element));
        var id = element.GetString()!;
        if (models.FirstOrDefault(m => m.Id == id) is { } model) return (model, null);
        var options = models.Select(m => m.Id).ToList();
        // A model that exists on another endpoint says so: the list alone reads as if the model were unknown.
        var elsewhere = catalog.Find(id) is { } other ? $" {id} serves {string.Join(", ", other.Endpoints.Keys.Select(e => "/v1/" + e))}, not /v1/{core.Endpoint}." : "";
        return (null, new ValidationIssue("invalid_enum_value", ["model"],
            $"Invalid enum value. Expected {string.Join(" | ", options.Select(o => $"'{o}'"))}, received '{id}'{(elsewhere.Length > 0 ? "." + elsewhere : "")}")
        { Options = options.Cast<object>().ToList(), Received = id });
    }

    private static async Task<(CheckedAsset? Asset, string? Reason)> CheckOneAsync(PendingMedia media, AssetIntake intake, string orgId, CancellationToken cancellationToken)
    {
        var aspect = media.Schema.Aspect ?? (media.Kind == AssetKind.Image ? AspectBounds.Default : null);
        var (asset, report) = media.Schema.Encoding == "base64"
            ? await intake.CheckBase64ImageAsync(media.Uri, aspect, cancellationToken)
            : await intake.CheckAsync(media.Uri, media.Kind, aspect, orgId, cancellationToken);
        return (asset, report.Reason);
    }

    /// <summary>At most <see cref="RequestValidator.MaxIssues"/> issues; the last one says how many more there were.</summary>
    public static List<ValidationIssue> Bounded(List<ValidationIssue> issues)
    {
        if (issues.Count <= RequestValidator.MaxIssues) return issues;
        var kept = issues.Take(RequestValidator.MaxIssues - 1).ToList();
        kept.Add(ValidationIssue.Custom([], $"{issues.Count - kept.Count} more issue(s) were found and not listed; fix the ones above first."));
        return kept;
    }
}
