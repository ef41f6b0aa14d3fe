using System.Net;
using System.Net.NetworkInformation;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Reelay.Server.Features.Outputs;

namespace Reelay.Server.Infrastructure;

/// <summary>
/// Absolute URLs this server hands out (upload forms, outputs, docUrl, worker inputs, webhook payloads). They carry
/// secrets (upload tokens, signatures), so the host is never simply the request's: Server:PublicBaseUrl when set; else
/// the request's host if it is one of this server's own (loopback, the listening addresses, Server:AllowedHosts);
/// else the first listening address. A Host or X-Forwarded-Host naming another site cannot redirect them.
/// </summary>
public sealed class PublicUrls(ReelayOptions options, IServer server, OutputSigner signer)
{
    private (HashSet<string> Names, HashSet<IPAddress> Addresses)? _own;

    public string BaseUrl(HttpContext? http)
    {
        if (options.PublicBaseUrl is not null) return options.PublicBaseUrl;
        if (http is not null && http.Request.Host.HasValue && IsAllowedHost(http.Request.Host.Host)) return $"{http.Request.Scheme}://{http.Request.Host}";
        return ListeningBaseUrl();
    }

    /// <summary>A freshly signed output URL, valid for Outputs:UrlLifetimeSeconds from now.</summary>
    public string OutputUrl(string taskId, HttpContext? http, string extension = ".mp4", int index = 0) =>
        BaseUrl(http) + signer.PathAndQuery(taskId, DateTimeOffset.UtcNow.Add(options.OutputUrlLifetime).ToUnixTimeSeconds(), extension, index);

    /// <summary>Loopback names and addresses, this server's listening addresses, or a Server:AllowedHosts entry ("name" or "*.domain").</summary>
    public bool IsAllowedHost(string host)
    {
        host = host.TrimEnd('.').ToLowerInvariant();
        var own = _own ??= OwnHosts();
        if (IPAddress.TryParse(host.TrimStart('[').TrimEnd(']'), out var address))
            return IPAddress.IsLoopback(address) || own.Addresses.Contains(address) || options.AllowedHosts.Contains(host);
        return host == "localhost" || own.Names.Contains(host) || options.AllowedHosts.Any(entry =>
            entry == host || entry.StartsWith("*.", StringComparison.Ordinal) && host.EndsWith(entry[1..], StringComparison.Ordinal));
    }

    private string ListeningBaseUrl()
    {
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://127.0.0.1:8080";
        return address.Replace("://0.0.0.0", "://127.0.0.1").Replace("://[::]", "://127.0.0.1").Replace("://+", "://127.0.0.1")
            .Replace("://*", "://127.0.0.1").TrimEnd('/');
    }

    /// <summary>The hosts of the listening addresses; a wildcard one (0.0.0.0, [::], +, *) stands for every address of this machine.</summary>
    private (HashSet<string>, HashSet<IPAddress>) OwnHosts()
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var addresses = new HashSet<IPAddress>();
        foreach (var listening in server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
        {
            var host = listening[(listening.IndexOf("://", StringComparison.Ordinal) + 3)..].Split('/')[0];
            host = host.StartsWith('[') ? host[..(host.IndexOf(']') + 1)] : host.Split(':')[0];
            if (host is "0.0.0.0" or "[::]" or "+" or "*")
            {
                names.Add(Dns.GetHostName());
                foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
                    foreach (var unicast in nic.GetIPProperties().UnicastAddresses) addresses.Add(unicast.Address);
            }
            else if (IPAddress.TryParse(host.TrimStart('[').TrimEnd(']'), out var address)) addresses.Add(address);
            else names.Add(host);
        }
        return (names, addresses);
    }
}

public static class TrustedProxies
{
    /// <summary>
    /// X-Forwarded-For, -Proto and -Host, taken only from the proxies in Server:TrustedProxies (addresses or CIDR
    /// networks; none by default, so no client can spoof them). The forwarded host still has to pass PublicUrls' rule.
    /// </summary>
    public static void UseTrustedProxies(this WebApplication app, ReelayOptions options)
    {
        if (options.TrustedProxies.Count == 0) return;
        var forwarded = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost,
        };
        // The defaults trust loopback; only what the operator listed is trusted here.
        forwarded.KnownProxies.Clear();
        forwarded.KnownIPNetworks.Clear();
        foreach (var network in options.TrustedProxies) forwarded.KnownIPNetworks.Add(network);
        app.UseForwardedHeaders(forwarded);
    }
}
