using System.Text.Json;
using System.Text.Json.Nodes;
using Reelay.Server.Features.Auth;
using Reelay.Server.Features.Catalog;
using Reelay.Server.Features.Docs;
using Reelay.Server.Features.Queue;
using Reelay.Server.Features.Router;
using Reelay.Server.Features.Tasks;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Runway;

/// <summary>
/// POST /v1/generate/{video,image,audio} (generate.*.create): a saved router config picks the model
/// (<see cref="RouterDecision"/>), then the request goes through the one submission pipeline as a request to that
/// model, and the answer is the SDK's {id, routing{…}}.
/// </summary>
public static class RunwayRouterEndpoints
{
    public static void MapRunwayRouter(this IEndpointRouteBuilder app, ModelCatalog catalog)
    {
        var group = app.MapGroup("/v1/generate").RequireRunwayCaller().WithTags("Runway: model router");
        foreach (var kind in RouterCatalog.Kinds.Where(k => catalog.Routers.Configs.Any(c => c.Kind == k)))
            group.MapPost($"/{kind}", (HttpContext http, Submission submission, Db db) => submission.SubmitAsync(http, Dialect(http, kind, catalog, db)))
                .WithName($"generate_{kind}");
    }

    private static SubmissionDialect Dialect(HttpContext http, string kind, ModelCatalog catalog, Db db)
    {
        Routed? routed = null;
        return new SubmissionDialect(
            "runway",
            async bytes =>
            {
                var (document, status, error) = JsonBody.Parse(bytes);
                if (document is null) return (null, RunwayErrors.Error(http, status, error!, DocAnchor.RequestBody));
                using (document)
                {
                    var (route, issues) = await RouteAsync(document.RootElement, kind, catalog, db, Caller.From(http).OrgId);
                    if (route is null) return (null, RunwayErrors.Validation(http, issues));
                    routed = route;
                    return (new CoreBody(route.Request.Endpoint, JsonSerializer.SerializeToElement(route.Request.Body)), null);
                }
            },
            refusal => refusal.Failure switch
            {
                // Issues of the chosen model's request name the router input's fields.
                SubmissionFailure.Validation => RunwayErrors.Validation(http, routed is null ? refusal.Issues
                    : refusal.Issues.Select(i => i with { Path = routed.Request.InputPath(i.Path) }).ToList()),
                SubmissionFailure.BodyUnreadable when refusal.BodyError is { } body => RunwayErrors.Error(http, refusal.Status, body, RunwayDialect.Anchor(refusal.Failure)),
                _ => RunwayErrors.Error(http, refusal.Status, refusal.Message, RunwayDialect.Anchor(refusal.Failure)),
            },
            (taskId, price) => new CreatedResponse(200, Answer(taskId, price, routed!, kind)));
    }

    private sealed record Routed(RouterConfig Config, RouteCandidate Choice, CapacityFallback? Fallback, RoutedRequest Request, JsonObject Input, EndpointDefinition Endpoint);

    /// <summary>The body's shape, the config, the input against its modality's schema, then the decision over the config's models.</summary>
    private static async Task<(Routed? Route, List<ValidationIssue> Issues)> RouteAsync(JsonElement body, string kind, ModelCatalog catalog, Db db, string orgId)
    {
        var issues = Shape(body);
        if (issues.Count > 0) return (null, issues);
        var configId = body.GetProperty("configId").GetString()!;
        var config = catalog.Routers.Find(configId);
        if (config is null || config.Kind != kind)
        {
            var known = catalog.Routers.Configs.Where(c => c.Kind == kind).Select(c => $"'{c.ConfigId}'");
            return (null, [ValidationIssue.Custom(["configId"], $"No router config '{configId}' routes /v1/generate/{kind}. Configs: {string.Join(", ", known)}.")]);
        }
        var inputElement = body.GetProperty("input");
        var checkedInput = RequestValidator.Validate(inputElement, catalog.Routers.Inputs[kind], ["input"]);
        if (checkedInput.Issues.Count > 0) return (null, RequestChecks.Bounded(checkedInput.Issues));
        var input = (JsonObject)JsonNode.Parse(inputElement.GetRawText())!;
        var candidates = new List<(RouteCandidate Candidate, RoutedRequest Request, EndpointDefinition? Endpoint)>();
        await using var connection = await db.OpenAsync();
        foreach (var id in config.Models)
        {
            var model = catalog.Find(id)!;
            var request = RouterInputs.Map(kind, input, model);
            var endpoint = model.Endpoints.GetValueOrDefault(request.Endpoint);
            var (credits, unsupported) = request.Unsupported is null && endpoint is not null ? Estimate(request, endpoint) : (0, request.Unsupported);
            var atCapacity = unsupported is null && await AtCapacityAsync(connection, orgId, model);
            candidates.Add((new RouteCandidate(catalog.Routers.Models[id], credits, atCapacity, unsupported), request, endpoint));
        }
        var decision = RouterDecision.Decide(config, candidates.Select(c => c.Candidate).ToList());
        if (decision.Chosen is not { } chosen) return (null, [ValidationIssue.Custom(["input"], decision.Refusal!)]);
        var pick = candidates.First(c => c.Candidate == chosen);
        return (new Routed(config, chosen, decision.Fallback, pick.Request, input, pick.Endpoint!), []);
    }

    /// <summary>The request's price on one model, or why the model's schema refuses it (the first issue, with its field).</summary>
    private static (long Credits, string? Unsupported) Estimate(RoutedRequest request, EndpointDefinition endpoint)
    {
        var validated = RequestChecks.ValidateBody(JsonSerializer.SerializeToElement(request.Body), endpoint);
        if (validated.Issues.FirstOrDefault() is { } issue)
            return (0, $"{(issue.Path.Count > 0 ? string.Join(".", request.InputPath(issue.Path)) + ": " : "")}{issue.Message}");
        var plan = OutputPlanner.Plan(endpoint, validated.Options, [], 0);
        return (Pricing.For(endpoint, validated.Options, plan).HoldCredits, null);
    }

    /// <summary>The organization has no free concurrency slot for the model (its tasks queued or running fill its limit).</summary>
    private static async Task<bool> AtCapacityAsync(System.Data.Common.DbConnection connection, string orgId, ModelDefinition model)
    {
        var limits = await Limits.ForAsync(connection, null, orgId, model);
        return await TaskQueue.ActiveCountAsync(connection, null, orgId, model.Id) >= limits.MaxConcurrentGenerations;
    }

    /// <summary>{configId: string, input: object}, closed, as the SDK's params type says.</summary>
    private static List<ValidationIssue> Shape(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object) return [ValidationIssue.WrongType([], "object", body)];
        var issues = new List<ValidationIssue>();
        var extra = body.EnumerateObject().Select(p => p.Name).Where(n => n is not ("configId" or "input")).ToList();
        if (extra.Count > 0)
            issues.Add(new ValidationIssue("unrecognized_keys", [], $"Unrecognized key(s) in object: {string.Join(", ", extra.Select(k => $"'{k}'"))}") { Keys = extra });
        if (!body.TryGetProperty("configId", out var configId)) issues.Add(ValidationIssue.Required(["configId"], "string"));
        else if (configId.ValueKind != JsonValueKind.String) issues.Add(ValidationIssue.WrongType(["configId"], "string", configId));
        if (!body.TryGetProperty("input", out var input)) issues.Add(ValidationIssue.Required(["input"], "object"));
        else if (input.ValueKind != JsonValueKind.Object) issues.Add(ValidationIssue.WrongType(["input"], "object", input));
        return issues;
    }

    private static string Answer(string taskId, TaskPrice price, Routed r, string kind)
    {
        var routing = new JsonObject
        {
            ["configId"] = r.Config.ConfigId,
            ["estimatedCost"] = new JsonObject { ["credits"] = price.HoldCredits },
            ["model"] = r.Choice.Model.Model,
            ["provider"] = r.Choice.Model.Provider,
            ["resolvedInput"] = RouterResolvedInput.For(kind, r.Input, r.Request, r.Endpoint),
            ["resolvedSettings"] = new JsonObject { ["optimizeFor"] = r.Config.OptimizeFor, ["priceCeiling"] = r.Config.PriceCeiling },
        };
        if (r.Fallback is { } fallback)
            routing["capacityFallback"] = new JsonObject { ["allExhausted"] = fallback.AllExhausted, ["skipped"] = new JsonArray(fallback.Skipped.Select(s => (JsonNode)s).ToArray()) };
        return new JsonObject { ["id"] = taskId, ["routing"] = routing }.ToJsonString();
    }
}
