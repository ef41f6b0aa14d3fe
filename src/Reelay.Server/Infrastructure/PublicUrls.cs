using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Reelay.Server.Features.Outputs;

namespace Reelay.Server.Infrastructure;

/// <summary>Absolute URLs this server hands out: from Server:PublicBaseUrl, the request, or (in background work) the listening address.</summary>
public sealed class PublicUrls(ReelayOptions options, IServer server, OutputSigner signer)
{
    public string BaseUrl(HttpContext? http)
    {
        if (options.PublicBaseUrl is not null) return options.PublicBaseUrl;
        if (http is not null) return $"{http.Request.Scheme}://{http.Request.Host}";
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://127.0.0.1:8080";
        return address.Replace("://0.0.0.0", "://127.0.0.1").Replace("://[::]", "://127.0.0.1").Replace("://+", "://127.0.0.1").TrimEnd('/');
    }

    /// <summary>A freshly signed output URL, valid for Outputs:UrlLifetimeSeconds from now.</summary>
    public string OutputUrl(string taskId, HttpContext? http, string extension = ".mp4") =>
        BaseUrl(http) + signer.PathAndQuery(taskId, DateTimeOffset.UtcNow.Add(options.OutputUrlLifetime).ToUnixTimeSeconds(), extension);
}
