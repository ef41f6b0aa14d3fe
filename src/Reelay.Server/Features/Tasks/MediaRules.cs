using Reelay.Server.Features.Assets;
using Reelay.Server.Features.Catalog;

namespace Reelay.Server.Features.Tasks;

/// <summary>The schema's media limits that need what intake found: clip lengths, their totals per list, minimum sides.</summary>
public static class MediaRules
{
    public static List<ValidationIssue> Check(IReadOnlyList<(PendingMedia Input, CheckedAsset Asset)> assets, System.Text.Json.Nodes.JsonObject? options = null)
    {
        var issues = new List<ValidationIssue>();
        foreach (var (input, asset) in assets)
        {
            var s = input.Schema;
            if (asset.DurationSeconds is { } seconds && (s.MinSeconds ?? s.MaxSeconds) is not null
                && AssetRules.CheckDuration(input.Kind, s.MinSeconds, s.MaxSeconds, seconds) is { } outOfBounds)
                issues.Add(ValidationIssue.Custom(input.Path, outOfBounds));
            if (s.MinSide is { } side && (asset.Width < side || asset.Height < side))
                issues.Add(ValidationIssue.Custom(input.Path, AssetRules.DimensionsTooSmall(side, asset.Width, asset.Height)));
            if (s.ScaledBy is { } scaled && ScaledTooLarge(scaled, asset.Width, asset.Height, options) is { } tooLarge)
                issues.Add(ValidationIssue.Custom(input.Path, tooLarge));
        }
        foreach (var group in assets.Where(a => a.Input.Group is not null).GroupBy(a => a.Input.Group!))
        {
            var total = group.Sum(a => a.Asset.DurationSeconds ?? 0);
            var max = group.First().Input.GroupMaxSeconds!.Value;
            if (total > max)
            {
                // The list's path: the first item's path without its index and field ("referenceAudio.0.uri" → "referenceAudio").
                var path = group.First().Input.Path.TakeWhile(p => p is not int).ToArray();
                issues.Add(ValidationIssue.Custom(path, AssetRules.TotalDurationExceeds(group.Key, max, Math.Round(total, 3))));
            }
        }
        return issues;
    }

    /// <summary>An upscale's output bound: the input's sides times the factor (the request's or the default), as one sentence.</summary>
    public static string? ScaledTooLarge(ScaledBy scaled, int width, int height, System.Text.Json.Nodes.JsonObject? options)
    {
        var factor = JsonNumbers.Double(options?[scaled.Field]) ?? scaled.Default;
        var pixels = width * factor * height * factor;
        return pixels <= scaled.MaxPixels ? null
            : $"The output of {AssetRules.Number(width * factor)}x{AssetRules.Number(height * factor)} ({scaled.Field} {AssetRules.Number(factor)} of a {width}x{height} image) "
              + $"exceeds {AssetRules.Number(scaled.MaxPixels)} pixels. Use a smaller {scaled.Field} or a smaller image.";
    }

    /// <summary>A free-form "W:H" size whose pixel count is outside the bounds, as one sentence; null when within (or not W:H).</summary>
    public static string? PixelsOutside(string size, PixelBounds bounds)
    {
        if (size.Split(':') is not [var w, var h] || !long.TryParse(w, out var width) || !long.TryParse(h, out var height)) return null;
        var pixels = (double)width * height;
        return pixels >= bounds.Min && pixels <= bounds.Max ? null
            : $"The size {size} has {AssetRules.Number(pixels)} pixels; width × height must be between {AssetRules.Number(bounds.Min)} and {AssetRules.Number(bounds.Max)}.";
    }
}
