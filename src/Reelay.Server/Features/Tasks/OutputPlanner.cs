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
        var picture = source ?? media.FirstOrDefault(m => m.Role == "first") ?? media.FirstOrDefault(m => m.Kind is "image" or "video");
        var (width, height) = Size(Option(options, endpoint, "ratio"), Option(options, endpoint, "resolution"),
            Option(options, endpoint, "targetAspectRatio"), picture);
        var format = Option(options, endpoint, "outputFormat") ?? "mp4";
        var profile = Option(options, endpoint, "proresProfile") ?? format switch { "prores" => "4444", "hdr_prores" => "422 HQ", _ => null };
        var audio = (options["audio"] ?? endpoint.Defaults["audio"])?.GetValueKind() == JsonValueKind.True;
        return new OutputPlan(endpoint.Output, width, height, Seconds(endpoint, options, source), audio, format, profile, seed);
    }

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

    public static (int Width, int Height) Size(string? ratio, string? resolution, string? targetAspect, MediaInput? picture)
    {
        var height = ResolutionHeight(resolution ?? ratio);
        if (ratio is not null && Ratio.Parse(ratio) is { } pixels && pixels.Width >= 64 && pixels.Height >= 64) return Even(pixels.Width, pixels.Height);
        var aspect = Aspect(targetAspect) ?? Aspect(ratio) ?? PictureAspect(picture) ?? 16.0 / 9;
        if (height is null && picture is { Width: > 0, Height: > 0 } && targetAspect is null && ratio is null) return Even(picture.Width, picture.Height, 1920);
        var h = height ?? (picture is { Height: > 0 } ? Math.Min(picture.Height, 1080) : 720);
        // A height names the short side, as "720p" does for portrait video too.
        return aspect >= 1 ? Even(h * aspect, h) : Even(h, h / aspect);
    }

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
