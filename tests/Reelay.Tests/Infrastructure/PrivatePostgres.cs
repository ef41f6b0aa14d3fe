using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Reelay.Tests.Infrastructure;

/// <summary>
/// A PostgreSQL cluster of one test's own (initdb in a temporary directory, on a free port), for tests that stop the
/// database under load: the shared cluster of scripts/ensure-postgres.sh serves every other test server at once.
/// PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` user.
/// </summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    private readonly string _bin;
    private readonly string _root;
    private readonly int _port;

    private PrivatePostgres(string bin, string root, int port) => (_bin, _root, _port) = (bin, root, port);

    public string ConnectionString => $"Host=127.0.0.1;Port={_port};Username=postgres;Database=postgres;Pooling=true";

    /// <summary>The settings that put a test server on this cluster.</summary>
    public Dictionary<string, string> Settings => new() { ["Database:Provider"] = "postgres", ["ConnectionStrings:Reelay"] = ConnectionString };

    public static async Task<PrivatePostgres> StartAsync()
    {
        var bin = Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin"))
            .Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderBy(d => d, StringComparer.Ordinal).LastOrDefault()
            ?? throw new InvalidOperationException("PostgreSQL is not installed (scripts/ensure-postgres.sh installs it).");
        var root = Path.Combine(Path.GetTempPath(), $"reelay-pg-private-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        var cluster = new PrivatePostgres(bin, root, FreePort());
        await cluster.AsOwnerAsync($"chown postgres '{root}'", asRoot: true);
        await cluster.AsOwnerAsync($"'{bin}/initdb' -D '{root}/data' -A trust -U postgres -E UTF8 --no-sync >/dev/null");
        await cluster.StartClusterAsync();
        return cluster;
    }

    /// <summary>Stops the cluster as a crash would (immediate: no checkpoint), waits, and starts it again.</summary>
    public async Task CrashAndRestartAsync(TimeSpan down)
    {
        await AsOwnerAsync($"'{_bin}/pg_ctl' -D '{_root}/data' -m immediate -w stop >/dev/null");
        await Task.Delay(down);
        await StartClusterAsync();
    }

    private Task StartClusterAsync() => AsOwnerAsync(
        $"'{_bin}/pg_ctl' -D '{_root}/data' -o \"-p {_port} -k '{_root}' -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200\" -l '{_root}/log' -w -t 60 start >/dev/null");

    private async Task AsOwnerAsync(string command, bool asRoot = false)
    {
        var root = Environment.UserName == "root";
        if (!root && asRoot) return; // not root: the cluster is ours already
        var info = root && !asRoot
            ? new ProcessStartInfo("su", ["postgres", "-s", "/bin/sh", "-c", command])
            : new ProcessStartInfo("/bin/sh", ["-c", command]);
        info.RedirectStandardError = true;
        using var process = Process.Start(info)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"`{command}` exited {process.ExitCode}: {error}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Npgsql.NpgsqlConnection.ClearAllPools();
        try
        {
            await AsOwnerAsync($"'{_bin}/pg_ctl' -D '{_root}/data' -m immediate -w stop >/dev/null");
        }
        catch (InvalidOperationException)
        {
            // already stopped
        }
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
