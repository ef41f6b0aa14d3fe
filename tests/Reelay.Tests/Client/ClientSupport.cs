using System.Net;
using System.Net.Sockets;
using Reelay.Client;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Client;

/// <summary>SDK clients for tests: real defaults except short retry and poll delays, so tests stay fast.</summary>
internal static class Clients
{
    public static ReelayClient For(Uri baseUrl, string key, Action<ReelayClientOptions>? configure = null)
    {
        var options = new ReelayClientOptions
        {
            ApiKey = key,
            BaseUrl = baseUrl,
            InitialRetryDelay = TimeSpan.FromMilliseconds(20),
            MaxRetryDelay = TimeSpan.FromMilliseconds(100),
            PollInterval = TimeSpan.FromMilliseconds(200),
            MaxPollInterval = TimeSpan.FromMilliseconds(500),
            Timeout = TimeSpan.FromSeconds(30),
        };
        configure?.Invoke(options);
        return new ReelayClient(options);
    }

    public static ReelayClient For(ReelayApi api, ReelayApi.Tenant tenant, Action<ReelayClientOptions>? configure = null) =>
        For(api.BaseUrl, tenant.Key, configure);

    /// <summary>A well-formed key that no server issued.</summary>
    public static string UnknownKey => "key_" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(64));

    public static TextToVideoRequest Text(string prompt = "a lighthouse at dusk", int duration = 2) =>
        new() { Model = ReelayModels.Gen45, PromptText = prompt, Ratio = "1280:720", Duration = duration };

    public static Task SetDailyCapAsync(ReelayApi api, string orgId, string model, int maxDaily) =>
        api.AdminAsync(HttpMethod.Put, $"/admin/v1/organizations/{orgId}/limits",
            new { models = new Dictionary<string, object> { [model] = new { maxDailyGenerations = maxDaily } } });

    public static string TempFile(byte[] content, string extension)
    {
        var path = Path.Combine(TestPaths.NewTempDirectory("reelay-sdk"), "input" + extension);
        File.WriteAllBytes(path, content);
        return path;
    }
}

/// <summary>A loopback port with nothing listening: connecting to it is refused at once.</summary>
internal static class ClosedPort
{
    public static Uri Url()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}");
    }
}

/// <summary>Accepts connections and never answers, like a hung server: requests to it can only time out.</summary>
internal sealed class SilentServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<TcpClient> _accepted = [];
    private readonly CancellationTokenSource _stop = new();

    public SilentServer()
    {
        _listener.Start();
        _ = AcceptAsync();
    }

    public Uri Url => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    public int Accepted { get { lock (_accepted) return _accepted.Count; } }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                lock (_accepted) _accepted.Add(client); // kept open, never read or answered
            }
        }
        catch (OperationCanceledException) { }
        catch (SocketException) { }
        catch (ObjectDisposedException) { }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_accepted) foreach (var client in _accepted) client.Dispose();
    }
}
