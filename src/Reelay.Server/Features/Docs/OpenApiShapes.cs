using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace Reelay.Server.Features.Docs;

/// <summary>
/// The response bodies of the Runway and RunBlob surfaces as component schemas, written out rather than inferred
/// from the C# records: the records omit absent fields per status (a task's shape depends on its status), and the
/// serializer's number handling would make every integer "integer or string".
/// </summary>
public static class OpenApiShapes
{
    public const string RunwayError = "RunwayError";
    public const string ValidationIssue = "ValidationIssue";
    public const string CreatedTask = "CreatedTask";
    public const string TaskObject = "Task";
    public const string RoutedTask = "RoutedTask";
    public const string RunBlobError = "RunBlobError";
    public const string RunBlobCreated = "RunBlobCreated";
    public const string RunBlobGeneration = "RunBlobGeneration";
    public const string RunBlobBalance = "RunBlobBalance";

    public static void AddComponents(OpenApiDocument document)
    {
        var schemas = document.Components!.Schemas!;
        schemas[ValidationIssue] = Closed("One problem with the request, in Zod's vocabulary.", ["code", "path", "message"], new()
        {
            ["code"] = Str("invalid_type, invalid_enum_value, invalid_union, too_small, too_big, invalid_string, unrecognized_keys or custom."),
            ["path"] = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Integer }, Description = "Where the problem is: [] for the body, [\"promptImage\", 0, \"uri\"] for a nested field." },
            ["message"] = Str("What is wrong, as a sentence."),
            ["expected"] = Str(), ["received"] = Str(),
            ["keys"] = Array(Str(), "unrecognized_keys: the keys that are not allowed."),
            ["options"] = Array(new OpenApiSchema(), "invalid_enum_value: the allowed values."),
        }, open: true);
        schemas[RunwayError] = Closed("A Runway-surface error: 'docUrl' links to the /docs/errors section that explains it.", ["error"], new()
        {
            ["error"] = Str("The error message."),
            ["docUrl"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uri", Description = "A section of /docs/errors: cause and fix." },
            ["issues"] = Array(Ref(document, ValidationIssue), "Every problem with the request at once (validation errors only)."),
        });
        schemas[CreatedTask] = Closed("The task was created; poll GET /v1/tasks/{id}.", ["id", "estimatedCost"], new()
        {
            ["id"] = Uuid(), ["estimatedCost"] = Credits("The credits held for the task (charged on success)."),
        });
        schemas[RoutedTask] = Closed("The router picked a model and created its task; poll GET /v1/tasks/{id}.", ["id", "routing"], new()
        {
            ["id"] = Uuid(),
            ["routing"] = Closed("Which model the router selected and why.", ["configId", "estimatedCost", "model", "provider", "resolvedInput", "resolvedSettings"], new()
            {
                ["configId"] = Str("The router config applied."),
                ["estimatedCost"] = Credits("The credits held for the task (charged on success)."),
                ["model"] = Str("The model selected."),
                ["provider"] = Str("The provider of the selected model."),
                ["resolvedInput"] = new OpenApiSchema { Type = JsonSchemaType.Object, Description = "Request-side values resolved for the selected model (by modality)." },
                ["resolvedSettings"] = Closed("The config's settings used.", ["optimizeFor", "priceCeiling"], new()
                {
                    ["optimizeFor"] = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create("cost"), JsonValue.Create("latency"), JsonValue.Create("quality")] },
                    ["priceCeiling"] = new OpenApiSchema { Type = JsonSchemaType.Number | JsonSchemaType.Null, Description = "Credits per generation, or null for none." },
                }),
                ["capacityFallback"] = Closed("Present when the config passes over models at capacity and capacity affected this request.", ["allExhausted", "skipped"], new()
                {
                    ["allExhausted"] = new OpenApiSchema { Type = JsonSchemaType.Boolean },
                    ["skipped"] = new OpenApiSchema { Type = JsonSchemaType.Array, Items = Str() },
                }),
            }),
        });
        AddTask(document);
        AddRunBlob(document);
    }

    private static void AddTask(OpenApiDocument document)
    {
        var schemas = document.Components!.Schemas!;
        var union = new OpenApiSchema
        {
            Description = "A task; the fields present depend on its status.", OneOf = [],
            Discriminator = new OpenApiDiscriminator { PropertyName = "status", Mapping = new Dictionary<string, OpenApiSchemaReference>() },
        };
        foreach (var (name, statuses, extra, required) in new (string, string[], Dictionary<string, IOpenApiSchema>, string[])[]
        {
            ("TaskWaiting", ["PENDING", "THROTTLED"], new() { ["estimatedCost"] = Credits("Credits held.") }, ["estimatedCost"]),
            ("TaskRunning", ["RUNNING"], new() { ["progress"] = new OpenApiSchema { Type = JsonSchemaType.Number, Minimum = "0", Maximum = "1" }, ["estimatedCost"] = Credits("Credits held.") }, ["progress", "estimatedCost"]),
            ("TaskSucceeded", ["SUCCEEDED"], new() { ["output"] = Array(new OpenApiSchema { Type = JsonSchemaType.String, Format = "uri" }, "Signed, expiring URLs of the outputs; every GET signs fresh ones."), ["cost"] = Credits("Credits charged.") }, ["output", "cost"]),
            ("TaskFailed", ["FAILED"], new() { ["failure"] = Str("What went wrong."), ["failureCode"] = Str("Dot-separated, generic to specific (SAFETY.INPUT.IMAGE); see /docs/errors#failure-codes."), ["cost"] = Credits("Credits charged (moderation failures are charged, system failures are not).") }, ["failure", "cost"]),
            ("TaskCancelled", ["CANCELLED"], new() { ["cost"] = Credits("Always 0.") }, ["cost"]),
        })
        {
            var properties = new Dictionary<string, IOpenApiSchema>
            {
                ["id"] = Uuid(),
                ["createdAt"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "date-time" },
                ["status"] = new OpenApiSchema { Type = JsonSchemaType.String, Enum = statuses.Select(s => (JsonNode)JsonValue.Create(s)).ToList() },
            };
            foreach (var (key, value) in extra) properties[key] = value;
            schemas[name] = Closed($"A task whose status is {string.Join(" or ", statuses)}.", ["id", "createdAt", "status", .. required], properties);
            var reference = Ref(document, name);
            union.OneOf.Add(reference);
            foreach (var status in statuses) union.Discriminator.Mapping[status] = reference;
        }
        schemas[TaskObject] = union;
    }

    private static void AddRunBlob(OpenApiDocument document)
    {
        var schemas = document.Components!.Schemas!;
        schemas["PydanticError"] = Closed("One validation error, in pydantic's vocabulary.", ["type", "loc", "msg"], new()
        {
            ["type"] = Str("missing, string_type, string_too_long, enum, int_type, url_scheme, json_invalid, …"),
            ["loc"] = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Integer } },
            ["msg"] = Str(), ["input"] = new OpenApiSchema(), ["ctx"] = new OpenApiSchema { Type = JsonSchemaType.Object },
        });
        schemas[RunBlobError] = Closed("A RunBlob-surface error: 'detail' is a message, or for 422 the list of validation errors.", ["detail"], new()
        {
            ["detail"] = new OpenApiSchema { AnyOf = [Str(), Array(Ref(document, "PydanticError"))] },
        });
        schemas[RunBlobCreated] = Closed("The generation was created; poll GET /v1/sora/generations/{id}.", ["generation_id", "status", "price"], new()
        {
            ["generation_id"] = Uuid(),
            ["status"] = new OpenApiSchema { Type = JsonSchemaType.String, Const = "pending", Enum = [JsonValue.Create("pending")] },
            ["price"] = Str("USD with four decimals (1 credit = USD 0.01)."),
        });
        string[] fields = ["generation_id", "status", "prompt", "video_url", "created_at", "completed_at", "progress_pct", "progress_pos_in_queue", "error_message"];
        schemas[RunBlobGeneration] = Closed("A generation; every field is present, null where it does not apply.", fields, new()
        {
            ["generation_id"] = Uuid(),
            ["status"] = new OpenApiSchema { Type = JsonSchemaType.String, Enum = ["pending", "processing", "completed", "failed"] },
            ["prompt"] = Str(),
            ["video_url"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null, Format = "uri" },
            ["created_at"] = Str("UTC, ISO 8601 without a zone suffix, microseconds."),
            ["completed_at"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
            ["progress_pct"] = new OpenApiSchema { Type = JsonSchemaType.Integer | JsonSchemaType.Null, Minimum = "0", Maximum = "100" },
            ["progress_pos_in_queue"] = new OpenApiSchema { Type = JsonSchemaType.Integer | JsonSchemaType.Null, Minimum = "1" },
            ["error_message"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
        });
        schemas[RunBlobBalance] = Closed("The organization's balance.", ["balance"], new() { ["balance"] = Str("USD with four decimals.") });
    }

    public static OpenApiSchemaReference Ref(OpenApiDocument document, string name) => new(name, document);

    private static OpenApiSchema Closed(string description, string[] required, Dictionary<string, IOpenApiSchema> properties, bool open = false)
    {
        var schema = new OpenApiSchema { Description = description };
        OpenApiSchemas.Close(schema, properties, required);
        schema.AdditionalPropertiesAllowed = open;
        return schema;
    }

    private static OpenApiSchema Str(string? description = null) => new() { Type = JsonSchemaType.String, Description = description };

    private static OpenApiSchema Uuid() => new() { Type = JsonSchemaType.String, Format = "uuid" };

    private static OpenApiSchema Array(IOpenApiSchema items, string? description = null) => new() { Type = JsonSchemaType.Array, Items = items, Description = description };

    private static OpenApiSchema Credits(string description)
    {
        var schema = new OpenApiSchema { Description = description };
        OpenApiSchemas.Close(schema, new Dictionary<string, IOpenApiSchema> { ["credits"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "0" } }, ["credits"]);
        return schema;
    }
}
