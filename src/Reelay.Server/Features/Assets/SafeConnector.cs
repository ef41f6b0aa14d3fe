using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Reelay.Server.Features.Assets;

/// <summary>Thrown from the connect step when a host resolves to an address that must not be reached.</summary>
public sealed class AddressRefusedException(string host, IPAddress address)
    : Exception($"{host} resolves to {address}, which is not a public address.")
{
    public IPAddress Address { get; } = address;
}

/// <summary>
/// An HttpClient that can only reach public addresses: it resolves the host itself, checks every
/// address, and dials the checked address (so DNS rebinding cannot swap it between check and
/// connect). No redirects, cookies, proxy or decompression.
/// </summary>
public static class SafeConnector
{
    public static HttpClient CreateClient(AssetOptions options, Action<IPAddress>? onConnect = null)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            ConnectCallback = (context, cancellationToken) => ConnectAsync(options, context.DnsEndPoint, onConnect, cancellationToken),
            PlaintextStreamFilter = BodyLengthProbe.Filter,
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, chain, errors) => Validate(options.TrustedCertificates, certificate, chain, errors),
            },
        };
        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public static async Task<IReadOnlyList<IPAddress>> ResolveAsync(AssetOptions options, string host, CancellationToken cancellationToken)
    {
        var name = host.TrimEnd('.');
        if (options.Resolve.TryGetValue(name, out var pinned)) return [pinned];
        // Callers expect "not found" for a name that cannot resolve; Dns throws ArgumentException for over-long ones.
        if (!AddressSafety.IsDnsLength(name)) throw new SocketException((int)SocketError.HostNotFound);
        IReadOnlyList<IPAddress> addresses = options.DnsOverrides.TryGetValue(name, out var overridden)
            ? [overridden]
            : await Dns.GetHostAddressesAsync(name, cancellationToken);
        foreach (var address in addresses)
            if (!AddressSafety.IsPublic(address)) throw new AddressRefusedException(host, address);
        return addresses;
    }

    private static async ValueTask<Stream> ConnectAsync(AssetOptions options, DnsEndPoint endpoint, Action<IPAddress>? onConnect, CancellationToken cancellationToken)
    {
        var addresses = await ResolveAsync(options, endpoint.Host, cancellationToken);
        Exception? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, endpoint.Port), cancellationToken);
                onConnect?.Invoke(address);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                socket.Dispose();
                last = ex;
                if (ex is OperationCanceledException) throw;
            }
        }
        throw last ?? new SocketException((int)SocketError.HostNotFound);
    }

    /// <summary>System trust first; then the operator's extra roots (Assets:TrustedCaFile), for asset and webhook fetches only.</summary>
    private static bool Validate(X509Certificate2Collection extraRoots, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None) return true;
        if (extraRoots.Count == 0 || certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch)) return false;
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(extraRoots);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
            foreach (var element in chain.ChainElements) custom.ChainPolicy.ExtraStore.Add(element.Certificate);
        return custom.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
    }
}
