using System.Globalization;

namespace Reelay.Server.Features.Assets;

/// <summary>The limits and reason texts of the asset-intake contract (spec/assets.md), as pure functions.</summary>
public static class AssetRules
{
    public const int MaxSidePixels = 8000;
    public const int MaxImageDataUriChars = 5 * 1024 * 1024;
    public const int MaxHttpsUriChars = 2048;
    public const int MinHttpsUriChars = 13;
    public const int MaxUploadUriChars = 5000;

    public const string InvalidDataUri = "Invalid data URI.";
    public const string UnsupportedDataUriType = "Unsupported asset type. Data URIs must include the content type of the value they encode.";
    public const string InvalidUrl = "Invalid URL";
    public const string OnlyHttps = "Only HTTPS URLs are allowed.";
    public const string HostedOnDomain = "URLs must be hosted on a domain.";
    public const string NotPublic = "URL resolves to an address that is not public.";
    public const string FetchFailed = "Failed to fetch asset. The URL may be incorrect or the server hosting the asset may be down.";
    public const string FetchTimeout = "Timeout while fetching asset.";
    public const string NoContentLength = "Content-Length not provided";

    public static string BadStatus(int status) => $"Failed to fetch asset. Received HTTP response code \"{status}\".";

    public static string GenericContentType(string contentType) =>
        $"Assets must use an approved Content-Type response header. We received \"{contentType}\", which is not allowed.";

    public static string UnsupportedContentType(string contentType) => $"Unsupported Content-Type response header: \"{contentType}\".";

    public static string SizeExceeds(long limitBytes) =>
        $"Asset size exceeds {(limitBytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture)}MB.";

    public static string Undecodable(string mediaType) => $"Invalid asset. The content could not be read as {mediaType}.";

    public static string DimensionsTooLarge(int width, int height) =>
        $"Invalid asset dimensions. Height and width must not exceed {MaxSidePixels}px. Got {width}x{height}.";

    public static string AspectOutOfBounds(double min, double max, double ratio) =>
        $"Invalid asset aspect ratio. width / height ratio must be between {Number(min)} and {Number(max)}. Got {Number(ratio)}.";

    /// <summary>
    /// "Invalid asset duration. Audio duration must be between 4.6 and 3600 seconds. Got 2.1." — or "must be at least X
    /// seconds" / "must be at most X seconds" when only one bound is given. At least one bound is required.
    /// </summary>
    public static string DurationOutOfBounds(AssetKind kind, double? min, double? max, double seconds)
    {
        var rule = (min, max) switch
        {
            ({ } low, { } high) => $"between {Number(low)} and {Number(high)} seconds",
            ({ } low, null) => $"at least {Number(low)} seconds",
            (null, { } high) => $"at most {Number(high)} seconds",
            _ => throw new ArgumentException("A duration rule needs a minimum, a maximum or both."),
        };
        return $"Invalid asset duration. {kind} duration must be {rule}. Got {Number(seconds)}.";
    }

    /// <summary>The <see cref="DurationOutOfBounds"/> text when <paramref name="seconds"/> is outside the inclusive bounds, else null.</summary>
    public static string? CheckDuration(AssetKind kind, double? min, double? max, double seconds)
    {
        // Compare the value the message shows, as for aspect ratios, so "Got 10" is never reported against a maximum of 10.
        var shown = Math.Round(seconds, 3);
        return shown < (min ?? double.NegativeInfinity) || shown > (max ?? double.PositiveInfinity)
            ? DurationOutOfBounds(kind, min, max, seconds)
            : null;
    }

    /// <summary>"Invalid asset duration. The total duration of referenceAudio must be at most 15 seconds. Got 17.3."</summary>
    public static string TotalDurationExceeds(string what, double max, double total) =>
        $"Invalid asset duration. The total duration of {what} must be at most {Number(max)} seconds. Got {Number(total)}.";

    /// <summary>A byte limit as the docs write it: "16 MB" (MB = 2^20 bytes).</summary>
    public static string Megabytes(long bytes) => $"{Number(bytes / 1048576.0)} MB";

    /// <summary>Up to three decimals, no trailing zeros: 0.5, 2, 0.462.</summary>
    public static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>"Invalid asset dimensions. Width and height must be at least 256px. Got 200x300."</summary>
    public static string DimensionsTooSmall(int minSide, int width, int height) =>
        $"Invalid asset dimensions. Width and height must be at least {minSide}px. Got {width}x{height}.";

    /// <summary>Dimension and aspect checks shared by every way an image arrives.</summary>
    public static string? CheckImageGeometry(int width, int height, double minAspect, double maxAspect)
    {
        if (width > MaxSidePixels || height > MaxSidePixels) return DimensionsTooLarge(width, height);
        var ratio = (double)width / height;
        // Compare the rounded ratio the message shows, so "Got 0.5" is never reported as a failure.
        var shown = Math.Round(ratio, 3);
        if (shown < minAspect || shown > maxAspect) return AspectOutOfBounds(minAspect, maxAspect, ratio);
        return null;
    }
}
