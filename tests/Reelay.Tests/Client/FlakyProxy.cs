using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Reelay.Tests.Client;

/// <summary>
/// An in-process HTTP proxy in front of a real Reelay server that misbehaves on purpose: for each request
/// the test's rule may answer it (an error status, a dropped connection) or let it through. Every request
/// is recorded with its headers, so tests can count the SDK's attempts and check what each carried.
/// </summary>
internal sealed class FlakyProxy : IAsyncDisposable
{
    /// <summary>What the rule decides for one request.</summary>
    public abstract record Step;
    public sealed record Forward : Step;
    public sealed record Answer(int Status, string Body = "{\"error\":\"Injected by the test proxy.\"}", IReadOnlyDictionary<string, string>? Headers = null) : Step;
    public sealed record Drop : Step;
    /// <summary>Sends the request upstream (so the server acts on it) but drops the connection instead of answering.</summary>
    public sealed record ForwardThenDrop : Step;
    /// <summary>Answers with the upstream's status and headers and the first <paramref name="Bytes"/> of its body, then resets the connection (a download cut short).</summary>
    public sealed record ForwardPartThenDrop(int Bytes) : Step;
    /// <summary>Waits, then lets the request through: a slow upstream.</summary>
    public sealed record Slow(TimeSpan Delay) : Step;

    public sealed record Recorded(string Method, string Path, IReadOnlyDictionary<string, string> Headers)
    {
        public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
    }

    private static readonly HttpClient Upstream = new() { Timeout = TimeSpan.FromSeconds(60) };
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
        { "Host", "Connection", "Transfer-Encoding", "Keep-Alive", "Content-Length" };

    private Uri _upstream;
    private readonly Func<Recorded, int, Step> _rule;
    private readonly List<Recorded> _requests = [];
    private readonly List<(string Method, string Path)> _forwarded = [];
    private WebApplication? _app;

    private FlakyProxy(Uri upstream, Func<Recorded, int, Step> rule)
    {
        _upstream = upstream;
        _rule = rule;
    }

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Where requests are forwarded; settable so the upstream can be started after the proxy (and told the proxy is its public address).</summary>
    public Uri Target { get => Volatile.Read(ref _upstream); set => Volatile.Write(ref _upstream, value); }

    public IReadOnlyList<Recorded> Requests { get { lock (_requests) return _requests.ToArray(); } }

    public IReadOnlyList<Recorded> To(string method, string path) => Requests.Where(r => r.Method == method && r.Path == path).ToList();

    /// <summary>Starts the proxy; <paramref name="rule"/> gets each request and its 1-based number among requests with the same method and path.</summary>
    public static async Task<FlakyProxy> StartAsync(Uri upstream, Func<Recorded, int, Step> rule)
    {
        var proxy = new FlakyProxy(upstream, rule);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        proxy._app = builder.Build();
        proxy._app.Run(proxy.HandleAsync);
        await proxy._app.StartAsync();
        var address = proxy._app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        proxy.BaseUrl = new Uri(address);
        return proxy;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var recorded = new Recorded(request.Method, request.Path.Value ?? "/",
            request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase));
        int number;
        lock (_requests)
        {
            _requests.Add(recorded);
            number = _requests.Count(r => r.Method == recorded.Method && r.Path == recorded.Path);
        }
        switch (_rule(recorded, number))
        {
            case Answer answer:
                context.Response.StatusCode = answer.Status;
                context.Response.ContentType = "application/json";
                foreach (var (name, value) in answer.Headers ?? new Dictionary<string, string>()) context.Response.Headers[name] = value;
                await context.Response.WriteAsync(answer.Body);
                return;
            case Drop:
                context.Abort();
                return;
            case ForwardThenDrop:
                using (var ignored = await ForwardAsync(context)) context.Abort();
                return;
            case ForwardPartThenDrop part:
                using (var response = await ForwardAsync(context))
                {
                    CopyHead(response, context.Response, keepLength: true);
                    var body = await response.Content.ReadAsByteArrayAsync();
                    await context.Response.Body.WriteAsync(body.AsMemory(0, Math.Min(part.Bytes, body.Length)));
                    await context.Response.Body.FlushAsync();
                    context.Abort();
                }
                return;
            case Slow slow:
                // The body is read first: the request reaches the upstream late even when the caller gave up on it meanwhile.
                var early = await ReadBodyAsync(context.Request);
                await Task.Delay(slow.Delay);
                using (var response = await ForwardAsync(context, early))
                {
                    if (context.RequestAborted.IsCancellationRequested) return;
                    CopyHead(response, context.Response, keepLength: false);
                    await response.Content.CopyToAsync(context.Response.Body);
                }
                return;
            default:
                using (var response = await ForwardAsync(context))
                {
                    CopyHead(response, context.Response, keepLength: false);
                    await response.Content.CopyToAsync(context.Response.Body);
                }
                return;
        }
    }

    /// <summary>Status and end-to-end headers; with keepLength the upstream's Content-Length too, so a cut body is seen as cut.</summary>
    private static void CopyHead(HttpResponseMessage from, HttpResponse to, bool keepLength)
    {
        to.StatusCode = (int)from.StatusCode;
        foreach (var header in from.Headers.Concat(from.Content.Headers))
            if (!HopByHop.Contains(header.Key)) to.Headers[header.Key] = header.Value.ToArray();
        if (keepLength && from.Content.Headers.ContentLength is { } length) to.ContentLength = length;
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request)
    {
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body);
        return body.ToArray();
    }

    /// <summary>Sends the request on; once it has been answered upstream it counts in <see cref="Forwarded"/>.</summary>
    private async Task<HttpResponseMessage> ForwardAsync(HttpContext context, byte[]? early = null)
    {
        var request = context.Request;
        var body = early ?? await ReadBodyAsync(request);
        using var forward = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(Target, request.Path + request.QueryString));
        if (body.Length > 0 || request.ContentType is not null) forward.Content = new ByteArrayContent(body);
        foreach (var (name, value) in request.Headers)
        {
            if (HopByHop.Contains(name)) continue;
            if (!forward.Headers.TryAddWithoutValidation(name, value.ToArray())) forward.Content?.Headers.TryAddWithoutValidation(name, value.ToArray());
        }
        var response = await Upstream.SendAsync(forward);
        lock (_requests) _forwarded.Add((request.Method, request.Path.Value ?? "/"));
        return response;
    }

    /// <summary>How many requests with this method and path the upstream has answered.</summary>
    public int Forwarded(string method, string path)
    {
        lock (_requests) return _forwarded.Count(f => f.Method == method && f.Path == path);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
    }
}
