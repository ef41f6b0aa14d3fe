using System.Net.Http.Headers;

namespace Reelay.Client;

public sealed partial class ReelayClient
{
    /// <summary>Step 1 of an upload: <c>POST /v1/uploads</c> hands out a form to post the file to.</summary>
    public Task<CreatedUpload> CreateUploadAsync(CreateUploadRequest request, RequestOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return SendJsonAsync<CreatedUpload>(new ApiCall(HttpMethod.Post, ApiUri("v1/uploads"))
            { Content = JsonBody(request), Options = options }, cancellationToken);
    }

    /// <summary>Step 2 of an upload: posts a local file to the upload's form.</summary>
    /// <exception cref="PermissionDeniedException">The form's token is missing or wrong.</exception>
    /// <exception cref="ConflictException">A file was already posted to this upload.</exception>
    public Task CompleteUploadAsync(CreatedUpload upload, string filePath, RequestOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        if (!File.Exists(filePath)) throw new FileNotFoundException($"No file at '{filePath}'.", filePath);
        // The file is reopened per attempt: a request's content is disposed with it.
        return PostFormAsync(upload, () => new StreamContent(File.OpenRead(filePath)), Path.GetFileName(filePath), options, cancellationToken);
    }

    /// <summary>Step 2 of an upload: posts bytes to the upload's form under the given file name.</summary>
    /// <exception cref="PermissionDeniedException">The form's token is missing or wrong.</exception>
    /// <exception cref="ConflictException">A file was already posted to this upload.</exception>
    public Task CompleteUploadAsync(CreatedUpload upload, ReadOnlyMemory<byte> content, string filename, RequestOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(filename);
        return PostFormAsync(upload, () => new ReadOnlyMemoryContent(content), filename, options, cancellationToken);
    }

    /// <summary>
    /// Uploads a local image or video (512 B – 200 MB) and returns its <c>runway://</c> URI, usable as a
    /// prompt image for 24 hours by this organization. Larger than a data URI allows, and sent once.
    /// </summary>
    public async Task<string> UploadFileAsync(string filePath, RequestOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        if (!File.Exists(filePath)) throw new FileNotFoundException($"No file at '{filePath}'.", filePath);
        var upload = await CreateUploadAsync(new CreateUploadRequest { Filename = Path.GetFileName(filePath) }, options, cancellationToken).ConfigureAwait(false);
        await CompleteUploadAsync(upload, filePath, options, cancellationToken).ConfigureAwait(false);
        return upload.RunwayUri;
    }

    private async Task PostFormAsync(CreatedUpload upload, Func<HttpContent> file, string filename, RequestOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(upload);
        if (!Uri.TryCreate(upload.UploadUrl, UriKind.Absolute, out var url))
            throw new ArgumentException($"The upload's URL is not an absolute URL: '{upload.UploadUrl}'.", nameof(upload));
        HttpContent Form()
        {
            var form = new MultipartFormDataContent();
            // Every field goes before the file: the server authorizes the file part with the token field it has already read.
            foreach (var (name, value) in upload.Fields) form.Add(new StringContent(value), name);
            var part = file();
            part.Headers.ContentType = new MediaTypeHeaderValue(MediaTypeOf(filename));
            form.Add(part, "file", filename);
            return form;
        }
        // Not authenticated: the form's token authorizes it, and the upload URL may belong to a storage
        // service that must never see the API key.
        await SendAsync(new ApiCall(HttpMethod.Post, url)
        {
            Content = Form,
            Authenticated = false,
            DefaultTimeout = _options.UploadTimeout,
            Options = options,
            ConflictAfterLostAttemptMeansDone = true,
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A hint only: the server identifies the file from its bytes.</summary>
    private static string MediaTypeOf(string filename) => Path.GetExtension(filename).ToLowerInvariant() switch
    {
        ".png" => "image/png",
        ".jpg" or ".jpeg" => "image/jpeg",
        ".webp" => "image/webp",
        ".mp4" => "video/mp4",
        ".mov" => "video/quicktime",
        ".webm" => "video/webm",
        _ => "application/octet-stream",
    };
}
