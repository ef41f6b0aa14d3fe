using Reelay.Server.Features.Blobs;
using Reelay.Server.Features.Catalog;
using Reelay.Server.Features.Uploads;

namespace Reelay.Server.Features.Assets;

/// <summary>An input that passed every check: a file on disk the engine will read instead of the URI.</summary>
public sealed record CheckedAsset(string MediaType, string FilePath, bool IsTemporary, long Bytes, int Width, int Height, double? DurationSeconds)
{
    public string Extension => MediaType switch
    {
        "image/png" => ".png", "image/webp" => ".webp", "image/jpeg" => ".jpg",
        "video/webm" => ".webm", "video/ogg" => ".ogv", "video/quicktime" => ".mov", "video/h264" => ".h264",
        "audio/mpeg" => ".mp3", "audio/wav" => ".wav", "audio/aac" => ".aac", "audio/flac" => ".flac", "audio/ogg" => ".ogg", "audio/mp4" => ".m4a",
        _ => ".mp4",
    };

    public void DeleteIfTemporary()
    {
        if (IsTemporary) File.Delete(FilePath);
    }
}

/// <summary>
/// Every way an input arrives — data URI, https URL, runway:// upload — checked in the order of
/// assets.md, ending in the same content checks: real type, dimensions, aspect ratio, duration.
/// </summary>
public sealed class AssetIntake(AssetOptions options, AssetFetcher fetcher, UploadStore uploads, IBlobStore blobs)
{
    public async Task<(CheckedAsset? Asset, AssetReport Report)> CheckAsync(
        string uri, AssetKind kind, AspectBounds? aspect, string orgId, CancellationToken cancellationToken)
    {
        var report = new AssetReport(uri, kind);
        var asset = await CheckCoreAsync(uri, kind, aspect, orgId, report, cancellationToken);
        return (asset, report.Finish());
    }

    public const long MaxBase64ImageBytes = 10L << 20;
    public const string InvalidBase64 = "Invalid base64 image data.";
    public const string NotAnImage = "Invalid asset. The content could not be read as an image (JPEG, PNG or WebP).";

    /// <summary>RunBlob's image_base64: raw base64 (or a data URI) of at most 10 MB decoded; the bytes decide the type.</summary>
    public async Task<(CheckedAsset? Asset, AssetReport Report)> CheckBase64ImageAsync(string value, AspectBounds? aspect, CancellationToken cancellationToken)
    {
        var report = new AssetReport("(image_base64)", AssetKind.Image);
        var payload = value.StartsWith("data:", StringComparison.OrdinalIgnoreCase) && value.IndexOf(',') is var comma and > 0 ? value[(comma + 1)..] : value;
        if (payload.Length > MaxBase64ImageBytes / 3 * 4 + 8)
        {
            report.Fail("size", AssetRules.SizeExceeds(MaxBase64ImageBytes));
            return (null, report.Finish());
        }
        var bytes = new byte[payload.Length / 4 * 3 + 3];
        if (!Convert.TryFromBase64String(payload, bytes, out var written) || written == 0)
        {
            report.Fail("base64", InvalidBase64);
            return (null, report.Finish());
        }
        if (ImageHeaders.Read(bytes.AsSpan(0, written)) is not { } info)
        {
            report.Fail("decodable", NotAnImage);
            return (null, report.Finish());
        }
        report.Pass("base64", $"{written} bytes");
        var path = NewTempPath();
        await File.WriteAllBytesAsync(path, bytes.AsMemory(0, written), cancellationToken);
        var asset = await InspectAsync(path, true, info.MediaType, written, AssetKind.Image, aspect, report, cancellationToken);
        return (asset, report.Finish());
    }

    private async Task<CheckedAsset?> CheckCoreAsync(string uri, AssetKind kind, AspectBounds? aspect, string orgId, AssetReport report, CancellationToken cancellationToken)
    {
        if (uri.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            var (bytes, mediaType, reason) = DataUri.Decode(uri, kind);
            if (reason is not null) { report.Fail("data uri", reason); return null; }
            report.Pass("data uri", $"{mediaType}, {bytes!.Length} bytes");
            var path = NewTempPath();
            await File.WriteAllBytesAsync(path, bytes, cancellationToken);
            return await InspectAsync(path, true, mediaType!, bytes.Length, kind, aspect, report, cancellationToken);
        }
        if (uri.StartsWith(UploadStore.Scheme, StringComparison.OrdinalIgnoreCase))
        {
            var (upload, reason) = await uploads.FindUsableAsync(orgId, uri);
            if (upload is null) { report.Fail("upload", reason!); return null; }
            report.Pass("upload", $"{upload.Size} bytes, uploaded as {upload.Filename}");
            var mediaType = upload.SniffedMediaType(kind);
            if (mediaType is null)
            {
                report.Fail("content type", AssetRules.Undecodable(KindNoun(kind)), "the upload is not a supported " + kind.ToString().ToLowerInvariant());
                return null;
            }
            // A directory store hands over the stored file (shared, so never moved); S3 a temporary copy the task takes over.
            var local = await blobs.GetLocalFileAsync(upload.BlobKey, options.TempDirectory, cancellationToken);
            if (local is null) { report.Fail("upload", UploadStore.IncompleteUpload); return null; }
            try
            {
                return await InspectAsync(local.Path, local.IsTemporary, mediaType, upload.Size, kind, aspect, report, cancellationToken);
            }
            catch
            {
                local.Dispose();
                throw;
            }
        }

        var (parsed, urlReason) = AddressSafety.CheckUrl(uri);
        if (parsed is null) { report.Fail("url", urlReason!); return null; }
        report.Pass("url", "https URL on a domain");
        var fetched = await fetcher.FetchAsync(parsed, kind, report, cancellationToken);
        if (fetched is null) return null;
        return await InspectAsync(fetched.Path, true, fetched.MediaType, fetched.Bytes, kind, aspect, report, cancellationToken);
    }

    /// <summary>The content checks every input ends with; a failing file is deleted when it is ours.</summary>
    private async Task<CheckedAsset?> InspectAsync(string path, bool temporary, string mediaType, long bytes, AssetKind kind, AspectBounds? aspect, AssetReport report, CancellationToken cancellationToken)
    {
        var asset = kind switch
        {
            AssetKind.Image => await ReadImageAsync(path, temporary, mediaType, bytes, report),
            AssetKind.Video => await ReadVideoAsync(path, temporary, mediaType, bytes, report, cancellationToken),
            AssetKind.Audio => await ReadAudioAsync(path, temporary, mediaType, bytes, report, cancellationToken),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        if (asset is not null && (kind == AssetKind.Audio || CheckGeometry(asset, kind, aspect, report))) return asset;
        if (temporary) File.Delete(path);
        return null;
    }

    /// <summary>Dimensions and aspect ratio of an image or video; audio has no pixels, so its checks end with the probe.</summary>
    private static bool CheckGeometry(CheckedAsset asset, AssetKind kind, AspectBounds? aspect, AssetReport report)
    {
        var bounds = aspect ?? (kind == AssetKind.Image ? new AspectBounds(0.5, 2) : null);
        var geometry = AssetRules.CheckImageGeometry(asset.Width, asset.Height, bounds?.Min ?? 0, bounds?.Max ?? double.MaxValue);
        if (geometry is not null)
        {
            report.Fail("dimensions", geometry);
            return false;
        }
        report.Pass("dimensions", $"{asset.Width}x{asset.Height}, ratio {AssetRules.Number((double)asset.Width / asset.Height)}");
        return true;
    }

    private static async Task<CheckedAsset?> ReadImageAsync(string path, bool temporary, string mediaType, long bytes, AssetReport report)
    {
        ImageInfo? info;
        await using (var stream = File.OpenRead(path)) info = ImageHeaders.Read(stream);
        if (info is null || info.MediaType != mediaType) { report.Fail("decodable", AssetRules.Undecodable(mediaType)); return null; }
        Observe(report, info.MediaType, info.Width, info.Height, null);
        report.Pass("decodable", $"{info.MediaType} header read without decoding pixels");
        return new CheckedAsset(mediaType, path, temporary, bytes, info.Width, info.Height, null);
    }

    private async Task<CheckedAsset?> ReadVideoAsync(string path, bool temporary, string mediaType, long bytes, AssetReport report, CancellationToken cancellationToken)
    {
        var video = await VideoProbe.ReadAsync(path, mediaType, options.FfprobePath, options.FetchTimeout, cancellationToken);
        if (video is null) { report.Fail("decodable", AssetRules.Undecodable(mediaType)); return null; }
        Observe(report, video.MediaType, video.Width, video.Height, video.DurationSeconds);
        report.Pass("decodable", $"{video.MediaType}, {video.DurationSeconds:0.###} s");
        return new CheckedAsset(video.MediaType, path, temporary, bytes, video.Width, video.Height, video.DurationSeconds);
    }

    private async Task<CheckedAsset?> ReadAudioAsync(string path, bool temporary, string mediaType, long bytes, AssetReport report, CancellationToken cancellationToken)
    {
        var audio = await AudioProbe.ReadAsync(path, mediaType, options.FfprobePath, options.FetchTimeout, cancellationToken);
        if (audio is null) { report.Fail("decodable", AssetRules.Undecodable(mediaType)); return null; }
        report.Observed.MediaType = audio.MediaType;
        report.Observed.DurationSeconds = audio.DurationSeconds;
        report.Pass("decodable", $"{audio.MediaType}, {audio.DurationSeconds:0.###} s");
        return new CheckedAsset(audio.MediaType, path, temporary, bytes, 0, 0, audio.DurationSeconds);
    }

    /// <summary>How the upload check names what the field takes: "…could not be read as an image."</summary>
    private static string KindNoun(AssetKind kind) => kind switch
    {
        AssetKind.Image => "an image",
        AssetKind.Video => "a video",
        AssetKind.Audio => "audio",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static void Observe(AssetReport report, string mediaType, int width, int height, double? duration)
    {
        report.Observed.MediaType = mediaType;
        report.Observed.Width = width;
        report.Observed.Height = height;
        report.Observed.Ratio = height > 0 ? Math.Round((double)width / height, 3) : null;
        report.Observed.DurationSeconds = duration;
    }

    private string NewTempPath()
    {
        Directory.CreateDirectory(options.TempDirectory);
        return Path.Combine(options.TempDirectory, $"asset-{Guid.NewGuid():N}");
    }
}
