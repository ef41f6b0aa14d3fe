namespace Reelay.Server.Features.Assets;

/// <summary>Parses <c>data:&lt;type&gt;;base64,…</c> URIs: the first checks of assets.md, before content checks.</summary>
public static class DataUri
{
    /// <summary>The decoded bytes and canonical media type, or the reason text of the first failing check.</summary>
    public static (byte[]? Bytes, string? MediaType, string? Reason) Decode(string uri, AssetKind kind)
    {
        if (!uri.StartsWith("data:", StringComparison.OrdinalIgnoreCase)) return (null, null, AssetRules.InvalidDataUri);
        var comma = uri.IndexOf(',');
        if (comma < 0) return (null, null, AssetRules.InvalidDataUri);
        var parameters = uri[5..comma].Split(';');
        if (!parameters.Skip(1).Any(p => p.Trim().Equals("base64", StringComparison.OrdinalIgnoreCase))) return (null, null, AssetRules.InvalidDataUri);

        var declared = parameters[0].Trim();
        var mediaType = declared.Length == 0 ? null : AssetOptions.Approved(kind, declared);
        if (mediaType is null) return (null, null, AssetRules.UnsupportedDataUriType);
        var limit = AssetOptions.DataUriLimit(kind);
        if (uri.Length > limit) return (null, null, AssetRules.SizeExceeds(limit));

        var payload = uri.AsSpan(comma + 1);
        var bytes = new byte[payload.Length / 4 * 3 + 3];
        if (!Convert.TryFromBase64Chars(payload, bytes, out var written) || written == 0) return (null, null, AssetRules.InvalidDataUri);
        Array.Resize(ref bytes, written);
        return (bytes, mediaType, null);
    }
}
