namespace Reelay.Tests.Engines;

/// <summary>
/// A per-test directory whose name contains filtergraph/option/pattern metacharacters (: ' [ ] , ; %), so path
/// escaping (including image2's % patterns) is exercised by every render under it.
/// </summary>
public abstract class PreviewTempDirectory : IDisposable
{
    protected PreviewTempDirectory()
    {
        var name = OperatingSystem.IsWindows()
            ? $"run {Guid.NewGuid():N} it's [a,b];%d"
            : $"run:{Guid.NewGuid():N} it's [a,b];%d";
        Root = Path.Combine(Path.GetTempPath(), "reelay-preview-tests", name);
        Directory.CreateDirectory(Root);
    }

    protected string Root { get; }

    protected string Inputs => Path.Combine(Root, "input");

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort cleanup of the temp directory.
        }

        GC.SuppressFinalize(this);
    }
}
