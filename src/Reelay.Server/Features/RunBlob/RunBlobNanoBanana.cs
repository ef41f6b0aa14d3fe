using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Reelay.Server.Features.Catalog;
using Reelay.Server.Features.Webhooks;

namespace Reelay.Server.Features.RunBlob;

/// <summary>The body of POST /v1/gemini/generate (for the OpenAPI document; the rules are in <see cref="RunBlobNanoBanana.Map"/>).</summary>
public sealed record NanoBananaRequest(
    [property: JsonPropertyName("prompt")] string Prompt,
    [property: JsonPropertyName("model")] string? Model,
    [property: JsonPropertyName("quality")] string? Quality,
    [property: JsonPropertyName("aspect_ratio")] string? AspectRatio,
    [property: JsonPropertyName("temperature")] double? Temperature,
    [property: JsonPropertyName("images")] IReadOnlyList<string>? Images,
    [property: JsonPropertyName("callback_url")] string? CallbackUrl);

/// <summary>
/// Nano Banana (Gemini images) — /v1/gemini: models standard, pro, v2 (and the newer page's v2_lite, pro_vip, v2_vip),
/// quality 2k/4k on all but standard, up to 4 images on standard and more on the others (the catalog's caps).
/// </summary>
public sealed class RunBlobNanoBanana : RunBlobImageTaskFamily
{
    /// <summary>RunBlob's model names and the catalog models they select.</summary>
    public static readonly IReadOnlyDictionary<string, string> Models = new Dictionary<string, string>
    {
        ["standard"] = "nano_banana", ["pro"] = "nano_banana_pro", ["v2"] = "nano_banana_2",
        ["v2_lite"] = "nano_banana_2_lite", ["pro_vip"] = "nano_banana_pro_vip", ["v2_vip"] = "nano_banana_2_vip",
    };

    public static readonly string[] Ratios = ["auto", "21:9", "16:9", "4:3", "3:2", "1:1", "9:16", "3:4", "2:3", "5:4", "4:5"];

    /// <summary>"A 2xx within 5 s", retried "up to 3" times (the delays are not documented: 30 s apart, as the linear families).</summary>
    public static readonly WebhookSchedule Retries = new("gemini", [.. Enumerable.Repeat(TimeSpan.FromSeconds(30), 3)], TimeSpan.FromSeconds(5));

    public override string Path => "gemini";
    public override string Surface => "runblob:gemini";
    public override string Title => "Nano Banana";
    public override string Endpoint => "runblob_nano_banana";
    public override int? ListLimit => 50;
    public override WebhookSchedule? Schedule => Retries;
    public override Type RequestType => typeof(NanoBananaRequest);

    public override FamilyRequest Map(JsonElement body, ModelCatalog catalog)
    {
        var b = new PydanticBody(body);
        var prompt = b.String("prompt", required: true, min: 1, max: 4000);
        var name = b.Choice("model", [.. Models.Keys], "standard");
        var quality = b.Choice("quality", ["standard", "2k", "4k"], "standard");
        var ratio = b.Choice("aspect_ratio", Ratios);
        var temperature = b.Number("temperature", 0, 1);
        var images = b.Strings("images");
        var callback = b.CallbackUrl();
        if (b.Errors.Count > 0) return FamilyRequest.Refuse(Unprocessable(b.Errors));
        var (endpoint, missing) = Served(catalog, Models[name!]);
        if (endpoint is null) return FamilyRequest.Refuse(missing!);
        // quality names the catalog's resolution; which models have which is the catalog's to say.
        var resolution = quality == "standard" ? "1k" : quality!;
        if (!Allowed(endpoint, "resolution").Contains(resolution))
        {
            var offering = Models.Where(m => catalog.Find(m.Value)?.Endpoints.GetValueOrDefault(Endpoint) is { } e && Allowed(e, "resolution").Contains(resolution));
            return FamilyRequest.Refuse(RunBlobRoutes.Detail(400, $"quality '{quality}' is only available on the {PydanticBody.OrList(offering.Select(m => m.Key))} models"));
        }
        var (urls, inline) = SplitImages(images);
        var cap = endpoint.Fields["imagesUrl"].MaxItems ?? 0;
        if (CheckImageLists(urls, inline, cap, null, n => $"Maximum {cap} images allowed for model '{name}', got {n}") is { } tooMany)
            return FamilyRequest.Refuse(tooMany);
        return new(Core(Models[name!], new JsonObject
        {
            ["promptText"] = prompt,
            ["ratio"] = ratio,
            ["temperature"] = temperature,
            ["resolution"] = resolution,
            ["imagesUrl"] = Strings(urls),
            ["imagesBase64"] = Strings(inline),
        }, callback), null);
    }

    public override object Webhook(RunBlobView view) => new RunBlobImageTaskWebhook(view.Id, view.Status, view.OutputUrl, view.Message);
}
