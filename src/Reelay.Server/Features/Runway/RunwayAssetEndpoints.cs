using System.Text.Json;
using Reelay.Server.Features.Auth;
using Reelay.Server.Features.Docs;
using Reelay.Server.Features.Catalog;
using Reelay.Server.Features.Tasks;
using Reelay.Server.Infrastructure;

using Reelay.Server.Features.Assets;

namespace Reelay.Server.Features.Runway;

public static class RunwayAssetEndpoints
{
    /// <summary>
    /// The preflight: the troubleshooting guide's `curl -I`, run by the server itself. Same checks as a
    /// task's intake, no task and no charge; answers 200 with the report whatever the verdict.
    /// </summary>
    public static void MapAssetChecks(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/v1").RequireRunwayCaller().WithTags("Assets").MapPost("/assets/check", async (HttpContext http, AssetIntake intake, ModelCatalog catalog) =>
        {
            var (document, status, error) = await JsonBody.ReadObjectAsync(http.Request, http.RequestAborted);
            if (document is null) return RunwayErrors.Error(http, status, error!, DocAnchor.RequestBody);
            using (document)
            {
                var (request, issues) = Parse(document.RootElement, catalog);
                if (request is null) return RunwayErrors.Validation(http, issues);
                var (asset, report) = await intake.CheckAsync(request.Uri, request.Kind, request.Aspect, Caller.From(http).OrgId, http.RequestAborted);
                asset?.DeleteIfTemporary();
                return Results.Json(report);
            }
        });
    }

    private sealed record CheckRequest(string Uri, AssetKind Kind, AspectBounds? Aspect);

    private static readonly (string Name, AssetKind Kind)[] Kinds = [("image", AssetKind.Image), ("video", AssetKind.Video), ("audio", AssetKind.Audio)];

    private static (CheckRequest? Request, List<ValidationIssue> Issues) Parse(JsonElement body, ModelCatalog catalog)
    {
        var issues = new List<ValidationIssue>();
        var unknown = body.EnumerateObject().Select(p => p.Name).Where(n => n is not ("uri" or "kind" or "model")).ToList();
        if (unknown.Count > 0)
            issues.Add(new ValidationIssue("unrecognized_keys", [], $"Unrecognized key(s) in object: {string.Join(", ", unknown.Select(k => $"'{k}'"))}") { Keys = unknown });
        string? uri = null;
        if (!body.TryGetProperty("uri", out var u)) issues.Add(ValidationIssue.Required(["uri"], "string"));
        else if (u.ValueKind != JsonValueKind.String) issues.Add(ValidationIssue.WrongType(["uri"], "string", u));
        else uri = u.GetString();
        var kind = AssetKind.Image;
        if (body.TryGetProperty("kind", out var k))
        {
            if (k.ValueKind == JsonValueKind.String && Kinds.FirstOrDefault(x => x.Name == k.GetString()) is { Name: not null } known) kind = known.Kind;
            else issues.Add(new ValidationIssue("invalid_enum_value", ["kind"], $"Invalid enum value. Expected {string.Join(" | ", Kinds.Select(x => $"'{x.Name}'"))}, received '{k}'") { Options = [.. Kinds.Select(x => x.Name)] });
        }
        AspectBounds? aspect = null;
        if (body.TryGetProperty("model", out var m))
        {
            if (m.ValueKind == JsonValueKind.String && catalog.Find(m.GetString()!) is { } model) aspect = kind == AssetKind.Image ? model.ImageAspect : null;
            else issues.Add(new ValidationIssue("invalid_enum_value", ["model"], $"Invalid enum value. Expected {string.Join(" | ", catalog.Models.Select(x => $"'{x.Id}'"))}, received '{m}'"));
        }
        return issues.Count > 0 || uri is null ? (null, issues) : (new CheckRequest(uri, kind, aspect), issues);
    }
}
