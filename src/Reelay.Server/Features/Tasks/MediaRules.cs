using Reelay.Server.Features.Assets;

namespace Reelay.Server.Features.Tasks;

/// <summary>The schema's media limits that need what intake found: clip lengths, their totals per list, minimum sides.</summary>
public static class MediaRules
{
    public static List<ValidationIssue> Check(IReadOnlyList<(PendingMedia Input, CheckedAsset Asset)> assets)
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
}
