using System.Text.Json;
using System.Text.Json.Serialization;

namespace Reelay.Client;

/// <summary>
/// The <c>promptImage</c> field, which the API accepts either as one URI string or as an array of
/// positioned frames; this type writes whichever form it holds. A string converts implicitly.
/// </summary>
[JsonConverter(typeof(PromptImageConverter))]
public sealed class PromptImage
{
    private PromptImage(string? uri, IReadOnlyList<PromptImageFrame>? frames)
    {
        Uri = uri;
        Frames = frames;
    }

    /// <summary>The single image URI, or null when this holds <see cref="Frames"/>.</summary>
    public string? Uri { get; }

    /// <summary>The positioned frames, or null when this holds a single <see cref="Uri"/>.</summary>
    public IReadOnlyList<PromptImageFrame>? Frames { get; }

    /// <summary>One image used as the first frame.</summary>
    public static PromptImage FromUri(string uri) => new(uri ?? throw new ArgumentNullException(nameof(uri)), null);

    /// <summary>One or two positioned frames (no position twice).</summary>
    public static PromptImage FromFrames(params PromptImageFrame[] frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        return new(null, frames.ToArray());
    }

    /// <summary>A <c>data:</c> URI of the given image bytes (PNG, JPEG or WebP; up to 5 MB once encoded).</summary>
    public static PromptImage FromBytes(ReadOnlySpan<byte> image, string mediaType) =>
        new($"data:{mediaType};base64,{Convert.ToBase64String(image)}", null);

    /// <summary>
    /// A <c>data:</c> URI of a local image file, typed from its extension. For files larger than a
    /// data URI allows, use <see cref="ReelayClient.UploadFileAsync"/> and pass the returned URI instead.
    /// </summary>
    public static PromptImage FromFile(string path)
    {
        var mediaType = Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".png" => "image/png",
            ".jpg" or ".jpeg" => "image/jpeg",
            ".webp" => "image/webp",
            var other => throw new ArgumentException($"Cannot tell the image type of '{path}' from its extension '{other}'; use FromBytes with a media type.", nameof(path)),
        };
        return FromBytes(File.ReadAllBytes(path), mediaType);
    }

    /// <summary>Uses a URI string as the prompt image.</summary>
    public static implicit operator PromptImage(string uri) => FromUri(uri);

    /// <inheritdoc />
    public override string ToString() => Uri ?? $"[{Frames!.Count} frame(s)]";
}

internal sealed class PromptImageConverter : JsonConverter<PromptImage>
{
    public override PromptImage Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String
            ? PromptImage.FromUri(reader.GetString()!)
            : PromptImage.FromFrames(JsonSerializer.Deserialize<PromptImageFrame[]>(ref reader, options) ?? []);

    public override void Write(Utf8JsonWriter writer, PromptImage value, JsonSerializerOptions options)
    {
        if (value.Uri is not null) writer.WriteStringValue(value.Uri);
        else JsonSerializer.Serialize(writer, value.Frames, options);
    }
}
