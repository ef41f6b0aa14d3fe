namespace Reelay.Server.Features.Engines.Preview;

// Request checks: everything that would otherwise surface as an obscure ffmpeg error (or a huge command line).
public static partial class PreviewRenderer
{
    public const int MaxKeyframes = 16;
    public const int MaxReferenceImages = 8;

    /// <summary>Checks <paramref name="r"/> and returns its resolved output format.</summary>
    private static FormatSpec Validate(PreviewRenderRequest r)
    {
        ArgumentNullException.ThrowIfNull(r);
        if (r.Width is < MinDimension or > MaxDimension || r.Width % 2 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(r.Width), r.Width, $"Width must be even and within {MinDimension}..{MaxDimension}.");
        }

        if (r.Height is < MinDimension or > MaxDimension || r.Height % 2 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(r.Height), r.Height, $"Height must be even and within {MinDimension}..{MaxDimension}.");
        }

        // The negated form also rejects NaN.
        if (!(r.DurationSeconds >= MinDurationSeconds && r.DurationSeconds <= MaxDurationSeconds))
        {
            throw new ArgumentOutOfRangeException(nameof(r.DurationSeconds), r.DurationSeconds, $"Duration must be within {MinDurationSeconds}..{MaxDurationSeconds} seconds.");
        }

        if (r.Seed is < 0 or > uint.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(r.Seed), r.Seed, "Seed must be within 0..4294967295.");
        }

        RequirePath(r.OutputPath, nameof(r.OutputPath), optional: false);
        RequirePath(r.FfmpegPath, nameof(r.FfmpegPath), optional: false);
        RequirePath(r.ImagePath, nameof(r.ImagePath), optional: true);
        RequirePath(r.VideoPath, nameof(r.VideoPath), optional: true);
        RequirePath(r.LastImagePath, nameof(r.LastImagePath), optional: true);
        ValidateKeyframes(r);
        ValidateReferenceImages(r);
        return ResolveFormat(r);
    }

    private static void ValidateKeyframes(PreviewRenderRequest r)
    {
        ArgumentNullException.ThrowIfNull(r.Keyframes, nameof(r.Keyframes));
        if (r.Keyframes.Count > MaxKeyframes)
        {
            throw new ArgumentException($"At most {MaxKeyframes} keyframes are supported.", nameof(r.Keyframes));
        }

        foreach (var keyframe in r.Keyframes)
        {
            ArgumentNullException.ThrowIfNull(keyframe, nameof(r.Keyframes));
            RequirePath(keyframe.ImagePath, nameof(r.Keyframes), optional: false);
            if (!(keyframe.AtSeconds >= 0 && keyframe.AtSeconds <= r.DurationSeconds))
            {
                throw new ArgumentOutOfRangeException(nameof(r.Keyframes), keyframe.AtSeconds, "A keyframe's time must be within 0..DurationSeconds.");
            }
        }
    }

    private static void ValidateReferenceImages(PreviewRenderRequest r)
    {
        ArgumentNullException.ThrowIfNull(r.ReferenceImages, nameof(r.ReferenceImages));
        if (r.ReferenceImages.Count > MaxReferenceImages)
        {
            throw new ArgumentException($"At most {MaxReferenceImages} reference images are supported.", nameof(r.ReferenceImages));
        }

        foreach (var path in r.ReferenceImages)
        {
            RequirePath(path, nameof(r.ReferenceImages), optional: false);
        }
    }

    private static void RequirePath(string? path, string name, bool optional)
    {
        if (path is null ? !optional : string.IsNullOrWhiteSpace(path))
        {
            throw new ArgumentException(optional ? $"{name} must be null or a file path." : $"{name} is required.", name);
        }
    }

    /// <summary>Missing images are reported by name rather than as an ffmpeg failure (video inputs are left to ffmpeg).</summary>
    private static void EnsureInputsExist(PreviewRenderRequest r)
    {
        var images = new[] { r.ImagePath, r.LastImagePath }
            .Concat(r.Keyframes.Select(k => k.ImagePath))
            .Concat(r.ReferenceImages);
        foreach (var image in images)
        {
            if (image is not null && !File.Exists(image))
            {
                throw new PreviewRenderException($"Preview image not found: '{image}'.");
            }
        }
    }
}
