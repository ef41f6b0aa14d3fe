using System.Text.Json.Serialization;

namespace Reelay.Client;

/// <summary>What an asset is meant to be.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AssetKind>))]
public enum AssetKind
{
    /// <summary>A prompt image.</summary>
    [JsonStringEnumMemberName("image")] Image,
    /// <summary>A video input.</summary>
    [JsonStringEnumMemberName("video")] Video,
    /// <summary>An audio input.</summary>
    [JsonStringEnumMemberName("audio")] Audio,
}

/// <summary>The body of <c>POST /v1/assets/check</c>: run task intake's checks on a URI, with no task and no charge.</summary>
public sealed record AssetCheckRequest
{
    /// <summary>The URI to check: <c>https://…</c>, <c>runway://…</c> or <c>data:…</c>.</summary>
    public required string Uri { get; init; }
    /// <summary>Image (default), video or audio.</summary>
    public AssetKind? Kind { get; init; }
    /// <summary>A model id, to also check the image's aspect ratio against that model's bounds.</summary>
    public string? Model { get; init; }
}

/// <summary>What the server saw while checking an asset. A rejected asset is still a successful call.</summary>
public sealed record AssetReport
{
    /// <summary>The URI checked (long URIs are shortened).</summary>
    public string Uri { get; init; } = "";
    /// <summary>Image, video or audio.</summary>
    public AssetKind Kind { get; init; }
    /// <summary><c>"accepted"</c> or <c>"rejected"</c>.</summary>
    public string Verdict { get; init; } = "";
    /// <summary>Why the asset was rejected; null when accepted.</summary>
    public string? Reason { get; init; }
    /// <summary>How long the check took.</summary>
    public long ElapsedMs { get; init; }
    /// <summary>The values observed while fetching and reading the asset.</summary>
    public ObservedAsset Observed { get; init; } = new();
    /// <summary>Every check run, in order, with its result.</summary>
    public IReadOnlyList<AssetCheckResult> Checks { get; init; } = [];

    /// <summary>True when the asset would be accepted by a create.</summary>
    [JsonIgnore] public bool Accepted => Verdict == "accepted";
}

/// <summary>One check of an <see cref="AssetReport"/>.</summary>
public sealed record AssetCheckResult
{
    /// <summary>The check's name.</summary>
    public string Name { get; init; } = "";
    /// <summary>Whether it passed.</summary>
    public bool Passed { get; init; }
    /// <summary>What was found.</summary>
    public string? Detail { get; init; }
}

/// <summary>Observed facts about an asset; each is null when that step was not reached.</summary>
public sealed record ObservedAsset
{
    /// <summary>The address connected to.</summary>
    public string? Address { get; init; }
    /// <summary>The HTTP status of the fetch.</summary>
    public int? Status { get; init; }
    /// <summary>The declared content type.</summary>
    public string? ContentType { get; init; }
    /// <summary>The declared content length.</summary>
    public long? ContentLength { get; init; }
    /// <summary>Bytes actually read.</summary>
    public long? BytesRead { get; init; }
    /// <summary>The media type found in the bytes.</summary>
    public string? MediaType { get; init; }
    /// <summary>Width in pixels.</summary>
    public int? Width { get; init; }
    /// <summary>Height in pixels.</summary>
    public int? Height { get; init; }
    /// <summary>Width divided by height.</summary>
    public double? Ratio { get; init; }
    /// <summary>A video's or audio's duration in seconds.</summary>
    public double? DurationSeconds { get; init; }
}
