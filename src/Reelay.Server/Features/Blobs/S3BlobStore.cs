using System.Net;
using System.Net.Sockets;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Reelay.Server.Features.Blobs;

/// <summary>The Blobs:S3:* settings (Blobs:Provider=s3).</summary>
public sealed record S3BlobStoreOptions(string? Endpoint, string Bucket, string? AccessKey, string? SecretKey, string Region, string Prefix)
{
    public static S3BlobStoreOptions From(IConfiguration config)
    {
        string? Read(string name) => string.IsNullOrWhiteSpace(config[$"Blobs:S3:{name}"]) ? null : config[$"Blobs:S3:{name}"]!.Trim();
        var bucket = Read("Bucket") ?? throw new InvalidOperationException(
            "Blobs:Provider is 's3' but Blobs:S3:Bucket is not set: name the bucket that holds Reelay's blobs (it must exist).");
        var (accessKey, secretKey) = (Read("AccessKey"), Read("SecretKey"));
        if (accessKey is null != secretKey is null)
            throw new InvalidOperationException("Set both Blobs:S3:AccessKey and Blobs:S3:SecretKey, or neither (then the AWS default credential chain is used).");
        // A prefix is a folder inside the bucket: "reelay" and "/reelay/" both mean "reelay/".
        var prefix = (Read("Prefix") ?? "").Trim('/');
        return new S3BlobStoreOptions(Read("Endpoint"), bucket, accessKey, secretKey, Read("Region") ?? "us-east-1", prefix.Length == 0 ? "" : prefix + "/");
    }
}

/// <summary>
/// Blobs as objects in an S3-compatible bucket (AWS S3, MinIO, R2, …), so every node reads what any node wrote.
/// S3 has no rename, but a PutObject is atomic per object: readers see the whole old blob or the whole new one.
/// </summary>
public sealed class S3BlobStore : IBlobStore, IDisposable
{
    private readonly AmazonS3Client _s3;
    private readonly S3BlobStoreOptions _options;
    private readonly string _temporaryDirectory;
    private readonly string _where;

    public S3BlobStore(S3BlobStoreOptions options, string temporaryDirectory)
    {
        _options = options;
        _temporaryDirectory = temporaryDirectory;
        _where = options.Endpoint is null ? $"bucket '{options.Bucket}' (AWS {options.Region})" : $"bucket '{options.Bucket}' at {options.Endpoint}";
        // Standard retries (3 attempts, short jittered backoff): the SDK's legacy mode spends ~30 s retrying a refused
        // connection, longer than any request or /readyz should wait.
        var config = new AmazonS3Config { RetryMode = RequestRetryMode.Standard, MaxErrorRetry = 2 };
        if (options.Endpoint is null) config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        else
        {
            config.ServiceURL = options.Endpoint;
            config.AuthenticationRegion = options.Region;
            config.ForcePathStyle = true; // S3-compatible servers rarely have a DNS name per bucket
        }
        try
        {
            _s3 = options.AccessKey is null ? new AmazonS3Client(config) : new AmazonS3Client(new BasicAWSCredentials(options.AccessKey, options.SecretKey), config);
        }
        catch (Exception ex) when (ex is AmazonClientException or AmazonServiceException)
        {
            // The default chain resolves at construction: with nothing to find, stop at start-up rather than at the first upload.
            throw new InvalidOperationException($"Blobs:S3: no AWS credentials were found ({ex.Message.Split('\n')[0].Trim()}); " +
                "set Blobs:S3:AccessKey and Blobs:S3:SecretKey, or provide them through the environment, a profile or an instance role.", ex);
        }
    }

    public string Kind => "s3";

    private string ObjectKey(string key) => _options.Prefix + key;

    public async Task<(long Size, bool TooLarge)> WriteCappedAsync(string key, Stream source, long cap, CancellationToken cancellationToken = default)
    {
        // Spooled to a local file, never to memory: the cap is enforced while reading, and the upload then knows its length.
        Directory.CreateDirectory(_temporaryDirectory);
        var temp = Path.Combine(_temporaryDirectory, $"s3-put-{Guid.NewGuid():N}");
        try
        {
            var total = await BlobCopy.CopyCappedToFileAsync(source, temp, cap, cancellationToken);
            if (total > cap) return (total, true);
            await UploadAsync(key, temp, cancellationToken);
            return (total, false);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    public async Task PutFileAsync(string key, string localPath, bool move, CancellationToken cancellationToken = default)
    {
        await UploadAsync(key, localPath, cancellationToken);
        if (move) File.Delete(localPath);
    }

    private Task UploadAsync(string key, string localPath, CancellationToken cancellationToken) =>
        CallAsync("write", key, async token =>
        {
            // One PutObject (up to 5 GB; uploads stop at 200 MB). No aws-chunked signing: many S3-compatible servers
            // cannot decode it. Over HTTPS the payload is not hashed for the signature (TLS already protects it).
            await _s3.PutObjectAsync(new PutObjectRequest
            {
                BucketName = _options.Bucket,
                Key = ObjectKey(key),
                FilePath = localPath,
                UseChunkEncoding = false,
                DisablePayloadSigning = _options.Endpoint is null || _options.Endpoint.StartsWith("https:", StringComparison.OrdinalIgnoreCase),
            }, token);
            return true;
        }, cancellationToken);

    public Task<long?> SizeAsync(string key, CancellationToken cancellationToken = default) =>
        CallAsync<long?>("size", key, async token =>
        {
            try
            {
                return (long?)(await _s3.GetObjectMetadataAsync(_options.Bucket, ObjectKey(key), token)).ContentLength;
            }
            catch (AmazonS3Exception ex) when (IsMissingObject(ex, headRequest: true))
            {
                return null;
            }
        }, cancellationToken);

    public Task<Stream?> OpenReadAsync(string key, long from = 0, long? length = null, CancellationToken cancellationToken = default) =>
        CallAsync<Stream?>("read", key, async token =>
        {
            // A zero-length range has no HTTP spelling; the directory store gives an empty stream for it, so do we.
            if (length is 0) return await SizeAsync(key, token) is null ? null : new MemoryStream([], writable: false);
            var request = new GetObjectRequest { BucketName = _options.Bucket, Key = ObjectKey(key) };
            if (length is { } n) request.ByteRange = new ByteRange(from, from + n - 1);
            else if (from > 0) request.ByteRange = new ByteRange($"bytes={from}-");
            try
            {
                var response = await _s3.GetObjectAsync(request, token);
                // Bounded as well: some S3-compatible servers answer "bytes=0-0" with the whole object, and the
                // HTTP response serving this range has promised exactly length bytes.
                return length is { } count ? new BoundedReadStream(new ResponseStream(response), count) : new ResponseStream(response);
            }
            catch (AmazonS3Exception ex) when (IsMissingObject(ex, headRequest: false))
            {
                return null;
            }
            catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
            {
                return new MemoryStream([], writable: false); // from at or past the end: nothing to read, as for a file
            }
        }, cancellationToken);

    public Task<LocalBlob?> GetLocalFileAsync(string key, string temporaryDirectory, CancellationToken cancellationToken = default) =>
        CallAsync<LocalBlob?>("download", key, async token =>
        {
            Directory.CreateDirectory(temporaryDirectory);
            // The key's extension is kept: tools that get the file (ffmpeg) may look at it.
            var path = Path.Combine(temporaryDirectory, $"s3-get-{Guid.NewGuid():N}{Path.GetExtension(key)}");
            try
            {
                using var response = await _s3.GetObjectAsync(_options.Bucket, ObjectKey(key), token);
                await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
                    await response.ResponseStream.CopyToAsync(file, token);
                return new LocalBlob(path, temporary: true);
            }
            catch (AmazonS3Exception ex) when (IsMissingObject(ex, headRequest: false))
            {
                File.Delete(path);
                return null;
            }
            catch
            {
                File.Delete(path);
                throw;
            }
        }, cancellationToken);

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default) =>
        CallAsync("delete", key, async token =>
        {
            await _s3.DeleteObjectAsync(_options.Bucket, ObjectKey(key), token); // a missing object is not an error in S3 either
            // "key/" and not "key": deleting outputs/ab must leave outputs/abc/… alone.
            var list = new ListObjectsV2Request { BucketName = _options.Bucket, Prefix = ObjectKey(key) + "/" };
            while (true)
            {
                var page = await _s3.ListObjectsV2Async(list, token);
                // A listing page holds at most 1000 keys, which is also DeleteObjects' limit.
                if (page.S3Objects.Count > 0)
                {
                    var deleted = await _s3.DeleteObjectsAsync(new DeleteObjectsRequest
                    {
                        BucketName = _options.Bucket,
                        Objects = page.S3Objects.Select(o => new KeyVersion { Key = o.Key }).ToList(),
                        Quiet = true,
                    }, token);
                    if (deleted.DeleteErrors.Count > 0)
                        throw new IOException($"S3 did not delete {deleted.DeleteErrors[0].Key}: {deleted.DeleteErrors[0].Code} {deleted.DeleteErrors[0].Message}");
                }
                if (!page.IsTruncated) return true;
                list.ContinuationToken = page.NextContinuationToken;
            }
        }, cancellationToken);

    /// <summary>
    /// A missing object, as opposed to a missing bucket. A HEAD answer has no body, so its 404 cannot say which;
    /// a missing bucket then reads as a missing blob, but every write (and so /readyz) names it.
    /// </summary>
    private static bool IsMissingObject(AmazonS3Exception ex, bool headRequest) =>
        ex.ErrorCode == "NoSuchKey" || (headRequest && ex.StatusCode == HttpStatusCode.NotFound && ex.ErrorCode != "NoSuchBucket");

    /// <summary>Runs one S3 call and turns its failures into messages that say what to fix (for logs and /readyz).</summary>
    private async Task<T> CallAsync<T>(string action, string key, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call(cancellationToken);
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode == "NoSuchBucket")
        {
            throw new IOException($"The S3 {_where} does not exist; create it or fix Blobs:S3:Bucket.", ex);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.Forbidden || ex.ErrorCode is "InvalidAccessKeyId" or "SignatureDoesNotMatch" or "AccessDenied")
        {
            throw new IOException($"S3 refused to {action} '{key}' in {_where}: {ex.ErrorCode} ({ex.Message}); check Blobs:S3:AccessKey, Blobs:S3:SecretKey and the bucket's permissions.", ex);
        }
        catch (AmazonServiceException ex)
        {
            // Network failures arrive wrapped (after the SDK's retries) or bare; both mean the endpoint is not there.
            if (ex.InnerException is HttpRequestException or SocketException or IOException)
                throw new IOException($"Could not reach S3 ({_where}) to {action} '{key}': {ex.InnerException.Message}", ex);
            throw new IOException($"S3 could not {action} '{key}' in {_where}: {ex.ErrorCode} {ex.StatusCode} ({ex.Message})", ex);
        }
        catch (Exception ex) when (ex is HttpRequestException or SocketException)
        {
            throw new IOException($"Could not reach S3 ({_where}) to {action} '{key}': {ex.Message}", ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new IOException($"S3 ({_where}) did not answer in time to {action} '{key}'.", ex);
        }
    }

    public void Dispose() => _s3.Dispose();

    /// <summary>The object's body; disposing it also disposes the response (and so returns its connection).</summary>
    private sealed class ResponseStream(GetObjectResponse response) : Stream
    {
        private readonly Stream _inner = response.ResponseStream;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => response.ContentLength;
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);
        public override int Read(Span<byte> buffer) => _inner.Read(buffer);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _inner.ReadAsync(buffer, cancellationToken);
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _inner.ReadAsync(buffer, offset, count, cancellationToken);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) response.Dispose();
            base.Dispose(disposing);
        }
    }
}
