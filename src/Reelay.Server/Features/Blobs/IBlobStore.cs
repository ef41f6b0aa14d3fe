namespace Reelay.Server.Features.Blobs;

/// <summary>
/// Where inputs, uploads and outputs live, addressed by keys such as "outputs/{task}/{lease}.mp4". Any node
/// reads what any other node wrote: a directory (a shared volume across nodes) or S3-compatible storage.
/// Deleting a key also deletes everything under "key/", so a task's blobs go with one call.
/// </summary>
public interface IBlobStore
{
    /// <summary>"directory" or "s3", for logs and /readyz.</summary>
    string Kind { get; }

    /// <summary>Streams into a blob, stopping one byte past the cap so an oversized body is never stored or read whole.</summary>
    Task<(long Size, bool TooLarge)> WriteCappedAsync(string key, Stream source, long cap, CancellationToken cancellationToken = default);

    /// <summary>Stores a local file under a key: moved when move is true (it was a temporary file), copied otherwise.</summary>
    Task PutFileAsync(string key, string localPath, bool move, CancellationToken cancellationToken = default);

    /// <summary>The blob's size, or null when there is no such blob.</summary>
    Task<long?> SizeAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Bytes [from, from+length) of a blob (to its end when length is null); null when there is no such blob.</summary>
    Task<Stream?> OpenReadAsync(string key, long from = 0, long? length = null, CancellationToken cancellationToken = default);

    /// <summary>The blob as a file on this machine: the stored file itself for a directory, a temporary copy otherwise.</summary>
    Task<LocalBlob?> GetLocalFileAsync(string key, string temporaryDirectory, CancellationToken cancellationToken = default);

    /// <summary>Deletes the blob at key and every blob under "key/"; what is already gone is not an error.</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken = default);
}

/// <summary>A blob as a local file; disposing deletes it when it was a temporary copy.</summary>
public sealed class LocalBlob(string path, bool temporary) : IDisposable
{
    public string Path { get; } = path;
    public bool IsTemporary { get; } = temporary;

    public void Dispose()
    {
        if (IsTemporary) File.Delete(Path);
    }
}
