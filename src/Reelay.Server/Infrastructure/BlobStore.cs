namespace Reelay.Server.Infrastructure;

/// <summary>Inputs and outputs as files under the data directory, addressed by relative keys.</summary>
public sealed class BlobStore(string root)
{
    public string PathFor(string key)
    {
        var full = Path.GetFullPath(Path.Combine(root, key));
        // Keys are built by the server, but a path that escapes the root must never be served or deleted.
        if (!full.StartsWith(Path.GetFullPath(root) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new InvalidOperationException($"Blob key '{key}' escapes the blob directory.");
        return full;
    }

    public async Task WriteAsync(string key, byte[] bytes, CancellationToken cancellationToken = default)
    {
        var path = PathFor(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".part";
        await File.WriteAllBytesAsync(temp, bytes, cancellationToken);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Streams into a blob, stopping one byte past the cap so an oversized body is never read whole.</summary>
    public async Task<(long Size, bool TooLarge)> WriteCappedAsync(string key, Stream source, long cap, CancellationToken cancellationToken)
    {
        var path = PathFor(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".part";
        long total = 0;
        await using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 81920, useAsync: true))
        {
            var buffer = new byte[81920];
            int read;
            while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
            {
                total += read;
                if (total > cap)
                {
                    file.Close();
                    File.Delete(temp);
                    return (total, true);
                }
                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
        }
        File.Move(temp, path, overwrite: true);
        return (total, false);
    }

    /// <summary>Stores a checked input file: moved when it is a temporary file, copied when it is shared (an upload).</summary>
    public void Import(string key, string sourcePath, bool move)
    {
        var path = PathFor(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (move) File.Move(sourcePath, path, overwrite: true);
        else File.Copy(sourcePath, path, overwrite: true);
    }

    /// <summary>For /readyz: the store accepts a write and gives it back (a full disk or a lost mount fails here).</summary>
    public async Task ProbeAsync(CancellationToken cancellationToken = default)
    {
        var key = $"tmp/readyz-{Guid.NewGuid():N}";
        await WriteAsync(key, "ok"u8.ToArray(), cancellationToken);
        try
        {
            if (await File.ReadAllTextAsync(PathFor(key), cancellationToken) != "ok") throw new IOException("The blob store returned different bytes.");
        }
        finally
        {
            DeletePrefix(key);
        }
    }

    public bool Exists(string key) => File.Exists(PathFor(key));

    /// <summary>Best effort: a file that is already gone is not an error.</summary>
    public void DeletePrefix(string prefix)
    {
        var path = PathFor(prefix);
        if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
        else if (File.Exists(path)) File.Delete(path);
    }
}
