using System.Diagnostics;
using System.Text;
using Amazon.Runtime;
using Amazon.S3;

namespace Reelay.Tests.Infrastructure;

/// <summary>
/// An S3-compatible endpoint for the tests: tests/s3-endpoint/server.mjs (s3rver) as a child process on 127.0.0.1
/// with its own directory and bucket. A class fixture (one endpoint per test class), or started by a test that kills it.
/// </summary>
public sealed class S3Endpoint : IAsyncLifetime, IAsyncDisposable
{
    public const string AccessKey = "S3RVER";
    public const string SecretKey = "S3RVER";
    private static readonly string PackageDirectory = Path.Combine(TestPaths.RepositoryRoot, "tests", "s3-endpoint");
    private static readonly Lazy<bool> Installed = new(Install);

    private Process? _process;
    private readonly StringBuilder _output = new();
    private TaskCompletionSource<string> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Bucket { get; } = "reelay-test";
    public string Endpoint { get; private set; } = "";
    public string StorageDirectory { get; } = TestPaths.NewTempDirectory("reelay-s3");
    public string Output { get { lock (_output) return _output.ToString(); } }

    /// <summary>The settings that put a test server's blobs in this endpoint's bucket.</summary>
    public Dictionary<string, string> ServerSettings(string prefix = "") => new()
    {
        ["Blobs:Provider"] = "s3",
        ["Blobs:S3:Endpoint"] = Endpoint,
        ["Blobs:S3:Bucket"] = Bucket,
        ["Blobs:S3:AccessKey"] = AccessKey,
        ["Blobs:S3:SecretKey"] = SecretKey,
        ["Blobs:S3:Prefix"] = prefix,
    };

    /// <summary>A client of its own, to look into the bucket behind the server's back.</summary>
    public AmazonS3Client CreateClient() =>
        new(new BasicAWSCredentials(AccessKey, SecretKey), new AmazonS3Config { ServiceURL = Endpoint, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });

    public Task InitializeAsync() => StartProcessAsync(0);

    /// <summary>Starts the endpoint again on the same port and directory after <see cref="KillAsync"/>: the storage is back with its objects.</summary>
    public async Task RestartAsync()
    {
        await KillAsync();
        _process?.Dispose();
        _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
        await StartProcessAsync(new Uri(Endpoint).Port);
    }

    private async Task StartProcessAsync(int port)
    {
        _ = Installed.Value;
        var info = new ProcessStartInfo("node")
        {
            WorkingDirectory = PackageDirectory,
            RedirectStandardInput = true, // server.mjs exits when this closes, so a killed test host leaves no endpoint behind
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // s3rver's list continuation tokens use DES, which OpenSSL 3 keeps in its legacy provider.
        foreach (var argument in new[] { "--openssl-legacy-provider", "server.mjs", port.ToString(System.Globalization.CultureInfo.InvariantCulture), Bucket, StorageDirectory }) info.ArgumentList.Add(argument);
        _process = new Process { StartInfo = info, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        var listening = _listening;
        _process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException("The S3 endpoint exited before listening:\n" + Output));
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        Endpoint = await _listening.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
        const string marker = "S3 listening on ";
        if (line.StartsWith(marker, StringComparison.Ordinal)) _listening.TrySetResult(line[marker.Length..].Trim());
    }

    /// <summary>Stops the endpoint at once, as if the storage went away; the address stays, now refusing connections.</summary>
    public async Task KillAsync()
    {
        if (_process is null || _process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async Task DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        try { Directory.Delete(StorageDirectory, recursive: true); } catch (IOException) { }
    }

    ValueTask IAsyncDisposable.DisposeAsync() => new(DisposeAsync());

    /// <summary>A started endpoint, for a test of its own (xUnit starts class fixtures itself).</summary>
    public static async Task<S3Endpoint> StartAsync()
    {
        var endpoint = new S3Endpoint();
        await endpoint.InitializeAsync();
        return endpoint;
    }

    /// <summary>test.sh installs the package; this covers a plain `dotnet test` on a fresh checkout.</summary>
    private static bool Install()
    {
        if (Directory.Exists(Path.Combine(PackageDirectory, "node_modules", "s3rver"))) return true;
        var info = new ProcessStartInfo("npm") { WorkingDirectory = PackageDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "ci", "--silent", "--no-audit", "--no-fund" }) info.ArgumentList.Add(argument);
        using var npm = Process.Start(info)!;
        var stderr = npm.StandardError.ReadToEndAsync();
        _ = npm.StandardOutput.ReadToEndAsync();
        if (!npm.WaitForExit(TimeSpan.FromMinutes(5))) { npm.Kill(entireProcessTree: true); throw new TimeoutException("npm ci in tests/s3-endpoint timed out."); }
        if (npm.ExitCode != 0) throw new InvalidOperationException($"npm ci in tests/s3-endpoint failed: {stderr.Result}");
        return true;
    }
}
