namespace Reelay.Server.Features.Assets;

/// <summary>An image that passed every check, with its bytes, ready to be stored for the engine.</summary>
public sealed record CheckedImage(string MediaType, byte[] Bytes, int Width, int Height)
{
    public string Extension => MediaType switch { "image/png" => ".png", "image/webp" => ".webp", _ => ".jpg" };
}

/// <summary>Parses and checks <c>data:image/…;base64,…</c> URIs in the order assets.md fixes.</summary>
public static class DataUri
{
    /// <summary>Returns the checked image, or the reason text of the first failing check.</summary>
    public static (CheckedImage? Image, string? Reason) CheckImage(string uri, double minAspect, double maxAspect)
    {
        if (!uri.StartsWith("data:", StringComparison.OrdinalIgnoreCase)) return (null, AssetRules.InvalidDataUri);
        var comma = uri.IndexOf(',');
        if (comma < 0) return (null, AssetRules.InvalidDataUri);
        var header = uri[5..comma];
        var parameters = header.Split(';');
        if (!parameters.Skip(1).Any(p => p.Equals("base64", StringComparison.OrdinalIgnoreCase))) return (null, AssetRules.InvalidDataUri);

        var declared = parameters[0].Trim();
        var mediaType = declared.Length == 0 ? null : ImageHeaders.NormalizeMediaType(declared);
        if (mediaType is null) return (null, AssetRules.UnsupportedDataUriType);
        if (uri.Length > AssetRules.MaxImageDataUriChars) return (null, AssetRules.SizeExceeds(AssetRules.MaxImageDataUriChars));

        var payload = uri.AsSpan(comma + 1);
        var bytes = new byte[payload.Length / 4 * 3 + 3];
        if (!Convert.TryFromBase64Chars(payload, bytes, out var written)) return (null, AssetRules.InvalidDataUri);
        Array.Resize(ref bytes, written);

        var info = ImageHeaders.Read(bytes);
        if (info is null || info.MediaType != mediaType) return (null, AssetRules.Undecodable(declared.ToLowerInvariant()));
        var geometry = AssetRules.CheckImageGeometry(info.Width, info.Height, minAspect, maxAspect);
        if (geometry is not null) return (null, geometry);
        return (new CheckedImage(mediaType, bytes, info.Width, info.Height), null);
    }
}
