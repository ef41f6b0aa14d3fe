using System.Text.Json.Serialization;

namespace Reelay.Client;

/// <summary>Model ids of Reelay's default catalog. Operators may change the catalog, so any string is accepted.</summary>
public static class ReelayModels
{
    /// <summary><c>gen4_turbo</c>: image to video, 5 credits per second.</summary>
    public const string Gen4Turbo = "gen4_turbo";
    /// <summary><c>gen4.5</c>: image or text to video, 12 credits per second.</summary>
    public const string Gen45 = "gen4.5";
    /// <summary><c>veo3.1</c>: image or text to video, durations 4, 6 or 8 s.</summary>
    public const string Veo31 = "veo3.1";
    /// <summary><c>veo3.1_fast</c>: image or text to video, durations 4, 6 or 8 s.</summary>
    public const string Veo31Fast = "veo3.1_fast";
}

/// <summary>The body of <c>POST /v1/text_to_video</c>. Unset optional fields are not sent: each model's schema is closed.</summary>
public sealed record TextToVideoRequest
{
    /// <summary>The model id, e.g. <see cref="ReelayModels.Gen45"/>.</summary>
    public required string Model { get; init; }
    /// <summary>What the video shows (1–1000 UTF-16 code units for most models).</summary>
    public required string PromptText { get; init; }
    /// <summary>Output size as <c>"width:height"</c>, one of the model's ratios, e.g. <c>"1280:720"</c>.</summary>
    public string? Ratio { get; init; }
    /// <summary>Length in seconds, within the model's range.</summary>
    public int? Duration { get; init; }
    /// <summary>Random seed, 0–4294967295; the same seed and inputs give the same video.</summary>
    public long? Seed { get; init; }
    /// <summary>Moderation settings, for models that accept them (gen4.5, gen4_turbo).</summary>
    public ContentModeration? ContentModeration { get; init; }
}

/// <summary>The body of <c>POST /v1/image_to_video</c>. Unset optional fields are not sent: each model's schema is closed.</summary>
public sealed record ImageToVideoRequest
{
    /// <summary>The model id, e.g. <see cref="ReelayModels.Gen4Turbo"/>.</summary>
    public required string Model { get; init; }
    /// <summary>The input image: a URI (<c>data:</c>, <c>https:</c> or an upload's <c>runway://</c>), or first/last frames.</summary>
    public required PromptImage PromptImage { get; init; }
    /// <summary>What happens in the video; required by some models (gen4.5).</summary>
    public string? PromptText { get; init; }
    /// <summary>Output size as <c>"width:height"</c>, one of the model's ratios.</summary>
    public string? Ratio { get; init; }
    /// <summary>Length in seconds, within the model's range.</summary>
    public int? Duration { get; init; }
    /// <summary>Random seed, 0–4294967295.</summary>
    public long? Seed { get; init; }
    /// <summary>Moderation settings, for models that accept them.</summary>
    public ContentModeration? ContentModeration { get; init; }
}

/// <summary>Content moderation settings of a generation request.</summary>
public sealed record ContentModeration
{
    /// <summary><c>"auto"</c> (default) or <c>"low"</c>: how strictly recognisable public figures are refused.</summary>
    public string? PublicFigureThreshold { get; init; }
}

/// <summary>The answer to a create: the new task's id and its held price.</summary>
public sealed record CreatedTask
{
    /// <summary>The task id (a UUID); pass it to <see cref="ReelayClient.GetTaskAsync"/> or <see cref="ReelayClient.WaitForTaskOutputAsync"/>.</summary>
    public string Id { get; init; } = "";
    /// <summary>The price held for the task, when the server reports it.</summary>
    public CreditAmount? EstimatedCost { get; init; }
}

/// <summary>An amount of credits.</summary>
public sealed record CreditAmount
{
    /// <summary>The number of credits.</summary>
    public long Credits { get; init; }
}

/// <summary>Where a frame goes in the video.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PromptImagePosition>))]
public enum PromptImagePosition
{
    /// <summary>The video starts with this image.</summary>
    [JsonStringEnumMemberName("first")] First,
    /// <summary>The video ends with this image.</summary>
    [JsonStringEnumMemberName("last")] Last,
}

/// <summary>One positioned image of a multi-frame <see cref="PromptImage"/>.</summary>
public sealed record PromptImageFrame
{
    /// <summary>The image URI: <c>data:image/…</c>, <c>https://…</c> or <c>runway://…</c>.</summary>
    public required string Uri { get; init; }
    /// <summary>First or last frame.</summary>
    public required PromptImagePosition Position { get; init; }
}
