using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Reelay.Server.Features.Engines;
using Reelay.Server.Features.Idempotency;
using Reelay.Server.Features.Runway;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Docs;

/// <summary>
/// Per route of the document: who may call it (bearer schemes), the headers it reads, and the statuses it really
/// answers with, in its surface's error shape. Routes that already state their responses (the worker protocol's
/// .Produces) keep them; only what they lack is added.
/// </summary>
public static class OpenApiRoutes
{
    public const string ApiKeyScheme = "apiKey";
    public const string AdminScheme = "adminToken";
    public const string WorkerScheme = "workerToken";

    private static readonly Dictionary<int, string> RunwayStatuses = new()
    {
        [400] = "Bad request: validation of the body or path failed (see 'issues'), the body is not a JSON object, X-Runway-Version is missing or wrong, " +
                "not enough credits, or a bad Idempotency-Key / X-Reelay-Simulate header. 'docUrl' names the section of /docs/errors.",
        [401] = "The API key is missing, malformed, unknown or disabled (/docs/errors#authentication).",
        [404] = "No such task in this organization, or it was deleted (/docs/errors#not-found).",
        [409] = "A request with this Idempotency-Key is still being processed (/docs/errors#idempotency).",
        [413] = JsonBody.TooLarge + " (/docs/errors#request-body)",
        [422] = "This Idempotency-Key was used with a different request (/docs/errors#idempotency).",
        [429] = "The organization reached its daily generation limit for the model; see Retry-After (/docs/errors#daily-limit).",
        [503] = "The server is at capacity; see Retry-After (/docs/errors#overloaded).",
    };

    private static readonly Dictionary<int, string> RunBlobStatuses = new()
    {
        [400] = "The request is refused: both image fields, a bad callback_url, an asset problem, or a bad Idempotency-Key.",
        [401] = "Missing or invalid credentials.",
        [402] = "INSUFFICIENT_CREDITS.",
        [404] = "Generation not found.",
        [409] = "A request with this Idempotency-Key is still being processed.",
        [413] = JsonBody.TooLarge,
        [422] = "Validation failed ('detail' lists pydantic errors), or the Idempotency-Key was used with a different request.",
        [429] = "The daily generation limit was reached; see Retry-After.",
        [503] = "The server is at capacity; see Retry-After.",
    };

    public static OpenApiOperation? Find(OpenApiDocument document, string path, HttpMethod method) =>
        document.Paths.TryGetValue(path, out var item) && item.Operations?.TryGetValue(method, out var operation) == true ? operation : null;

    /// <summary>Adds (or replaces) a component schema and returns a reference to it.</summary>
    public static OpenApiSchemaReference Reference(OpenApiDocument document, string name, IOpenApiSchema schema)
    {
        document.Components!.Schemas![name] = schema;
        return new OpenApiSchemaReference(name, document);
    }

    public static void Describe(OpenApiDocument document)
    {
        AddSecuritySchemes(document);
        foreach (var (path, item) in document.Paths)
        foreach (var (method, operation) in item.Operations ?? [])
        {
            if (path.StartsWith("/v1/sora", StringComparison.Ordinal) || path.StartsWith("/v1/data", StringComparison.Ordinal)) RunBlob(document, path, operation);
            else if (path.StartsWith("/v1/", StringComparison.Ordinal)) Runway(document, path, method, operation);
            else if (path.StartsWith("/admin/", StringComparison.Ordinal)) Secure(document, operation, AdminScheme);
            else if (path.StartsWith("/worker/", StringComparison.Ordinal) && !path.StartsWith("/worker/v1/inputs/", StringComparison.Ordinal)) Secure(document, operation, WorkerScheme);
        }
    }

    private static void Runway(OpenApiDocument document, string path, HttpMethod method, OpenApiOperation operation)
    {
        Secure(document, operation, ApiKeyScheme);
        AddHeader(operation, RunwayErrors.VersionHeader, true, $"The API version; only {RunwayErrors.SupportedVersion} exists.", JsonValue.Create(RunwayErrors.SupportedVersion));
        var statuses = new List<int> { 400, 401 };
        if (method == HttpMethod.Post) statuses.Add(413);
        if (RunwayDialect.Endpoints.Any(e => path == "/v1/" + e))
        {
            AddCreateHeaders(operation);
            Respond(operation, 200, "The task was created (or, with Idempotency-Key, the first response replayed).", OpenApiShapes.Ref(document, OpenApiShapes.CreatedTask), replay: true);
            statuses.AddRange([409, 422, 429, 503]);
        }
        else if (path.StartsWith("/v1/generate/", StringComparison.Ordinal))
        {
            AddCreateHeaders(operation);
            Respond(operation, 200, "A model was chosen and its task created (or, with Idempotency-Key, the first response replayed).", OpenApiShapes.Ref(document, OpenApiShapes.RoutedTask), replay: true);
            statuses.AddRange([409, 422, 429, 503]);
        }
        else if (path == "/v1/tasks/{id}")
        {
            statuses.Add(404);
            if (method == HttpMethod.Get) Respond(operation, 200, "The task.", OpenApiShapes.Ref(document, OpenApiShapes.TaskObject));
            else Respond(operation, 204, "Deleted: an active task was cancelled first. The task is not found afterwards.", null);
        }
        foreach (var status in statuses) Respond(operation, status, RunwayStatuses[status], OpenApiShapes.Ref(document, OpenApiShapes.RunwayError), status is 429 or 503);
    }

    private static void RunBlob(OpenApiDocument document, string path, OpenApiOperation operation)
    {
        Secure(document, operation, ApiKeyScheme);
        var statuses = new List<int> { 401 };
        switch (path)
        {
            case "/v1/sora/generate":
                AddCreateHeaders(operation);
                Respond(operation, 201, "The generation was created (or, with Idempotency-Key, the first response replayed).", OpenApiShapes.Ref(document, OpenApiShapes.RunBlobCreated), replay: true);
                statuses.AddRange([400, 402, 409, 413, 422, 429, 503]);
                break;
            case "/v1/sora/generations/{id}":
                Respond(operation, 200, "The generation.", OpenApiShapes.Ref(document, OpenApiShapes.RunBlobGeneration));
                statuses.Add(404);
                break;
            case "/v1/sora/generations":
                Respond(operation, 200, "The organization's generations, newest first.", new OpenApiSchema { Type = JsonSchemaType.Array, Items = OpenApiShapes.Ref(document, OpenApiShapes.RunBlobGeneration) });
                statuses.Add(422);
                break;
            case "/v1/data/balance":
                Respond(operation, 200, "The balance.", OpenApiShapes.Ref(document, OpenApiShapes.RunBlobBalance));
                break;
        }
        foreach (var status in statuses) Respond(operation, status, RunBlobStatuses[status], OpenApiShapes.Ref(document, OpenApiShapes.RunBlobError), status is 429 or 503);
    }

    private static void AddCreateHeaders(OpenApiOperation operation)
    {
        AddHeader(operation, IdempotencyKeys.Header, false,
            $"Makes retries safe: the same key and body within {IdempotencyKeys.Lifetime.TotalHours} h replay the first response (/docs/errors#idempotency).", null);
        AddHeader(operation, Simulation.Header, false, "Sandbox controls, e.g. 'delay=5, fail=SAFETY.INPUT.IMAGE' (/docs/errors#sandbox).", null);
    }

    /// <summary>Sets one status's response; the default "200 OK" without content that ASP.NET adds is dropped when another 2xx is stated.</summary>
    private static void Respond(OpenApiOperation operation, int status, string description, IOpenApiSchema? schema, bool retryAfter = false, bool replay = false)
    {
        operation.Responses ??= new OpenApiResponses();
        var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (status is >= 200 and < 300 && key != "200" && operation.Responses.TryGetValue("200", out var ok) && ok.Content is not { Count: > 0 })
            operation.Responses.Remove("200");
        var response = new OpenApiResponse { Description = description, Headers = new Dictionary<string, IOpenApiHeader>() };
        if (schema is not null) response.Content = new Dictionary<string, OpenApiMediaType> { [CatalogOpenApi.JsonType] = new() { Schema = schema } };
        if (retryAfter) response.Headers["Retry-After"] = new OpenApiHeader { Description = "Seconds to wait before retrying.", Schema = new OpenApiSchema { Type = JsonSchemaType.Integer } };
        if (replay) response.Headers["Idempotent-Replayed"] = new OpenApiHeader { Description = "'true' when this is a replay of the key's first response.", Schema = new OpenApiSchema { Type = JsonSchemaType.String } };
        operation.Responses[key] = response;
    }

    private static void AddHeader(OpenApiOperation operation, string name, bool required, string description, JsonNode? only)
    {
        operation.Parameters ??= [];
        if (operation.Parameters.Any(p => p.Name == name && p.In == ParameterLocation.Header)) return;
        var schema = new OpenApiSchema { Type = JsonSchemaType.String };
        if (only is not null) (schema.Enum, schema.Default) = ([only.DeepClone()], only.DeepClone());
        operation.Parameters.Add(new OpenApiParameter { Name = name, In = ParameterLocation.Header, Required = required, Description = description, Schema = schema });
    }

    private static void Secure(OpenApiDocument document, OpenApiOperation operation, string scheme)
    {
        if (document.Components?.SecuritySchemes?.ContainsKey(scheme) != true) return;
        operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(scheme, document)] = [] }];
    }

    private static void AddSecuritySchemes(OpenApiDocument document)
    {
        var schemes = document.Components!.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        schemes[ApiKeyScheme] = Bearer("key_…", "An API key of the organization: 'Authorization: Bearer key_' followed by 128 lowercase hex digits (admin API or portal).");
        schemes[AdminScheme] = Bearer(null, "The operator's Admin:Token.");
        if (document.Paths.Keys.Any(p => p.StartsWith("/worker/", StringComparison.Ordinal)))
            schemes[WorkerScheme] = Bearer(null, "The remote workers' Workers:Token.");
    }

    private static OpenApiSecurityScheme Bearer(string? format, string description) =>
        new() { Type = SecuritySchemeType.Http, Scheme = "bearer", BearerFormat = format, Description = description };
}
