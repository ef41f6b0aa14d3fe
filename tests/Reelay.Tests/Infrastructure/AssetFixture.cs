namespace Reelay.Tests.Infrastructure;

/// <summary>
/// A local HTTPS asset server (certificate from a test CA) and a Reelay server that trusts that CA,
/// with test host names pinned through Assets:Resolve and hostile names answered through Assets:DnsOverrides.
/// </summary>
public class AssetFixture : IAsyncLifetime
{
    /// <summary>Short, so the timeout tests are quick; a test class that needs slow assets to succeed raises it.</summary>
    protected virtual double FetchTimeoutSeconds => 2;

    public const string Good = "good.assets.test";
    public const string Closed = "closed.assets.test";
    public const string Untrusted = "untrusted.assets.test";

    public static readonly Dictionary<string, string> HostileNames = new()
    {
        ["loopback.evil.test"] = "127.0.0.1",
        ["loopback6.evil.test"] = "::1",
        ["private10.evil.test"] = "10.1.2.3",
        ["private172.evil.test"] = "172.16.5.4",
        ["private192.evil.test"] = "192.168.1.1",
        ["linklocal.evil.test"] = "169.254.10.20",
        ["metadata.evil.test"] = "169.254.169.254",
        ["cgnat.evil.test"] = "100.64.0.1",
        ["zero.evil.test"] = "0.0.0.0",
        ["ula.evil.test"] = "fd00::1",
        ["mapped.evil.test"] = "::ffff:127.0.0.1",
        ["nat64.evil.test"] = "64:ff9b::7f00:1",
        ["sixtofour.evil.test"] = "2002:7f00:1::1",
        ["multicast.evil.test"] = "224.0.0.1",
    };

    public AssetServer Assets { get; private set; } = null!;
    public AssetServer UntrustedAssets { get; private set; } = null!;
    public ServerProcess Server { get; private set; } = null!;
    public ReelayApi Api { get; private set; } = null!;
    public int ClosedPort { get; private set; }

    public async Task InitializeAsync()
    {
        Assets = await AssetServer.StartAsync();
        UntrustedAssets = await AssetServer.StartAsync(untrustedCertificate: true);
        ClosedPort = FreePort();
        Server = await ServerProcess.StartAsync(settings: new Dictionary<string, string>
        {
            ["Assets:TrustedCaFile"] = TestCertificates.CaPemFile,
            ["Assets:Resolve"] = $"{Good}=127.0.0.1,{Closed}=127.0.0.1,{Untrusted}=127.0.0.1",
            ["Assets:DnsOverrides"] = string.Join(",", HostileNames.Select(p => $"{p.Key}={p.Value}")),
            ["Assets:FetchTimeout"] = FetchTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        Api = new ReelayApi(Server);
    }

    public string Url(string path) => Assets.Url(Good, path);

    public async Task DisposeAsync()
    {
        if (Server is not null) await Server.DisposeAsync();
        if (Assets is not null) await Assets.DisposeAsync();
        if (UntrustedAssets is not null) await UntrustedAssets.DisposeAsync();
    }

    private static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

/// <summary>
/// The asset fixture with a 10 s fetch deadline instead of 2 s, for tests whose fetches must not time out on a busy
/// machine (idempotent retries, audio probes: the deadline also bounds ffprobe, and probing a clip can take longer
/// than 2 s, which would turn an accepted clip into "could not be read"). Tests of the timeout itself stall longer than <see cref="TimeoutSeconds"/>.
/// </summary>
public sealed class PatientAssetFixture : AssetFixture
{
    public const double TimeoutSeconds = 10;

    protected override double FetchTimeoutSeconds => TimeoutSeconds;
}
