using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Reelay.Server.Features.Catalog;
using Reelay.Server.Features.RunBlob;
using Reelay.Server.Features.Runway;

namespace Reelay.Server.Features.Docs;

/// <summary>
/// Fills /openapi/v1.json from the catalog: each generation route's body is a oneOf over the models serving it,
/// discriminated by "model", each member the closed schema the validator enforces for that model. The handlers read
/// raw bytes (so idempotency can hash them), which is why nothing describes these bodies unless this does.
/// </summary>
public sealed class CatalogOpenApi(ModelCatalog catalog) : IOpenApiDocumentTransformer
{
    public const string JsonType = "application/json";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal);
        document.Info.Title = "Reelay";
        document.Info.Description = "A self-hosted generative-video API with the Runway developer API's surface and RunBlob's. " +
                                    "Request bodies are generated from the model catalog; every error's docUrl points into /docs/errors.";
        foreach (var endpoint in RunwayDialect.Endpoints)
            if (OpenApiRoutes.Find(document, "/v1/" + endpoint, HttpMethod.Post) is { } operation)
            {
                operation.Summary = $"Create a {endpoint.Replace('_', ' ')} task";
                operation.RequestBody = Body(GenerationSchema(document, endpoint), $"One of the models serving {endpoint}; `model` selects the schema.");
            }
        foreach (var kind in Router.RouterCatalog.Kinds)
            if (OpenApiRoutes.Find(document, $"/v1/generate/{kind}", HttpMethod.Post) is { } routed)
            {
                routed.Summary = $"Create a {kind} task with a Model Router config";
                routed.RequestBody = Body(RouterSchema(kind), "A saved router config (configId) and a model-agnostic input; the router picks the model.");
            }
        if (OpenApiRoutes.Find(document, "/v1/sora/generate", HttpMethod.Post) is { } sora && catalog.ServingEndpoint("sora_generate").FirstOrDefault() is { } model)
            sora.RequestBody = Body(OpenApiRoutes.Reference(document, "SoraGenerateRequest", RunBlobRequestSchema(model)), "RunBlob's body; extra fields are ignored.");
        OpenApiShapes.AddComponents(document);
        OpenApiRoutes.Describe(document);
        return Task.CompletedTask;
    }

    /// <summary>{configId: one of the configs of the modality, input: the modality's input schema}, closed.</summary>
    private OpenApiSchema RouterSchema(string kind)
    {
        var properties = new Dictionary<string, IOpenApiSchema>
        {
            ["configId"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String, Description = "The slug of a saved router config.",
                Enum = catalog.Routers.Configs.Where(c => c.Kind == kind).Select(c => (JsonNode)JsonValue.Create(c.ConfigId)!).ToList(),
            },
            ["input"] = OpenApiSchemas.Convert(catalog.Routers.Inputs[kind]),
        };
        var o = new OpenApiSchema { Title = $"Generate{char.ToUpperInvariant(kind[0])}{kind[1..]}" };
        OpenApiSchemas.Close(o, properties, ["configId", "input"]);
        return o;
    }

    /// <summary>"image_to_video" + "gen4.5" → "ImageToVideo_gen4_5": component names keep to letters, digits and '_'.</summary>
    public static string ComponentName(string endpoint, string modelId)
    {
        var prefix = string.Concat(endpoint.Split('_').Select(w => w.Length == 0 ? w : char.ToUpperInvariant(w[0]) + w[1..]));
        var name = new StringBuilder(prefix).Append('_');
        foreach (var c in modelId) name.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
        return name.ToString();
    }

    private static OpenApiRequestBody Body(IOpenApiSchema schema, string description) => new()
    {
        Required = true,
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType> { [JsonType] = new() { Schema = schema } },
    };

    private OpenApiSchema GenerationSchema(OpenApiDocument document, string endpoint)
    {
        var union = new OpenApiSchema
        {
            OneOf = [],
            Discriminator = new OpenApiDiscriminator { PropertyName = "model", Mapping = new Dictionary<string, OpenApiSchemaReference>(StringComparer.Ordinal) },
        };
        foreach (var model in catalog.ServingEndpoint(endpoint))
        {
            var name = ComponentName(endpoint, model.Id);
            while (document.Components!.Schemas!.ContainsKey(name)) name += "_"; // "gen4.5" and "gen4_5" would meet
            var reference = OpenApiRoutes.Reference(document, name, ModelSchema(endpoint, model));
            union.OneOf.Add(reference);
            union.Discriminator.Mapping[model.Id] = reference;
        }
        return union;
    }

    /// <summary>One model's body: "model" fixed to its id, its fields, its required list, closed.</summary>
    public static OpenApiSchema ModelSchema(string endpoint, ModelDefinition model)
    {
        var definition = model.Endpoints[endpoint];
        var properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal)
        {
            ["model"] = new OpenApiSchema { Type = JsonSchemaType.String, Const = model.Id, Enum = [JsonValue.Create(model.Id)], Description = "The model." },
        };
        foreach (var (field, schema) in definition.Fields) properties[field] = OpenApiSchemas.Convert(schema, definition.Defaults[field]);
        var o = new OpenApiSchema { Title = model.Id, Description = ModelDescription(endpoint, model, definition), Deprecated = model.Legacy };
        OpenApiSchemas.Close(o, properties, definition.Body.Required.Prepend("model"));
        return o;
    }

    private static string ModelDescription(string endpoint, ModelDefinition model, EndpointDefinition definition)
    {
        var price = definition.Price;
        var rate = price.PerSecond is { } perSecond ? $"{perSecond} credits per second of output"
            : price.PerImage is { } perImage ? $"{perImage} credits per image"
            : price.PerCharacter is { } perCharacter ? $"{perCharacter} credits per character of promptText"
            : $"{price.PerTask ?? 0} credits per task";
        var text = new StringBuilder($"`{model.Id}` on {endpoint}: {rate}");
        if (price.Adjust.Count > 0) text.Append(", adjusted by the options chosen");
        text.Append('.');
        if (model.PriceNote is { } note) text.Append($" ({note}.)");
        if (model.Legacy) text.Append(" Legacy: kept for older clients.");
        foreach (var rule in definition.Body.Rules) text.Append(' ').Append(OpenApiSchemas.RuleText(rule));
        text.Append($" At most {model.DefaultLimits.MaxConcurrentGenerations} running at once and {model.DefaultLimits.MaxDailyGenerations} a day per organization by default.");
        return text.ToString();
    }

    /// <summary>
    /// RunBlob's body in its own names, with the catalog's words and limits for the fields it maps onto (prompt →
    /// promptText, image_url → imageUrl, …). Open, as pydantic models are: extra keys are ignored, not refused.
    /// </summary>
    private static OpenApiSchema RunBlobRequestSchema(ModelDefinition model)
    {
        var endpoint = model.Endpoints["sora_generate"];
        OpenApiSchema From(string field, Action<OpenApiSchema>? adjust = null)
        {
            var schema = endpoint.Fields.TryGetValue(field, out var s) ? OpenApiSchemas.Convert(s, endpoint.Defaults[field]) : new OpenApiSchema { Type = JsonSchemaType.String };
            adjust?.Invoke(schema);
            return schema;
        }
        var properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal)
        {
            ["prompt"] = From("promptText", s => (s.MinLength, s.MaxLength) = (1, RunBlobSora.MaxPromptLength)),
            ["orientation"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String, Enum = [JsonValue.Create("9:16"), JsonValue.Create("16:9")], Default = JsonValue.Create("9:16"),
                Description = "Portrait (9:16, 720×1280) or landscape (16:9, 1280×720).",
            },
            ["duration"] = From("duration"),
            ["image_url"] = From("imageUrl"),
            ["image_base64"] = From("imageBase64"),
            ["callback_url"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String, Format = "uri", MaxLength = PydanticBody.MaxCallbackUrlLength, Pattern = "^https://",
                Description = "An https URL that receives the generation when it finishes (checked like asset URLs: public addresses only).",
            },
        };
        return new OpenApiSchema
        {
            Type = JsonSchemaType.Object, Title = "SoraGenerateRequest", Properties = properties, Required = new SortedSet<string> { "prompt" },
            Description = $"Served by `{model.Id}`. {RunBlobSora.BothImages}.",
        };
    }
}
