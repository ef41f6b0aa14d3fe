using System.Diagnostics;
using Reelay.Tests.Infrastructure;

namespace Reelay.Bench.Api;

/// <summary>The baseline process (bench/api/bare): started like the server, `dotnet x.dll` in Release, on 127.0.0.1:0.</summary>
public sealed class BareKestrel : IAsyncDisposable
{
    private readonly Process _process;

    private BareKestrel(Process process, Uri baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    public int ProcessId => _process.Id;

    public static async Task<BareKestrel> StartAsync(CancellationToken cancel)
    {
        var dll = Path.Combine(TestPaths.RepositoryRoot, "bench", "api", "bare", "bin", "Release", "net10.0", "Reelay.Bench.Api.Bare.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException("build bench/api/bare first (bench/api/run.sh does)", dll);
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add("--urls=http://127.0.0.1:0");
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the bare Kestrel process");
        _ = process.StandardError.ReadToEndAsync(cancel);
        const string marker = "Bare listening on ";
        while (await process.StandardOutput.ReadLineAsync(cancel).AsTask().WaitAsync(TimeSpan.FromSeconds(60), cancel) is { } line)
            if (line.StartsWith(marker, StringComparison.Ordinal))
            {
                _ = process.StandardOutput.ReadToEndAsync(cancel);
                return new BareKestrel(process, new Uri(line[marker.Length..].Trim()));
            }
        throw new InvalidOperationException("the bare Kestrel process exited before listening");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
