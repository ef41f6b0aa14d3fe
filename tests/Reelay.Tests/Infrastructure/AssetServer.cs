using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Reelay.Tests.Infrastructure;

/// <summary>
/// In-process HTTPS asset origin for tests, with well-behaved and misbehaving modes.
/// <para>
/// Two listeners on 127.0.0.1, both HTTPS with the same certificate: Kestrel (<see cref="Port"/>,
/// HTTP/1.1 and HTTP/2) serves <see cref="Map"/> and most canned modes; a small hand-written HTTP/1.1
/// responder (<see cref="RawPort"/>, TcpListener + SslStream, one request per connection) serves the
/// modes Kestrel refuses to produce: a body longer or shorter than its Content-Length.
/// Always build URLs with <see cref="Url"/> <em>after</em> mapping the path: it picks the right port.
/// </para>
/// </summary>
public sealed partial class AssetServer : IAsyncDisposable
{
    // A path is served either by Kestrel (Handler) or by the raw responder (Raw), never both.
    private sealed record Route(RequestDelegate? Handler, Func<RawExchange, Task>? Raw);

    private readonly ConcurrentDictionary<string, Route> _routes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, StrongBox<long>> _bytesWritten = new(StringComparer.Ordinal);
    private readonly List<string> _requestLog = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly X509Certificate2 _certificate;
    private readonly SslStreamCertificateContext _rawCertificateContext;
    private WebApplication? _app;
    private long _acceptedConnections;
    private int _disposed;

    private AssetServer(X509Certificate2 certificate)
    {
        _certificate = certificate;
        // offline: the test CA has no AIA/CRL endpoints, and tests must never try the network.
        _rawCertificateContext = SslStreamCertificateContext.Create(certificate, additionalCertificates: null, offline: true);
    }

    /// <summary>Starts both listeners. <paramref name="untrustedCertificate"/> serves a self-signed certificate that no CA signed.</summary>
    public static async Task<AssetServer> StartAsync(bool untrustedCertificate = false)
    {
        var shared = untrustedCertificate ? TestCertificates.UntrustedServerCertificate : TestCertificates.ServerCertificate;
        // A copy per server: servers started at the same moment by parallel tests each read the certificate's extensions
        // (Kestrel checks its key usages), and one such start saw no Server Authentication usage on the shared object.
        var server = new AssetServer(X509CertificateLoader.LoadPkcs12(shared.Export(X509ContentType.Pkcs12), null));
        try
        {
            await server.StartKestrelAsync();
            server.StartRawListener();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Kestrel's port (HTTP/1.1 and HTTP/2).</summary>
    public int Port { get; private set; }

    /// <summary>The hand-written HTTP/1.1 responder's port (Content-Length mismatches, <see cref="MapHuge"/>).</summary>
    public int RawPort { get; private set; }

    /// <summary>Every TCP connection accepted on either port, including ones whose TLS handshake then failed.</summary>
    public long AcceptedConnections => Interlocked.Read(ref _acceptedConnections);

    /// <summary>"METHOD path" (path without query) for every request on either port, in arrival order.</summary>
    public IReadOnlyList<string> RequestLog
    {
        get
        {
            lock (_requestLog)
            {
                return _requestLog.ToArray();
            }
        }
    }

    /// <summary><c>https://{host}:{port}{path}</c>, with the port of whichever listener serves <paramref name="path"/> now.</summary>
    public string Url(string host, string path)
    {
        var port = _routes.TryGetValue(StripQuery(path), out var route) && route.Raw is not null ? RawPort : Port;
        return $"https://{host}:{port}{path}";
    }

    /// <summary>Serves <paramref name="path"/> (exact match, query ignored) with a Kestrel handler; replaces any earlier mapping.</summary>
    public void Map(string path, RequestDelegate handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _routes[CheckPath(path)] = new Route(handler, null);
    }

    /// <summary>Body bytes the canned handlers finished writing for <paramref name="path"/> since it was last mapped.</summary>
    public long BytesWritten(string path) =>
        _bytesWritten.TryGetValue(path, out var counter) ? Interlocked.Read(ref counter.Value) : 0;

    /// <summary>
    /// Serves <paramref name="body"/>. <paramref name="declaredLength"/>: null = actual length; -1 = no
    /// Content-Length (chunked); any other value that differs from the body's length makes the path
    /// raw: that many bytes are declared, the whole body is sent, then the connection is closed.
    /// </summary>
    public void MapFile(string path, byte[] body, string? contentType, long? declaredLength = null, int status = 200)
    {
        var declared = declaredLength ?? body.Length;
        ArgumentOutOfRangeException.ThrowIfLessThan(declared, -1L);
        var counter = ResetCounter(path);
        if (declared != -1 && declared != body.Length)
        {
            // Kestrel throws on too many bytes and resets on too few, so a lying Content-Length is hand-written.
            MapRaw(path, async exchange =>
            {
                await WriteHeadAsync(exchange, status, contentType, declared);
                if (exchange.Method != HttpMethods.Head)
                {
                    await exchange.Stream.WriteAsync(body, exchange.Aborted);
                    Interlocked.Add(ref counter.Value, body.Length);
                }
            });
            return;
        }

        Map(path, async context =>
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = contentType;
            context.Response.ContentLength = declared == -1 ? null : declared;
            if (HttpMethods.IsHead(context.Request.Method))
            {
                return;
            }
            await context.Response.Body.WriteAsync(body, context.RequestAborted);
            Interlocked.Add(ref counter.Value, body.Length);
        });
    }

    /// <summary>Answers with <paramref name="status"/> (301/302/307/308…) and a Location header, empty body.</summary>
    public void MapRedirect(string path, int status, string location) => Map(path, context =>
    {
        context.Response.StatusCode = status;
        context.Response.Headers.Location = location;
        context.Response.ContentLength = 0;
        return Task.CompletedTask;
    });

    /// <summary>
    /// Streams <paramref name="totalBytes"/> zeros in 64 KB writes while declaring <paramref name="declaredLength"/>
    /// (-1 = no Content-Length: body delimited by connection close). Stops when the client goes away;
    /// <see cref="BytesWritten"/> tells how far it got. Always served by the raw responder.
    /// </summary>
    public void MapHuge(string path, long totalBytes, string contentType, long declaredLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(declaredLength, -1L);
        var counter = ResetCounter(path);
        MapRaw(path, async exchange =>
        {
            await WriteHeadAsync(exchange, 200, contentType, declaredLength);
            if (exchange.Method == HttpMethods.Head)
            {
                return;
            }
            var zeros = new byte[64 * 1024];
            for (long sent = 0; sent < totalBytes;)
            {
                var count = (int)Math.Min(zeros.Length, totalBytes - sent);
                // Throws once the client has closed (RST): the connection handler swallows that.
                await exchange.Stream.WriteAsync(zeros.AsMemory(0, count), exchange.Aborted);
                sent += count;
                Interlocked.Add(ref counter.Value, count);
            }
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _stopping.Cancel(); // ends drips, hangs and huge writes promptly instead of waiting out their delays
        _rawListener?.Stop();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        if (_acceptLoop is not null)
        {
            await _acceptLoop;
        }
        // Every raw await observes _stopping, so this bound only trips if a connection is truly stuck.
        await Task.WhenAll(_rawConnections.Keys).WaitAsync(TimeSpan.FromSeconds(10));
        _stopping.Dispose();
    }

    private async Task StartKestrelAsync()
    {
        // Empty builder: no appsettings or ASPNETCORE_* environment (a stray ASPNETCORE_URLS must not
        // rebind us) and no logging providers (Kestrel's connection errors are expected noise here).
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, 0, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                // Added before UseHttps, so it runs on the bare TCP connection: failed handshakes count too.
                listen.Use(next => connection =>
                {
                    Interlocked.Increment(ref _acceptedConnections);
                    return next(connection);
                });
                listen.UseHttps(_certificate);
            });
        });
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(5));
        _app = builder.Build();
        _app.Run(DispatchAsync);
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        Port = new Uri(address).Port;
    }

    private Task DispatchAsync(HttpContext context)
    {
        var path = context.Request.Path.HasValue ? context.Request.Path.Value! : "/";
        Log(context.Request.Method, path);
        if (_routes.TryGetValue(path, out var route) && route.Handler is not null)
        {
            return route.Handler(context);
        }
        // 421 Misdirected: the path exists but on RawPort (a URL built by hand instead of with Url()).
        context.Response.StatusCode = route is null ? StatusCodes.Status404NotFound : StatusCodes.Status421MisdirectedRequest;
        return Task.CompletedTask;
    }

    private StrongBox<long> ResetCounter(string path) => _bytesWritten[CheckPath(path)] = new StrongBox<long>();

    private void Log(string method, string path)
    {
        lock (_requestLog)
        {
            _requestLog.Add($"{method} {path}");
        }
    }

    private static string StripQuery(string pathAndQuery) =>
        pathAndQuery.IndexOf('?') is var q and >= 0 ? pathAndQuery[..q] : pathAndQuery;

    private static string CheckPath(string path) =>
        path.StartsWith('/') && !path.Contains('?') ? path : throw new ArgumentException($"Path must start with '/' and have no query: '{path}'.", nameof(path));
}
