namespace Reelay.Server.Features.Blobs;

/// <summary>Blobs as files under one directory (the default; across nodes, a shared volume).</summary>
public sealed class DirectoryBlobStore(string root) : IBlobStore
{
    public string Kind => "directory";

    /// <summary>The file of a key; the output endpoint serves it directly so range requests cost nothing.</summary>
    public string PathFor(string key)
    {
        var full = Path.GetFullPath(Path.Combine(root, key));
        // Keys are built by the server, but a path that escapes the root must never be served or deleted.
        if (!full.StartsWith(Path.GetFullPath(root) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new InvalidOperationException($"Blob key '{key}' escapes the blob directory.");
        return full;
    }

    public async Task<(long Size, bool TooLarge)> WriteCappedAsync(string key, Stream source, long cap, CancellationToken cancellationToken = default)
    {
        var path = PathFor(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // A unique temporary name: two writers of one key (a worker that lost its lease and its successor) never share a file.
        var temp = $"{path}.{Guid.NewGuid():N}.part";
        try
        {
            var total = await BlobCopy.CopyCappedToFileAsync(source, temp, cap, cancellationToken);
            if (total > cap) return (total, true);
            File.Move(temp, path, overwrite: true);
            return (total, false);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    public Task PutFileAsync(string key, string localPath, bool move, CancellationToken cancellationToken = default)
    {
        var path = PathFor(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (move) File.Move(localPath, path, overwrite: true);
        else File.Copy(localPath, path, overwrite: true);
        return Task.CompletedTask;
    }

    public Task<long?> SizeAsync(string key, CancellationToken cancellationToken = default)
    {
        var file = new FileInfo(PathFor(key));
        return Task.FromResult<long?>(file.Exists ? file.Length : null);
    }

    public Task<Stream?> OpenReadAsync(string key, long from = 0, long? length = null, CancellationToken cancellationToken = default)
    {
        var path = PathFor(key);
        if (!File.Exists(path)) return Task.FromResult<Stream?>(null);
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 81920, useAsync: true);
        stream.Position = Math.Min(from, stream.Length);
        return Task.FromResult<Stream?>(length is { } n ? new BoundedReadStream(stream, n) : stream);
    }

    public Task<LocalBlob?> GetLocalFileAsync(string key, string temporaryDirectory, CancellationToken cancellationToken = default)
    {
        var path = PathFor(key);
        return Task.FromResult(File.Exists(path) ? new LocalBlob(path, temporary: false) : null);
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        var path = PathFor(key);
        if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
        if (File.Exists(path)) File.Delete(path);
        return Task.CompletedTask;
    }
}
