using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace Reelay.Tests.Infrastructure;

// The hand-written HTTP/1.1 responder behind RawPort. It exists because Kestrel enforces
// Content-Length (InvalidOperationException on too many bytes, a reset on too few), and tests need
// origins that lie about it. One request per connection, always "Connection: close": that keeps the
// parser trivial and makes truncated and close-delimited bodies unambiguous to the client.
public sealed partial class AssetServer
{
    private readonly ConcurrentDictionary<Task, byte> _rawConnections = new(); // awaited by DisposeAsync
    private TcpListener? _rawListener;
    private Task? _acceptLoop;

    private sealed record RawExchange(string Method, Stream Stream, CancellationToken Aborted);

    private void StartRawListener()
    {
        _rawListener = new TcpListener(IPAddress.Loopback, 0);
        _rawListener.Start();
        RawPort = ((IPEndPoint)_rawListener.LocalEndpoint).Port;
        _acceptLoop = AcceptLoopAsync(_rawListener);
    }

    private async Task AcceptLoopAsync(TcpListener listener)
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptSocketAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return; // listener stopped by DisposeAsync
            }
            Interlocked.Increment(ref _acceptedConnections);
            var connection = Task.Run(() => ServeRawConnectionAsync(socket));
            _rawConnections.TryAdd(connection, 0);
            _ = connection.ContinueWith(done => _rawConnections.TryRemove(done, out _), TaskScheduler.Default);
        }
    }

    private async Task ServeRawConnectionAsync(Socket socket)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        try
        {
            await using var tls = new SslStream(new NetworkStream(socket, ownsSocket: false));
            cancel.CancelAfter(TimeSpan.FromSeconds(30)); // a client that never finishes its request must not pin us
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificateContext = _rawCertificateContext,
                ApplicationProtocols = [SslApplicationProtocol.Http11], // this responder speaks HTTP/1.1 only
            }, cancel.Token);
            var (method, target) = await ReadRequestHeadAsync(tls, cancel.Token);
            cancel.CancelAfter(Timeout.InfiniteTimeSpan); // responses may legitimately take long
            var path = StripQuery(target);
            Log(method, path);
            var exchange = new RawExchange(method, tls, cancel.Token);
            if (_routes.TryGetValue(path, out var route) && route.Raw is not null)
            {
                await route.Raw(exchange);
            }
            else
            {
                await WriteHeadAsync(exchange, route is null ? 404 : 421, null, 0);
            }
            await tls.ShutdownAsync();
            // Half-close, then let the client close first: closing a socket with unread input sends RST,
            // which can destroy the tail of a response the client has not read yet.
            socket.Shutdown(SocketShutdown.Send);
            using var linger = CancellationTokenSource.CreateLinkedTokenSource(cancel.Token);
            linger.CancelAfter(TimeSpan.FromSeconds(2));
            var sink = new byte[4096];
            while (await socket.ReceiveAsync(sink, SocketFlags.None, linger.Token) > 0)
            {
            }
        }
        catch (Exception)
        {
            // Client went away, failed TLS (the untrusted-certificate tests) or the server is stopping:
            // all expected here, and there is nobody to report to.
        }
        finally
        {
            socket.Dispose();
        }
    }

    private static async Task<(string Method, string Target)> ReadRequestHeadAsync(Stream stream, CancellationToken cancel)
    {
        var buffer = new byte[32 * 1024];
        var filled = 0;
        while (buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8) < 0)
        {
            if (filled == buffer.Length)
            {
                throw new IOException("Request head too large.");
            }
            var read = await stream.ReadAsync(buffer.AsMemory(filled), cancel);
            filled += read > 0 ? read : throw new IOException("Client closed before finishing its request.");
        }
        var requestLine = Encoding.ASCII.GetString(buffer, 0, buffer.AsSpan(0, filled).IndexOf("\r\n"u8));
        var parts = requestLine.Split(' ');
        return parts.Length == 3 ? (parts[0], parts[1]) : throw new IOException($"Malformed request line '{requestLine}'.");
    }

    private static Task WriteHeadAsync(RawExchange exchange, int status, string? contentType, long contentLength)
    {
        var head = new StringBuilder($"HTTP/1.1 {status} {ReasonPhrases.GetReasonPhrase(status)}\r\n");
        if (contentType is not null)
        {
            head.Append($"Content-Type: {contentType}\r\n");
        }
        if (contentLength >= 0)
        {
            head.Append($"Content-Length: {contentLength}\r\n");
        }
        head.Append("Connection: close\r\n\r\n");
        return exchange.Stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), exchange.Aborted).AsTask();
    }

    private void MapRaw(string path, Func<RawExchange, Task> handler) => _routes[CheckPath(path)] = new Route(null, handler);
}
