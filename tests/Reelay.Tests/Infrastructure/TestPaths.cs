namespace Reelay.Tests.Infrastructure;

public static class TestPaths
{
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>The server's own build output, in the configuration the tests were built in.</summary>
    public static string ServerBinDirectory
    {
        get
        {
            var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name; // bin/<Configuration>/net10.0/
            return Path.Combine(RepositoryRoot, "src", "Reelay.Server", "bin", configuration, "net10.0");
        }
    }

    /// <summary>The `reelay` CLI's build output, in the same configuration.</summary>
    public static string CliDll => Path.Combine(RepositoryRoot, "src", "Reelay.Cli", "bin",
        new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name, "net10.0", "reelay.dll");

    public static string NewTempDirectory(string prefix)
    {
        var path = Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Reelay.slnx"))) return dir.FullName;
        throw new InvalidOperationException("Could not find the repository root (Reelay.slnx).");
    }
}
