using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Reelay.Tests.Infrastructure;

/// <summary>Self-test of <see cref="AssetServer"/>: each mode behaves as the Reelay asset tests will assume.</summary>
public sealed class AssetServerTests
{
    private static readonly X509Certificate2 TrustedCa = X509Certificate2.CreateFromPem(File.ReadAllText(TestCertificates.CaPemFile));

    [Fact]
    public async Task File_is_served_with_its_headers_on_HEAD_and_GET()
    {
        await using var server = await AssetServer.StartAsync();
        var body = Enumerable.Range(0, 5000).Select(i => (byte)i).ToArray();
        server.MapFile("/clip.mp4", body, "video/mp4");
        using var client = CreateClient();
        var url = server.Url("cdn.assets.test", "/clip.mp4?sig=abc");

        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, url));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(5000, head.Content.Headers.ContentLength);
        Assert.Equal("video/mp4", head.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());

        using var get = await client.GetAsync(url);
        Assert.Equal("video/mp4", get.Content.Headers.ContentType?.MediaType);
        Assert.Equal(body, await get.Content.ReadAsByteArrayAsync());

        Assert.Equal(["HEAD /clip.mp4", "GET /clip.mp4"], server.RequestLog);
        Assert.Equal(5000, server.BytesWritten("/clip.mp4"));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(server.Url("cdn.assets.test", "/nope"))).StatusCode);
    }

    [Fact]
    public async Task Chunked_file_has_no_content_length_and_HTTP2_works()
    {
        await using var server = await AssetServer.StartAsync();
        server.MapFile("/chunked.bin", [1, 2, 3], "application/octet-stream", declaredLength: -1);
        using var client = CreateClient();
        var url = server.Url("assets.test", "/chunked.bin");

        // ResponseHeadersRead: once buffered, HttpClient would compute a ContentLength of its own.
        using var http11 = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
        Assert.True(http11.Headers.TransferEncodingChunked);
        Assert.False(http11.Content.Headers.NonValidated.Contains("Content-Length"));
        Assert.Equal([1, 2, 3], await http11.Content.ReadAsByteArrayAsync());

        using var request = new HttpRequestMessage(HttpMethod.Get, url)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        using var http2 = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpVersion.Version20, http2.Version);
        Assert.False(http2.Content.Headers.NonValidated.Contains("Content-Length"));
        Assert.Equal([1, 2, 3], await http2.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Redirect_carries_status_and_location()
    {
        await using var server = await AssetServer.StartAsync();
        var target = server.Url("other.assets.test", "/real.mp4");
        server.MapRedirect("/moved", 307, target);
        using var client = CreateClient();

        using var response = await client.GetAsync(server.Url("cdn.assets.test", "/moved"));
        Assert.Equal(HttpStatusCode.TemporaryRedirect, response.StatusCode);
        Assert.Equal(new Uri(target), response.Headers.Location);
    }

    [Fact]
    public async Task Drip_sends_headers_at_once_and_the_body_slowly()
    {
        await using var server = await AssetServer.StartAsync();
        var body = Enumerable.Range(1, 40).Select(i => (byte)i).ToArray();
        server.MapDrip("/slow.mp4", body, "video/mp4", TimeSpan.FromMilliseconds(500), chunkSize: 10);
        using var client = CreateClient();

        var clock = Stopwatch.StartNew();
        using var response = await client.GetAsync(server.Url("cdn.assets.test", "/slow.mp4"), HttpCompletionOption.ResponseHeadersRead);
        var headersAt = clock.Elapsed;
        Assert.Equal(40, response.Content.Headers.ContentLength);
        await using var stream = await response.Content.ReadAsStreamAsync();
        var received = new byte[body.Length];
        var filled = await stream.ReadAsync(received);
        var firstChunkAt = clock.Elapsed;
        await stream.ReadExactlyAsync(received.AsMemory(filled));
        Assert.Equal(body, received);
        // Headers come before the first (delayed) chunk, and the whole body takes about 4 delays.
        Assert.True(firstChunkAt - headersAt >= TimeSpan.FromMilliseconds(250), $"headers {headersAt}, first chunk {firstChunkAt}");
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(1900), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Huge_stops_writing_soon_after_the_client_aborts()
    {
        await using var server = await AssetServer.StartAsync();
        const long total = 8L * 1024 * 1024 * 1024;
        server.MapHuge("/huge.mp4", total, "video/mp4", declaredLength: total);
        using var client = CreateClient();

        using (var response = await client.GetAsync(server.Url("cdn.assets.test", "/huge.mp4"), HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(total, response.Content.Headers.ContentLength);
            await using var stream = await response.Content.ReadAsStreamAsync();
            var buffer = new byte[1024 * 1024];
            await stream.ReadExactlyAsync(buffer); // read 1 MB, then walk away
        }

        var written = await SettledAsync(() => server.BytesWritten("/huge.mp4"));
        Assert.InRange(written, 1024 * 1024, 64L * 1024 * 1024); // kernel buffers only, nowhere near 8 GB
    }

    [Fact]
    public async Task Body_shorter_than_declared_fails_the_read_and_longer_is_cut_at_the_declared_length()
    {
        await using var server = await AssetServer.StartAsync();
        server.MapFile("/short.mp4", new byte[100], "video/mp4", declaredLength: 1000);
        server.MapFile("/long.mp4", new byte[2000], "video/mp4", declaredLength: 100);
        Assert.Equal(server.RawPort, new Uri(server.Url("cdn.assets.test", "/short.mp4")).Port);
        using var client = CreateClient();

        var failure = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetByteArrayAsync(server.Url("cdn.assets.test", "/short.mp4")));
        Assert.IsAssignableFrom<IOException>(failure.InnerException);

        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, server.Url("cdn.assets.test", "/short.mp4")));
        Assert.Equal(1000, head.Content.Headers.ContentLength);

        Assert.Equal(100, (await client.GetByteArrayAsync(server.Url("cdn.assets.test", "/long.mp4"))).Length);
        Assert.Equal(2000, await SettledAsync(() => server.BytesWritten("/long.mp4")));
        Assert.Equal(["GET /short.mp4", "HEAD /short.mp4", "GET /long.mp4"], server.RequestLog);
    }

    [Fact]
    public async Task Hanging_headers_trip_the_client_timeout()
    {
        await using var server = await AssetServer.StartAsync();
        server.MapHangHeaders("/hang.mp4", TimeSpan.FromSeconds(30));
        using var client = CreateClient();
        client.Timeout = TimeSpan.FromMilliseconds(300);

        await Assert.ThrowsAsync<TaskCanceledException>(() => client.GetAsync(server.Url("cdn.assets.test", "/hang.mp4")));
    }

    [Theory]
    [InlineData(false)] // Kestrel port
    [InlineData(true)] // raw port
    public async Task Untrusted_certificate_fails_validation_but_the_connection_is_counted(bool rawPath)
    {
        await using var server = await AssetServer.StartAsync(untrustedCertificate: true);
        if (rawPath)
        {
            server.MapHuge("/a.mp4", 10, "video/mp4", 10);
        }
        else
        {
            server.MapFile("/a.mp4", [1], "video/mp4");
        }
        using var client = CreateClient();

        var failure = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(server.Url("cdn.assets.test", "/a.mp4")));
        Assert.IsType<AuthenticationException>(failure.InnerException);
        Assert.Equal(1, server.AcceptedConnections);
        Assert.Empty(server.RequestLog);
    }

    [Fact]
    public async Task Accepted_connections_counts_each_tcp_connection_on_both_ports()
    {
        await using var server = await AssetServer.StartAsync();
        server.MapFile("/kestrel.mp4", [1, 2], "video/mp4");
        server.MapFile("/raw.mp4", [1, 2], "video/mp4", declaredLength: 1);
        Assert.Equal(0, server.AcceptedConnections);

        using (var client = CreateClient())
        {
            // Same client: HTTP/1.1 keep-alive reuses one Kestrel connection for both requests.
            await client.GetByteArrayAsync(server.Url("cdn.assets.test", "/kestrel.mp4"));
            await client.GetByteArrayAsync(server.Url("cdn.assets.test", "/kestrel.mp4"));
            // The raw responder closes after every response: two requests, two connections.
            await client.GetByteArrayAsync(server.Url("cdn.assets.test", "/raw.mp4"));
            await client.GetByteArrayAsync(server.Url("cdn.assets.test", "/raw.mp4"));
        }
        Assert.Equal(3, server.AcceptedConnections);

        // A bare TCP connect that never speaks TLS is counted too.
        using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            await socket.ConnectAsync(IPAddress.Loopback, server.Port);
            // Accepting runs on the server's own schedule, after our connect returns.
            var deadline = Stopwatch.StartNew();
            while (server.AcceptedConnections < 4 && deadline.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(20);
            }
            Assert.Equal(4, server.AcceptedConnections);
        }
    }

    /// <summary>
    /// A client that trusts nothing but the test CA, and resolves *.assets.test (and assets.test,
    /// localhost) to 127.0.0.1 — what the server under test does when configured for these tests.
    /// </summary>
    private static HttpClient CreateClient() => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = TrustOnlyTestCa },
        ConnectCallback = async (context, cancel) =>
        {
            var host = context.DnsEndPoint.Host;
            if (host is not ("localhost" or "assets.test") && !host.EndsWith(".assets.test", StringComparison.OrdinalIgnoreCase))
            {
                throw new HttpRequestException($"Test client only resolves *.assets.test, not '{host}'.");
            }
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), cancel);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    });

    private static bool TrustOnlyTestCa(object sender, X509Certificate? certificate, X509Chain? _, SslPolicyErrors errors)
    {
        // Name mismatches and a missing certificate stay fatal; only the chain is re-judged, against the test CA alone.
        if (certificate is not X509Certificate2 leaf || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0)
        {
            return false;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(TrustedCa);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(leaf);
    }

    /// <summary>Polls until the value stops changing for 300 ms (server-side work finishes after the client returns).</summary>
    private static async Task<long> SettledAsync(Func<long> read)
    {
        var deadline = Stopwatch.StartNew();
        var last = read();
        while (deadline.Elapsed < TimeSpan.FromSeconds(15))
        {
            await Task.Delay(300);
            var now = read();
            if (now == last)
            {
                return now;
            }
            last = now;
        }
        return last;
    }
}
