using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Blobs;

/// <summary>Picks the blob store from Blobs:Provider ("directory", the default, or "s3").</summary>
public static class BlobStores
{
    public static IBlobStore Create(IConfiguration config, ReelayOptions options)
    {
        var provider = (config["Blobs:Provider"] ?? "directory").Trim().ToLowerInvariant();
        return provider switch
        {
            "directory" => new DirectoryBlobStore(string.IsNullOrWhiteSpace(config["Blobs:Directory"]) ? options.BlobDirectory : Path.GetFullPath(config["Blobs:Directory"]!)),
            "s3" => new S3BlobStore(S3BlobStoreOptions.From(config), options.TempDirectory),
            _ => throw new InvalidOperationException($"Blobs:Provider '{provider}' is not supported; use 'directory' or 's3'."),
        };
    }
}
