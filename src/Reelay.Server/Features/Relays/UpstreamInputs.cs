using Reelay.Server.Features.Blobs;
using Reelay.Server.Features.Tasks;

namespace Reelay.Server.Features.Relays;

/// <summary>
/// How each stored input travels upstream: inline as a data URI, or — above the relay's UploadAboveBytes, when the
/// dialect has an upload flow (Runway: POST /v1/uploads, the multipart form, then the runway:// URI) — uploaded first
/// and named by the URI the upstream gave. Never the user's own URL: it may have changed or expired, and fetching it
/// again would be a second, unvalidated download.
/// </summary>
public static class UpstreamInputs
{
    /// <summary>Whether an input of this size is uploaded rather than inlined (pure).</summary>
    public static bool Uploads(long size, long threshold, bool dialectUploads) => dialectUploads && size > threshold;

    public static async Task<Dictionary<int, string>> PrepareAsync(IBlobStore blobs, Relay relay, string temporaryDirectory, string taskId,
        GenerationRequest request, CancellationToken cancellationToken)
    {
        var uris = new Dictionary<int, string>();
        foreach (var input in request.Media)
        {
            using var local = await blobs.GetLocalFileAsync(input.BlobKey, temporaryDirectory, cancellationToken)
                ?? throw new InvalidOperationException($"Input {input.BlobKey} of task {taskId} is missing from the blob store.");
            var size = new FileInfo(local.Path).Length;
            if (Uploads(size, relay.Options.UploadAboveBytes, relay.Client.CanUpload))
            {
                uris[input.Index] = await relay.Client.UploadAsync($"{taskId}-{input.Index}{Extension(input.MediaType)}", input.MediaType, local.Path, cancellationToken);
                continue;
            }
            uris[input.Index] = UpstreamRequest.DataUri(input.MediaType, await File.ReadAllBytesAsync(local.Path, cancellationToken));
        }
        return uris;
    }

    private static string Extension(string mediaType) => mediaType switch
    {
        "image/png" => ".png",
        "image/jpeg" => ".jpg",
        "image/webp" => ".webp",
        "image/gif" => ".gif",
        "video/mp4" => ".mp4",
        "video/quicktime" => ".mov",
        "video/webm" => ".webm",
        "audio/mpeg" => ".mp3",
        "audio/wav" or "audio/x-wav" => ".wav",
        _ => "",
    };
}
