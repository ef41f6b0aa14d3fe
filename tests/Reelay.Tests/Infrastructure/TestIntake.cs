using Reelay.Server.Features.Assets;
using Reelay.Server.Features.Blobs;
using Reelay.Server.Features.Uploads;
using Reelay.Server.Infrastructure;

namespace Reelay.Tests.Infrastructure;

/// <summary>The server's own asset intake, built in-process for unit tests of data URIs and validation.</summary>
public static class TestIntake
{
    public static AssetIntake Create(AssetOptions? options = null)
    {
        var directory = TestPaths.NewTempDirectory("reelay-intake");
        options ??= new AssetOptions { TempDirectory = directory };
        var blobs = new DirectoryBlobStore(directory);
        return new AssetIntake(options, new AssetFetcher(options), new UploadStore(new Db(Path.Combine(directory, "unused.db")), blobs), blobs);
    }
}
