namespace Reelay.Client;

/// <summary>The body of <c>POST /v1/uploads</c>.</summary>
public sealed record CreateUploadRequest
{
    /// <summary>The file's name (1–255 characters); its content, not this name, decides its type.</summary>
    public required string Filename { get; init; }
    /// <summary>The upload type; <c>"ephemeral"</c> (valid 24 h) is the only one.</summary>
    public string Type { get; init; } = "ephemeral";
}

/// <summary>An upload slot: post the file to <see cref="UploadUrl"/> with <see cref="Fields"/>, then use <see cref="RunwayUri"/>.</summary>
public sealed record CreatedUpload
{
    /// <summary>Where to POST the multipart form.</summary>
    public string UploadUrl { get; init; } = "";
    /// <summary>Form fields to send, in this order, before the <c>file</c> part.</summary>
    public IReadOnlyDictionary<string, string> Fields { get; init; } = new Dictionary<string, string>();
    /// <summary>The <c>runway://</c> URI to use as a prompt image once the file is posted; valid 24 h and reusable.</summary>
    public string RunwayUri { get; init; } = "";
}
