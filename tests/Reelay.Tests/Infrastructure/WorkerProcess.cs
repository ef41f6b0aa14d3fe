using System.Diagnostics;
using System.Text;

namespace Reelay.Tests.Infrastructure;

/// <summary>A real `reelay worker` process (the CLI), so tests can watch its log and kill -9 it mid-task.</summary>
public sealed class WorkerProcess : IAsyncDisposable
{
    public const string Token = "test-worker-token-0123456789";
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private WorkerProcess(Process process, string id) => (_process, Id) = (process, id);

    public string Id { get; }
    public int ProcessId => _process.Id;
    public bool HasExited => _process.HasExited;
    public string Output { get { lock (_output) return _output.ToString(); } }

    public static WorkerProcess Start(IEnumerable<ServerProcess> servers, string id, string models, int concurrency = 1, string engine = "auto", string token = Token) =>
        Start(servers.Select(s => s.BaseUrl), id, models, concurrency, engine, token);

    /// <summary>A worker for server URLs, which may name a node that is gone.</summary>
    public static WorkerProcess Start(IEnumerable<Uri> servers, string id, string models, int concurrency = 1, string engine = "auto", string token = Token)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { TestPaths.CliDll, "worker", "--server", string.Join(",", servers.Select(s => s.ToString())),
                                    "--token", token, "--models", models, "--concurrency", concurrency.ToString(), "--id", id, "--engine", engine })
            info.ArgumentList.Add(arg);
        var process = new Process { StartInfo = info };
        var worker = new WorkerProcess(process, id);
        process.OutputDataReceived += (_, e) => worker.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => worker.OnLine(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return worker;
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    public async Task WaitForOutputAsync(string text, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"worker {Id} never printed '{text}':\n{Output}");
            await Task.Delay(50);
        }
    }

    /// <summary>SIGKILL: the lease stays taken until it expires, exactly like a crashed GPU machine.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM: the graceful stop systemd or Kubernetes sends.</summary>
    public async Task TerminateAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString()])) await kill.WaitForExitAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(timeout.Token);
    }

    public int ExitCode => _process.ExitCode;

    /// <summary>Waits for the worker to exit on its own and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        try { await KillAsync(); } catch (InvalidOperationException) { }
        _process.Dispose();
    }
}
