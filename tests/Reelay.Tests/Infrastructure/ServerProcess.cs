using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Reelay.Tests.Infrastructure;

/// <summary>
/// The real server as a child process on 127.0.0.1 with its own data directory, so tests can also
/// kill it (crash safety) and start it again on the same data.
/// </summary>
public sealed partial class ServerProcess : IAsyncDisposable
{
    public const string AdminToken = "test-admin-token";
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<string> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServerProcess(Process process) => _process = process;

    public Uri BaseUrl { get; private set; } = null!;
    public string DataDirectory { get; private init; } = "";

    /// <summary>The PostgreSQL database of this server (REELAY_TEST_DATABASE=postgres); null when it runs on SQLite.</summary>
    public string? DatabaseConnectionString { get; private init; }
    public string Output { get { lock (_output) return _output.ToString(); } }

    /// <summary>The server's process id (the benchmarks read its /proc status).</summary>
    public int ProcessId => _process.Id;

    /// <summary>The key printed on first start, if this start created the default organization.</summary>
    public string? PrintedKey => KeyLine().Match(Output) is { Success: true } m ? m.Value : null;

    [GeneratedRegex("key_[0-9a-f]{128}")]
    private static partial Regex KeyLine();

    public static async Task<ServerProcess> StartAsync(string? dataDirectory = null, IDictionary<string, string>? settings = null)
    {
        dataDirectory ??= TestPaths.NewTempDirectory("reelay-data");
        var config = new Dictionary<string, string>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["Data:Directory"] = dataDirectory,
            ["Admin:Token"] = AdminToken,
            ["Workers:Concurrency"] = "2",
            ["Workers:LeaseSeconds"] = "3",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Reelay"] = "Information",
        };
        // The same data directory means the same database, so restart tests find their data again. A test that
        // names its provider (a fault made by editing the SQLite file) keeps it in a PostgreSQL run too.
        if (TestDatabase.IsPostgres && settings?.ContainsKey("Database:Provider") != true)
        {
            config["Database:Provider"] = "postgres";
            config["ConnectionStrings:Reelay"] = await TestDatabase.ForDataDirectoryAsync(dataDirectory);
        }
        foreach (var (k, v) in settings ?? new Dictionary<string, string>()) config[k] = v;
        var database = config.GetValueOrDefault("Database:Provider") == "postgres" ? config.GetValueOrDefault("ConnectionStrings:Reelay") : null;

        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = TestPaths.ServerBinDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(TestPaths.ServerBinDirectory, "Reelay.Server.dll"));
        foreach (var (k, v) in config) info.ArgumentList.Add($"--{k}={v}");
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var server = new ServerProcess(process) { DataDirectory = dataDirectory, DatabaseConnectionString = database };
        process.OutputDataReceived += (_, e) => server.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => server.OnLine(e.Data);
        process.Exited += (_, _) =>
        {
            // The exit can be signalled before the last lines are read; WaitForExit() also waits for the output to end.
            process.WaitForExit();
            server._listening.TrySetException(new InvalidOperationException("The server exited before listening:\n" + server.Output));
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var url = await server._listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
        server.BaseUrl = new Uri(url);
        return server;
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
        const string marker = "Reelay listening on ";
        if (line.StartsWith(marker, StringComparison.Ordinal)) _listening.TrySetResult(line[marker.Length..].Trim());
    }

    /// <summary>SIGKILL: no graceful shutdown, leases stay taken, exactly like a crash.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, the graceful stop of a rolling restart; returns once the process has exited.</summary>
    public async Task TerminateAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString()])) await kill.WaitForExitAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _process.WaitForExitAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        try { await KillAsync(); } catch (InvalidOperationException) { }
        _process.Dispose();
    }
}
