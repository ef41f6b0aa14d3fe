using Dapper;
using Reelay.Server.Features.Assets;
using Reelay.Server.Features.Blobs;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Uploads;

/// <summary>A completed upload that a runway:// URI names.</summary>
public sealed record UploadRecord(string Id, string Filename, long Size, string? MediaType, string BlobKey)
{
    /// <summary>The upload's real type (sniffed at upload time) when it is of the kind the field takes.</summary>
    public string? SniffedMediaType(AssetKind kind) => MediaType is null ? null : AssetOptions.Approved(kind, AsKind(kind, MediaType));

    // Ogg and MP4 files hold audio or video alike, and the upload sniff (video first) cannot tell which from the first
    // bytes: for an audio field the container counts as audio, and the probe then decides whether it holds any.
    private static string AsKind(AssetKind kind, string sniffed) => (kind, sniffed) switch
    {
        (AssetKind.Audio, "video/ogg") => "audio/ogg",
        (AssetKind.Audio, "video/mp4") => "audio/mp4",
        _ => sniffed,
    };
}

/// <summary>Resolves runway:// URIs, always within the caller's organization.</summary>
public sealed class UploadStore(Db db, IBlobStore blobs)
{
    public const string Scheme = "runway://";
    public const string UriPrefix = "runway://uploads/";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    public const string UnknownUpload = "Unknown upload URI. Create an upload with POST /v1/uploads and use the runwayUri it returns.";
    public const string ExpiredUpload = "This upload has expired: uploads are usable for 24 hours. Upload the file again.";
    public const string IncompleteUpload = "Nothing has been uploaded to this URI yet. POST the file to the uploadUrl first.";

    public static string UriFor(string id) => UriPrefix + id;

    public async Task<(UploadRecord? Upload, string? Reason)> FindUsableAsync(string orgId, string uri)
    {
        if (uri.Length > AssetRules.MaxUploadUriChars) return (null, AssetRules.InvalidUrl);
        if (!uri.StartsWith(UriPrefix, StringComparison.Ordinal)) return (null, UnknownUpload);
        var id = uri[UriPrefix.Length..];
        await using var connection = await db.OpenAsync();
        var row = await connection.QuerySingleOrDefaultAsync<Row>(
            """
            SELECT id AS Id, filename AS Filename, expires_at AS ExpiresAt, completed_at AS CompletedAt, size AS Size,
                   media_type AS MediaType, blob_key AS BlobKey
            FROM uploads WHERE id = @id AND org_id = @orgId
            """, new { id, orgId });
        if (row is null) return (null, UnknownUpload);
        if (row.ExpiresAt < Clock.NowMs()) return (null, ExpiredUpload);
        if (row.CompletedAt is null || row.BlobKey is null || !await blobs.ExistsAsync(row.BlobKey)) return (null, IncompleteUpload);
        return (new UploadRecord(row.Id, row.Filename, row.Size ?? 0, row.MediaType, row.BlobKey), null);
    }

    private sealed class Row
    {
        public string Id { get; init; } = "";
        public string Filename { get; init; } = "";
        public long ExpiresAt { get; init; }
        public long? CompletedAt { get; init; }
        public long? Size { get; init; }
        public string? MediaType { get; init; }
        public string? BlobKey { get; init; }
    }
}
