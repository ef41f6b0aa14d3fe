using System.Text.Json;
using Reelay.Server.Features.Assets;
using Reelay.Server.Features.Catalog;

namespace Reelay.Server.Features.Tasks;

/// <summary>A generation request that passed every rule of its model; images already checked and decoded.</summary>
public sealed record GenerationRequest(
    string Endpoint,
    ModelDefinition Model,
    string Ratio,
    int Width,
    int Height,
    int Duration,
    long Seed,
    string? PromptText,
    IReadOnlyList<AssetInput> PromptImages,
    string? PublicFigureThreshold)
{
    public long PriceCredits => Model.PriceFor(Duration);
}

/// <summary>An input URI (promptImage or videoUri) whose shape is valid; asset intake checks its content next.</summary>
public sealed record AssetInput(string Position, IReadOnlyList<object> Path, string Uri, AssetKind Kind = AssetKind.Image);

/// <summary>
/// The closed, catalog-driven schema of the Runway generation endpoints. Collects every problem
/// instead of stopping at the first, because a client fixing a request wants the whole list.
/// </summary>
public static class RunwayValidation
{
    public const long MaxSeed = 4294967295;

    /// <summary>
    /// The request when its shape is valid (null otherwise), the promptImage inputs for asset intake
    /// (returned either way, so their problems are reported alongside the others), and the issues.
    /// </summary>
    public static (GenerationRequest? Request, IReadOnlyList<AssetInput> Images, List<ValidationIssue> Issues) Validate(
        string endpoint, JsonElement body, ModelCatalog catalog)
    {
        var issues = new List<ValidationIssue>();
        var models = catalog.ServingEndpoint(endpoint);
        if (!body.TryGetProperty("model", out var modelElement))
            return (null, [], [ValidationIssue.Required(["model"], "string")]);
        if (modelElement.ValueKind != JsonValueKind.String)
            return (null, [], [ValidationIssue.WrongType(["model"], "string", modelElement)]);
        var model = models.FirstOrDefault(m => m.Id == modelElement.GetString());
        if (model is null)
            return (null, [], [EnumIssue(["model"], models.Select(m => m.Id).ToList(), modelElement.GetString()!)]);
        var rules = model.Endpoints[endpoint];

        var allowed = new HashSet<string> { "model", "promptText", "ratio", "duration", "seed" };
        if (endpoint == "image_to_video") allowed.Add("promptImage");
        if (endpoint == "video_to_video")
        {
            // The output follows the input video's length, so there is no duration field.
            allowed.Add("videoUri");
            allowed.Remove("duration");
        }
        if (model.ContentModeration) allowed.Add("contentModeration");
        var unknown = body.EnumerateObject().Select(p => p.Name).Where(n => !allowed.Contains(n)).ToList();
        if (unknown.Count > 0)
            issues.Add(new ValidationIssue("unrecognized_keys", [], $"Unrecognized key(s) in object: {string.Join(", ", unknown.Select(k => $"'{k}'"))}") { Keys = unknown });

        foreach (var field in rules.Required.Where(f => !body.TryGetProperty(f, out _)))
            issues.Add(ValidationIssue.Required([field], field is "duration" ? "number" : field is "promptImage" ? "string | array" : "string"));

        string? promptText = null;
        if (body.TryGetProperty("promptText", out var text))
            promptText = ValidateString(text, ["promptText"], 1, rules.PromptTextMaxLength, issues);

        string? ratio = null;
        if (body.TryGetProperty("ratio", out var ratioElement))
        {
            if (ratioElement.ValueKind != JsonValueKind.String) issues.Add(ValidationIssue.WrongType(["ratio"], "string", ratioElement));
            else if (!rules.Ratios.Contains(ratioElement.GetString()!)) issues.Add(EnumIssue(["ratio"], rules.Ratios, ratioElement.GetString()!));
            else ratio = ratioElement.GetString();
        }

        var duration = rules.Duration.Default;
        if (body.TryGetProperty("duration", out var durationElement))
            duration = ValidateDuration(durationElement, rules.Duration, issues) ?? duration;

        long seed = 0;
        if (body.TryGetProperty("seed", out var seedElement))
            seed = ValidateInteger(seedElement, ["seed"], 0, MaxSeed, issues) ?? 0;

        string? threshold = null;
        if (body.TryGetProperty("contentModeration", out var moderation) && allowed.Contains("contentModeration"))
            threshold = ValidateModeration(moderation, issues);

        var images = new List<AssetInput>();
        if (endpoint == "image_to_video" && body.TryGetProperty("promptImage", out var promptImage))
            images = ValidatePromptImage(promptImage, issues);
        if (endpoint == "video_to_video" && body.TryGetProperty("videoUri", out var videoUri))
        {
            if (videoUri.ValueKind != JsonValueKind.String) issues.Add(ValidationIssue.WrongType(["videoUri"], "string", videoUri));
            else if (CheckUri(videoUri.GetString()!, ["videoUri"], "video", issues) is { } video) images.Add(video with { Kind = AssetKind.Video });
        }

        if (issues.Count > 0 || ratio is null) return (null, images, issues);
        var (width, height) = Catalog.Ratio.Parse(ratio)!.Value;
        return (new GenerationRequest(endpoint, model, ratio, width, height, duration, seed, promptText, images, threshold), images, issues);
    }

    /// <summary>
    /// Shape validation, then asset intake on every promptImage input at once (one slow host does not
    /// add up per image). Checked assets are returned only when there are no issues at all; otherwise
    /// their temporary files are already deleted.
    /// </summary>
    public static async Task<(GenerationRequest? Request, List<(AssetInput Input, CheckedAsset Asset)> Images, List<ValidationIssue> Issues)> ValidateWithAssetsAsync(
        string endpoint, JsonElement body, ModelCatalog catalog, AssetIntake intake, string orgId, CancellationToken cancellationToken)
    {
        var (request, inputs, issues) = Validate(endpoint, body, catalog);
        var aspect = request?.Model.ImageAspect
            ?? (body.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String ? catalog.Find(m.GetString()!)?.ImageAspect : null);
        var results = await Task.WhenAll(inputs.Select(i =>
            intake.CheckAsync(i.Uri, i.Kind, i.Kind == AssetKind.Image ? aspect : null, orgId, cancellationToken)));
        var images = new List<(AssetInput Input, CheckedAsset Asset)>();
        for (var i = 0; i < inputs.Count; i++)
        {
            if (results[i].Asset is { } asset) images.Add((inputs[i], asset));
            else issues.Add(ValidationIssue.Custom(inputs[i].Path, results[i].Report.Reason!));
        }
        // Video-to-video: the output is as long as the input, within the model's duration bounds.
        if (request is not null && images.FirstOrDefault(a => a.Input.Kind == AssetKind.Video) is { Asset: { } video } videoInput)
        {
            var rule = request.Model.Endpoints[endpoint].Duration;
            var seconds = (int)Math.Max(1, Math.Ceiling(video.DurationSeconds ?? 0));
            if (rule.Allows(seconds)) request = request with { Duration = seconds };
            else issues.Add(ValidationIssue.Custom(videoInput.Input.Path, VideoDuration(rule, video.DurationSeconds ?? 0)));
        }
        if (request is not null && issues.Count == 0) return (request, images, issues);
        foreach (var (_, asset) in images) asset.DeleteIfTemporary();
        return (null, [], issues);
    }

    public static string VideoDuration(DurationRule rule, double seconds) =>
        $"Invalid asset duration. Video duration must be between {rule.Min ?? 1} and {rule.Max ?? 10} seconds. Got {AssetRules.Number(seconds)}.";

    private static string? ValidateString(JsonElement value, object[] path, int min, int max, List<ValidationIssue> issues)
    {
        if (value.ValueKind != JsonValueKind.String) { issues.Add(ValidationIssue.WrongType(path, "string", value)); return null; }
        var s = value.GetString()!;
        // Length in UTF-16 code units, as JavaScript (and so the reference API) counts it.
        if (s.Length < min) { issues.Add(new ValidationIssue("too_small", path, $"String must contain at least {min} character(s)")); return null; }
        if (s.Length > max) { issues.Add(new ValidationIssue("too_big", path, $"String must contain at most {max} character(s)")); return null; }
        return s;
    }

    private static long? ValidateInteger(JsonElement value, object[] path, long min, long max, List<ValidationIssue> issues)
    {
        if (value.ValueKind != JsonValueKind.Number) { issues.Add(ValidationIssue.WrongType(path, "number", value)); return null; }
        if (!value.TryGetInt64(out var n))
        {
            if (value.TryGetDouble(out var d) && d == Math.Floor(d) && !double.IsInfinity(d))
                issues.Add(new ValidationIssue(d < min ? "too_small" : "too_big", path, d < min ? $"Number must be greater than or equal to {min}" : $"Number must be less than or equal to {max}"));
            else
                issues.Add(new ValidationIssue("invalid_type", path, "Expected integer, received float") { Expected = "integer", Received = "float" });
            return null;
        }
        if (n < min) { issues.Add(new ValidationIssue("too_small", path, $"Number must be greater than or equal to {min}")); return null; }
        if (n > max) { issues.Add(new ValidationIssue("too_big", path, $"Number must be less than or equal to {max}")); return null; }
        return n;
    }

    private static int? ValidateDuration(JsonElement value, DurationRule rule, List<ValidationIssue> issues)
    {
        if (rule.Values is { Count: > 0 } values)
        {
            var n = ValidateInteger(value, ["duration"], long.MinValue, long.MaxValue, issues);
            if (n is null) return null;
            if (!values.Contains((int)Math.Clamp(n.Value, int.MinValue, int.MaxValue)))
            {
                issues.Add(new ValidationIssue("invalid_union", ["duration"], $"Invalid input: expected {string.Join(" | ", values)}, received {n}")
                { Options = values.Cast<object>().ToList() });
                return null;
            }
            return (int)n.Value;
        }
        return (int?)ValidateInteger(value, ["duration"], rule.Min ?? 1, rule.Max ?? 10, issues);
    }

    private static string? ValidateModeration(JsonElement value, List<ValidationIssue> issues)
    {
        if (value.ValueKind != JsonValueKind.Object) { issues.Add(ValidationIssue.WrongType(["contentModeration"], "object", value)); return null; }
        var unknown = value.EnumerateObject().Select(p => p.Name).Where(n => n != "publicFigureThreshold").ToList();
        if (unknown.Count > 0)
            issues.Add(new ValidationIssue("unrecognized_keys", ["contentModeration"], $"Unrecognized key(s) in object: {string.Join(", ", unknown.Select(k => $"'{k}'"))}") { Keys = unknown });
        if (!value.TryGetProperty("publicFigureThreshold", out var threshold)) return null;
        object[] path = ["contentModeration", "publicFigureThreshold"];
        if (threshold.ValueKind != JsonValueKind.String) { issues.Add(ValidationIssue.WrongType(path, "string", threshold)); return null; }
        var s = threshold.GetString()!;
        if (s is "auto" or "low") return s;
        issues.Add(EnumIssue(path, ["auto", "low"], s));
        return null;
    }

    private static List<AssetInput> ValidatePromptImage(JsonElement value, List<ValidationIssue> issues)
    {
        var images = new List<AssetInput>();
        if (value.ValueKind == JsonValueKind.String)
        {
            var image = CheckUri(value.GetString()!, ["promptImage"], "first", issues);
            if (image is not null) images.Add(image);
            return images;
        }
        if (value.ValueKind != JsonValueKind.Array)
        {
            issues.Add(new ValidationIssue("invalid_union", ["promptImage"], $"Invalid input: expected a URI string or an array of {{uri, position}}, received {ValidationIssue.TypeName(value)}"));
            return images;
        }
        var count = value.GetArrayLength();
        if (count < 1) { issues.Add(new ValidationIssue("too_small", ["promptImage"], "Array must contain at least 1 element(s)")); return images; }
        if (count > 2) { issues.Add(new ValidationIssue("too_big", ["promptImage"], "Array must contain at most 2 element(s)")); return images; }
        var index = 0;
        var positions = new List<string>();
        foreach (var item in value.EnumerateArray())
        {
            var at = index++;
            if (item.ValueKind != JsonValueKind.Object) { issues.Add(ValidationIssue.WrongType(["promptImage", at], "object", item)); continue; }
            var unknown = item.EnumerateObject().Select(p => p.Name).Where(n => n is not ("uri" or "position")).ToList();
            if (unknown.Count > 0)
                issues.Add(new ValidationIssue("unrecognized_keys", ["promptImage", at], $"Unrecognized key(s) in object: {string.Join(", ", unknown.Select(k => $"'{k}'"))}") { Keys = unknown });
            string? position = null;
            if (!item.TryGetProperty("position", out var pos)) issues.Add(ValidationIssue.Required(["promptImage", at, "position"], "'first' | 'last'"));
            else if (pos.ValueKind != JsonValueKind.String) issues.Add(ValidationIssue.WrongType(["promptImage", at, "position"], "string", pos));
            else if (pos.GetString() is not ("first" or "last")) issues.Add(EnumIssue(["promptImage", at, "position"], ["first", "last"], pos.GetString()!));
            else position = pos.GetString();
            if (position is not null) positions.Add(position);

            if (!item.TryGetProperty("uri", out var uri)) issues.Add(ValidationIssue.Required(["promptImage", at, "uri"], "string"));
            else if (uri.ValueKind != JsonValueKind.String) issues.Add(ValidationIssue.WrongType(["promptImage", at, "uri"], "string", uri));
            else if (CheckUri(uri.GetString()!, ["promptImage", at, "uri"], position ?? "first", issues) is { } image) images.Add(image);
        }
        if (positions.Count != positions.Distinct().Count())
            issues.Add(ValidationIssue.Custom(["promptImage"], "Each position (\"first\", \"last\") may be used only once."));
        return images;
    }

    /// <summary>Every string is a candidate URI: asset intake decides (data URI, https URL or upload) and says what is wrong.</summary>
    private static AssetInput? CheckUri(string uri, object[] path, string position, List<ValidationIssue> issues)
    {
        if (uri.Length == 0)
        {
            issues.Add(ValidationIssue.Custom(path, AssetRules.InvalidUrl));
            return null;
        }
        return new AssetInput(position, path, uri);
    }

    private static ValidationIssue EnumIssue(object[] path, IReadOnlyList<string> options, string received) =>
        new("invalid_enum_value", path, $"Invalid enum value. Expected {string.Join(" | ", options.Select(o => $"'{o}'"))}, received '{received}'")
        { Options = options.Cast<object>().ToList(), Received = received };
}
