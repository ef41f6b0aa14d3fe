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

    public bool Exists(string key) => File.Exists(PathFor(key));

    /// <summary>Best effort: a file that is already gone is not an error.</summary>
    public void DeletePrefix(string prefix)
    {
        var path = PathFor(prefix);
        if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
        else if (File.Exists(path)) File.Delete(path);
    }
}
