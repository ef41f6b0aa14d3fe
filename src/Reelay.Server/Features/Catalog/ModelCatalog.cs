using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Reelay.Server.Features.Catalog;

/// <summary>The models this server offers: data from a JSON file (docs/catalog.md), never hard-coded in handlers.</summary>
public sealed class ModelCatalog
{
    private readonly Dictionary<string, ModelDefinition> _models;

    public ModelCatalog(IReadOnlyList<ModelDefinition> models)
    {
        _models = models.ToDictionary(m => m.Id, StringComparer.Ordinal);
        Models = models;
    }

    public IReadOnlyList<ModelDefinition> Models { get; }

    /// <summary>The saved Model Router configs and what the router knows of each model (generate.{video,image,audio}).</summary>
    public Router.RouterCatalog Routers { get; init; } = Router.RouterCatalog.Empty;

    public ModelDefinition? Find(string id) => _models.GetValueOrDefault(id);

    /// <summary>Models that serve an endpoint such as "image_to_video", in catalog order.</summary>
    public IReadOnlyList<ModelDefinition> ServingEndpoint(string endpoint) =>
        Models.Where(m => m.Endpoints.ContainsKey(endpoint)).ToList();

    /// <summary>Runway endpoints by path; "sora_generate" and the "runblob_*" ones are the RunBlob surface's families.</summary>
    public static readonly HashSet<string> KnownEndpoints = ["image_to_video", "text_to_video", "video_to_video",
        "text_to_image", "image_upscale", "video_upscale", "video_to_hdr", "character_performance", "sora_generate",
        "runblob_veo3", "runblob_kling_video", "runblob_kling_image", "runblob_nano_banana", "runblob_chatgpt_images",
        "text_to_speech", "sound_effect", "speech_to_speech", "voice_dubbing", "voice_isolation"];

    public static readonly HashSet<string> OutputKinds = ["video", "image", "audio"];

    public static ModelCatalog Load(string? catalogFile, IReadOnlySet<string>? relays = null)
    {
        Stream stream = catalogFile is null
            ? Assembly.GetExecutingAssembly().GetManifestResourceStream("default-catalog.json")!
            : File.OpenRead(catalogFile);
        using (stream)
        {
            JsonNode? root;
            try
            {
                root = JsonNode.Parse(stream, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            }
            catch (JsonException ex)
            {
                throw new InvalidOperationException($"The model catalog {catalogFile ?? "(default)"} is not valid JSON: {ex.Message}");
            }
            var (models, problems) = Parse(root, relays);
            var routers = ParseRouters(root, models, problems);
            if (problems.Count > 0)
                throw new InvalidOperationException($"The model catalog {catalogFile ?? "(default)"} is invalid: " + string.Join("; ", problems));
            return new ModelCatalog(models) { Routers = routers };
        }
    }

    /// <summary>Reads and checks a whole catalog; every problem names the model, endpoint and field it is about.</summary>
    public static (List<ModelDefinition> Models, List<string> Problems) Parse(JsonNode? root, IReadOnlySet<string>? relays = null)
    {
        var problems = new List<string>();
        var models = new List<ModelDefinition>();
        if (root is not JsonObject file || file["models"] is not JsonArray list)
            return (models, ["it must be an object with a \"models\" list"]);
        foreach (var key in file.Select(p => p.Key).Where(k => k is not ("models" or "definitions" or "routers" or "description")))
            problems.Add($"unknown top-level key '{key}'");
        var parser = new SchemaParser(file["definitions"] as JsonObject ?? [], problems);
        foreach (var item in list)
            if (CatalogModelReader.Read(item, parser, problems, relays) is { } model) models.Add(model);
        if (models.Count == 0) problems.Add("it lists no models");
        foreach (var duplicate in models.GroupBy(m => m.Id).Where(g => g.Count() > 1))
            problems.Add($"model '{duplicate.Key}' is listed twice");
        return (models, problems);
    }

    /// <summary>The "routers" object of a catalog file, checked against its models (docs/catalog.md "Router configs").</summary>
    public static Router.RouterCatalog ParseRouters(JsonNode? root, IReadOnlyList<ModelDefinition> models, List<string> problems) =>
        Router.RouterCatalog.Parse(root?["routers"], new SchemaParser(root?["definitions"] as JsonObject ?? [], problems), models, problems);

    /// <summary>The worker pool an engine names ("pool:gpu-a" gives "gpu-a"), or null when it is not a pool.</summary>
    public static string? EnginePool(string engine) =>
        engine.StartsWith("pool:", StringComparison.Ordinal) && engine.Length > 5 && engine[5..].All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            ? engine[5..] : null;

    /// <summary>The upstream relay an engine names ("relay:runway-main" gives "runway-main"), or null when it is not a relay.</summary>
    public static string? EngineRelay(string engine) =>
        engine.StartsWith("relay:", StringComparison.Ordinal) && engine.Length > 6 && engine[6..].All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            ? engine[6..] : null;
}
