using System.Diagnostics;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Cli;

/// <summary>Runs `reelay` as a process with stdout/stderr redirected (so, not a TTY), like a script would.</summary>
public static class CliRunner
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static async Task<Result> RunAsync(IReadOnlyList<string> args, IDictionary<string, string?> env, string? workingDirectory = null, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? TestPaths.NewTempDirectory("reelay-cli"),
        };
        info.ArgumentList.Add(TestPaths.CliDll);
        foreach (var arg in args) info.ArgumentList.Add(arg);
        foreach (var name in new[] { "REELAY_BASE_URL", "REELAY_API_SECRET", "REELAY_ADMIN_TOKEN", "RUNWAYML_API_SECRET", "RUNWAYML_BASE_URL" }) info.Environment.Remove(name);
        foreach (var (k, v) in env) info.Environment[k] = v;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"reelay {string.Join(' ', args)} did not finish.\n{await stderr}");
        }
        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
