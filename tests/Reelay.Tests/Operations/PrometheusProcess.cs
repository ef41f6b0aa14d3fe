using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Operations;

/// <summary>Debian's real Prometheus on a free port, scraping one target every second; queried through its HTTP API.</summary>
public sealed class PrometheusProcess : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly Process _process;
    private readonly Uri _baseUrl;

    private PrometheusProcess(Process process, Uri baseUrl) => (_process, _baseUrl) = (process, baseUrl);

    public static async Task<PrometheusProcess> StartAsync(Uri target, string bearerToken)
    {
        var directory = TestPaths.NewTempDirectory("prometheus");
        var tokenFile = Path.Combine(directory, "token");
        await File.WriteAllTextAsync(tokenFile, bearerToken);
        var config = Path.Combine(directory, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 900ms
            scrape_configs:
              - job_name: reelay
                metrics_path: /metrics
                authorization:
                  type: Bearer
                  credentials_file: {tokenFile}
                static_configs:
                  - targets: ["{target.Authority}"]
            """);
        var port = FreePort();
        var info = new ProcessStartInfo("prometheus") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(directory, "data")}",
                     $"--web.listen-address=127.0.0.1:{port}", "--log.level=warn" })
            info.ArgumentList.Add(argument);
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var prometheus = new PrometheusProcess(process, new Uri($"http://127.0.0.1:{port}/"));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            try
            {
                using var ready = await Http.GetAsync(new Uri(prometheus._baseUrl, "-/ready"));
                if (ready.IsSuccessStatusCode) return prometheus;
            }
            catch (HttpRequestException) { }
            if (process.HasExited || DateTime.UtcNow > deadline) throw new InvalidOperationException("Prometheus did not start.");
            await Task.Delay(200);
        }
    }

    /// <summary>The instant vector of a PromQL query: each series' labels and value.</summary>
    public async Task<IReadOnlyList<(IReadOnlyDictionary<string, string> Labels, double Value)>> QueryAsync(string promql)
    {
        var json = await Http.GetStringAsync(new Uri(_baseUrl, "api/v1/query?query=" + Uri.EscapeDataString(promql)));
        var data = JsonDocument.Parse(json).RootElement.GetProperty("data").GetProperty("result");
        return [.. data.EnumerateArray().Select(r => (
            (IReadOnlyDictionary<string, string>)r.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!),
            double.Parse(r.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture)))];
    }

    /// <summary>Queries until the summed value satisfies the predicate (scrapes come every second).</summary>
    public async Task<double> WaitForAsync(string promql, Func<double, bool> until, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(90));
        while (true)
        {
            var result = await QueryAsync(promql);
            var value = result.Sum(r => r.Value);
            if (result.Count > 0 && until(value)) return value;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{promql} = {(result.Count == 0 ? "no data" : value)}");
            await Task.Delay(250);
        }
    }

    /// <summary>The scrape target's health as Prometheus sees it ("up", "down", "unknown") and its last error.</summary>
    public async Task<(string Health, string Error)> TargetAsync()
    {
        var json = await Http.GetStringAsync(new Uri(_baseUrl, "api/v1/targets"));
        var target = JsonDocument.Parse(json).RootElement.GetProperty("data").GetProperty("activeTargets")[0];
        return (target.GetProperty("health").GetString()!, target.GetProperty("lastError").GetString()!);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
