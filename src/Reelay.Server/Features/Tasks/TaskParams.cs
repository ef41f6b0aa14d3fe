using System.Text.Json;

namespace Reelay.Server.Features.Tasks;

/// <summary>What a task stores for its engine: the validated parameters and the blob keys of its inputs.</summary>
public sealed record TaskParams(
    string Ratio,
    int Width,
    int Height,
    int Duration,
    long Seed,
    string? PromptText,
    IReadOnlyList<StoredImage> PromptImages,
    string? PublicFigureThreshold)
{
    public string ToJson() => JsonSerializer.Serialize(this, JsonSerializerOptions.Web);

    public static TaskParams FromJson(string json) =>
        JsonSerializer.Deserialize<TaskParams>(json, JsonSerializerOptions.Web) ?? throw new InvalidOperationException("Empty task parameters.");
}

/// <summary>A stored input file; Position is "first"/"last" for prompt images and "video" for a video-to-video source.</summary>
public sealed record StoredImage(string Position, string BlobKey, string MediaType, int Width, int Height);
