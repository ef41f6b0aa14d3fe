using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Reelay.Server.Features.Catalog;

namespace Reelay.Server.Features.RunBlob;

/// <summary>The body of POST /v1/chatgpt-images/generate (OpenAPI only; the rules are in <see cref="RunBlobChatGptImages.Map"/>).</summary>
public sealed record ChatGptImagesRequest(
    [property: JsonPropertyName("prompt")] string Prompt,
    [property: JsonPropertyName("model")] string? Model,
    [property: JsonPropertyName("aspect_ratio")] string? AspectRatio,
    [property: JsonPropertyName("images")] IReadOnlyList<string>? Images,
    [property: JsonPropertyName("quality")] string? Quality,
    [property: JsonPropertyName("background")] string? Background,
    [property: JsonPropertyName("callback_url")] string? CallbackUrl);

/// <summary>
/// ChatGPT Images — /v1/chatgpt-images. The stored page ("ChatGPT Image 1.5") has no model, three aspect ratios and
/// four images; the newer one adds model gpt-5-2 | chatgpt-2.5, more ratios, eight images and chatgpt-2.5's quality
/// and background. Both are accepted (the newer, wider rules); no list endpoint is documented.
/// </summary>
public sealed class RunBlobChatGptImages : RunBlobImageTaskFamily
{
    public static readonly string[] Models = ["gpt-5-2", "chatgpt-2.5"];
    public static readonly string[] Ratios = ["1:1", "4:3", "3:4", "3:2", "2:3", "16:9", "9:16", "21:9", "4:5"];

    public override string Path => "chatgpt-images";
    public override string Surface => "runblob:chatgpt-images";
    public override string Title => "ChatGPT Images";
    public override string Endpoint => "runblob_chatgpt_images";
    public override Type RequestType => typeof(ChatGptImagesRequest);

    public override FamilyRequest Map(JsonElement body, ModelCatalog catalog)
    {
        var b = new PydanticBody(body);
        var prompt = b.String("prompt", required: true, min: 1, max: 4000);
        var model = b.Choice("model", Models, Models[0]);
        var ratio = b.Choice("aspect_ratio", Ratios);
        var images = b.Strings("images");
        var options = new JsonObject
        {
            ["quality"] = b.Choice("quality", ["flare", "sunburst"]),
            ["background"] = b.Choice("background", ["transparent", "opaque", "auto"]),
        };
        var callback = b.CallbackUrl();
        if (b.Errors.Count > 0) return FamilyRequest.Refuse(Unprocessable(b.Errors));
        var (endpoint, missing) = Served(catalog, model!);
        if (endpoint is null) return FamilyRequest.Refuse(missing!);
        // quality and background exist on the models whose catalog entry has them (chatgpt-2.5).
        foreach (var (option, value) in options)
            if (value is not null && !endpoint.Fields.ContainsKey(option))
            {
                var offering = Models.Where(m => catalog.Find(m)?.Endpoints.GetValueOrDefault(Endpoint)?.Fields.ContainsKey(option) == true);
                return FamilyRequest.Refuse(RunBlobRoutes.Detail(400, $"{option} is only available on {PydanticBody.OrList(offering)}"));
            }
        var (urls, inline) = SplitImages(images);
        var cap = endpoint.Fields["imagesUrl"].MaxItems ?? 0;
        if (CheckImageLists(urls, inline, cap, null, n => $"Maximum {cap} images allowed, got {n}") is { } tooMany)
            return FamilyRequest.Refuse(tooMany);
        options["promptText"] = prompt;
        options["ratio"] = ratio;
        options["imagesUrl"] = Strings(urls);
        options["imagesBase64"] = Strings(inline);
        return new(Core(model!, options, callback), null);
    }
}
