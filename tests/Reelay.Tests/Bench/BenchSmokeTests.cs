using System.Diagnostics;
using System.Text;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Bench;

/// <summary>
/// Every benchmark under bench/ runs in its smoke mode (tiny counts), so they keep building and running and cannot rot.
/// Their figures are not looked at here: tests never assert on timings; the real runs are in the README's Performance section.
/// The solution build builds the benches in the same configuration as the tests; this runs their output directly.
/// </summary>
public class BenchSmokeTests
{
    private static async Task<(int ExitCode, string Output)> RunAsync(string bench, string assembly)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var dll = Path.Combine(TestPaths.RepositoryRoot, "bench", bench, "bin", configuration, "net10.0", assembly + ".dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: build Reelay.slnx in {configuration}");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add("--smoke");
        using var process = Process.Start(info)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bench/{bench} --smoke did not finish:\n{output}");
        }
        process.WaitForExit(); // the rest of the redirected output
        lock (output) return (process.ExitCode, output.ToString());
    }

    /// <summary>The benches that run on the test database (PostgreSQL in the suite's second pass).</summary>
    [Theory]
    [InlineData("api", "Reelay.Bench.Api", "GET /v1/tasks/{id}")]
    [InlineData("dispatch", "Reelay.Bench.Dispatch", "created/raw")]
    [InlineData("crash", "Reelay.Bench.Crash", "all checks hold")]
    public Task A_benchmark_runs_to_the_end_in_its_smoke_mode(string bench, string assembly, string printed) =>
        RunsToTheEndAsync(bench, assembly, printed);

    /// <summary>
    /// The benches that choose SQLite themselves or use no database, and those whose subject is not the database
    /// (asset intake, relaying): a second pass would run the same code for them.
    /// </summary>
    [Theory]
    [Trait("Database", "independent")]
    [InlineData("history", "Reelay.Bench.History", "rows")]
    [InlineData("assets", "Reelay.Bench.Assets", "× baseline")]
    [InlineData("relay", "Reelay.Bench.Relay", "upstream SUCCEEDED → ours")]
    [InlineData("soak", "Reelay.Bench.Soak", "RSS after warm-up")]
    [InlineData("memory", "Reelay.Bench.Memory", "settled / after warm-up")]
    [InlineData("render", "Reelay.Bench.Render", "bare ffmpeg ms")]
    public Task A_benchmark_on_its_own_database_runs_to_the_end_in_its_smoke_mode(string bench, string assembly, string printed) =>
        RunsToTheEndAsync(bench, assembly, printed);

    private static async Task RunsToTheEndAsync(string bench, string assembly, string printed)
    {
        var (exitCode, output) = await RunAsync(bench, assembly);
        Assert.True(exitCode == 0, $"bench/{bench} --smoke exited with {exitCode}:\n{output}");
        Assert.Contains(printed, output);
    }
}
