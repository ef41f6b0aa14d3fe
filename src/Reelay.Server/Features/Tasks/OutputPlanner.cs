using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Reelay.Server.Features.Catalog;

namespace Reelay.Server.Features.Tasks;

/// <summary>
/// Decides the output of a validated request (pure): its size from ratio / resolution / targetAspectRatio and the
/// inputs, its length from duration (or the source video), audio, format. These are the Runway field names every
/// endpoint shares; the catalog's per-endpoint defaults fill in what the request left out.
/// </summary>
public static class OutputPlanner
{
    public const double DefaultSeconds = 5;
    public const double MaxSourceSeconds = 30;

    public static OutputPlan Plan(EndpointDefinition endpoint, JsonObject options, IReadOnlyList<MediaInput> media, long seed)
    {
        if (endpoint.Output == "audio")
            return new OutputPlan("audio", 0, 0, AudioPlan.Seconds(endpoint, options, media), false, Option(options, endpoint, "outputFormat") ?? AudioPlan.DefaultFormat, null, seed);
        var source = media.FirstOrDefault(m => m.Role == "source" && m.Kind == "video");
        var picture = source ?? media.FirstOrDefault(m => m.Role is "first" or "source" or "character")
            ?? media.FirstOrDefault(m => m.Kind is "image" or "video");
        // A character performance lasts as long as its reference (driver) video.
        var timing = source ?? media.FirstOrDefault(m => m.Role == "driver" && m.Kind == "video");
        var image = endpoint.Output == "image";
        var (width, height) = Size(Option(options, endpoint, "ratio"), Option(options, endpoint, "resolution"),
            Option(options, endpoint, "targetAspectRatio"), picture, image, KeepsSourceSize(endpoint) ? 3840 : 1920);
        if (Number(options, endpoint, "scaleFactor") is { } factor && picture is { Width: > 0, Height: > 0 })
            (width, height) = Even(picture.Width * factor, picture.Height * factor, PreviewMaxSide);
        var alpha = image && Option(options, endpoint, "background") == "transparent";
        var format = alpha ? "png" : Option(options, endpoint, "outputFormat") ?? (image ? "png" : "mp4");
        var profile = Option(options, endpoint, "proresProfile") ?? format switch { "prores" => "4444", "hdr_prores" => "422 HQ", _ => null };
        var audio = (options["audio"] ?? endpoint.Defaults["audio"])?.GetValueKind() == JsonValueKind.True;
        var count = (int)Math.Clamp(Number(options, endpoint, "outputCount") ?? 1, 1, MaxOutputs);
        return new OutputPlan(endpoint.Output, width, height, Seconds(endpoint, options, timing), audio, format, profile, seed,
            count, FrameRate(Option(options, endpoint, "targetFramerate"), (options["fpsBoost"] ?? endpoint.Defaults["fpsBoost"])?.GetValueKind() == JsonValueKind.True), alpha);
    }

    /// <summary>At most this many files per task (outputCount is at most 10 on every model).</summary>
    public const int MaxOutputs = 16;

    /// <summary>The largest side the preview renders (an upscale's product is capped to it, keeping the aspect).</summary>
    public const int PreviewMaxSide = 8192;

    /// <summary>The frames per second Runway's targetFramerate names ("23_98" is 24000/1001); fpsBoost interpolates to 60.</summary>
    public static double? FrameRate(string? targetFramerate, bool fpsBoost) => targetFramerate switch
    {
        "23_98" => 24000.0 / 1001,
        "29_97" => 30000.0 / 1001,
        "59_94" => 60000.0 / 1001,
        { } v when double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var fps) => fps,
        _ => fpsBoost ? 60 : null,
    };

    /// <summary>Endpoints with no size fields at all deliver at the source's own size (HDR, frame rate), up to 4K.</summary>
    private static bool KeepsSourceSize(EndpointDefinition endpoint) =>
        !endpoint.Fields.ContainsKey("ratio") && !endpoint.Fields.ContainsKey("resolution") && !endpoint.Fields.ContainsKey("targetAspectRatio");

    private static double? Number(JsonObject options, EndpointDefinition endpoint, string name) =>
        JsonNumbers.Double(options[name] ?? endpoint.Defaults[name]);

    private static string? Option(JsonObject options, EndpointDefinition endpoint, string name) =>
        (options[name] ?? endpoint.Defaults[name]) is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    /// <summary>The rendered length: the duration asked for, the endpoint's default, or the source video's own length.</summary>
    public static double Seconds(EndpointDefinition endpoint, JsonObject options, MediaInput? source)
    {
        var asked = options["duration"] ?? endpoint.Defaults["duration"];
        if (JsonNumbers.Double(asked) is { } seconds) return seconds;
        if (asked is null && source?.Seconds is { } length) return Math.Clamp(Math.Round(length, 3), 1, MaxSourceSeconds);
        // "auto" (or nothing at all): the default length; "auto" is held at the maximum and the rest released.
        return JsonNumbers.Double(endpoint.Defaults["duration"]) ?? DefaultSeconds;
    }

    public static (int Width, int Height) Size(string? ratio, string? resolution, string? targetAspect, MediaInput? picture,
        bool image = false, int pictureMaxSide = 1920)
    {
        var height = ResolutionHeight(resolution ?? ratio);
        if (ratio is not null && Pixels(ratio) is { } pixels) return Even(pixels.Width, pixels.Height);
        // Images without a shape ("auto", "auto_1k") take the first input's, else a square; videos default to 16:9.
        var aspect = Aspect(targetAspect) ?? Aspect(ratio) ?? PictureAspect(picture) ?? (image ? 1 : 16.0 / 9);
        if (height is null && picture is { Width: > 0, Height: > 0 } && targetAspect is null && ratio is null)
            return Even(picture.Width, picture.Height, pictureMaxSide);
        var h = height ?? (image ? 1024 : picture is { Height: > 0 } ? Math.Min(picture.Height, 1080) : 720);
        // A height names the short side, as "720p" does for portrait video too.
        return aspect >= 1 ? Even(h * aspect, h) : Even(h, h / aspect);
    }

    /// <summary>"1280:720" → (1280, 720), also beyond 8000 px (image sizes such as 11264:1408, drawn capped); null for aspects and words.</summary>
    private static (int Width, int Height)? Pixels(string ratio) =>
        ratio.Split(':') is [var w, var h] && int.TryParse(w, out var width) && int.TryParse(h, out var height)
        && width >= 64 && height >= 64 && width <= 65536 && height <= 65536 ? (width, height) : null;

    private static double? PictureAspect(MediaInput? picture) => picture is { Width: > 0, Height: > 0 } ? (double)picture.Width / picture.Height : null;

    /// <summary>"16:9" → 1.777…; pixel ratios and words ("adaptive", "auto_720p") are not aspects.</summary>
    private static double? Aspect(string? value) => value?.Split(':') is [var w, var h]
        && double.TryParse(w, NumberStyles.Float, CultureInfo.InvariantCulture, out var a) && double.TryParse(h, NumberStyles.Float, CultureInfo.InvariantCulture, out var b)
        && a > 0 && b > 0 && a < 64 && b < 64 ? a / b : null;

    public static int? ResolutionHeight(string? value) => value?.ToLowerInvariant() switch
    {
        null => null,
        var v when v.EndsWith("480p", StringComparison.Ordinal) => 480,
        var v when v.EndsWith("720p", StringComparison.Ordinal) => 720,
        var v when v.EndsWith("768p", StringComparison.Ordinal) => 768,
        var v when v.EndsWith("1080p", StringComparison.Ordinal) => 1080,
        "1k" or "auto_1k" => 1024,
        "2k" or "auto_2k" => 1440,
        "4k" => 2160,
        _ => null,
    };

    /// <summary>Encoders want even sides; the longer side is capped to keep a preview render affordable.</summary>
    private static (int Width, int Height) Even(double width, double height, int maxSide = 3840)
    {
        var scale = Math.Min(1, maxSide / Math.Max(width, height));
        return ((int)Math.Max(16, Math.Round(width * scale / 2) * 2), (int)Math.Max(16, Math.Round(height * scale / 2) * 2));
    }
}
