using System.Diagnostics;
using System.Net.Http.Headers;
using Reelay.Tests.Infrastructure;

namespace Reelay.Bench.Memory;

/// <summary>One hostile body against one route, as measured: the answer, and the server's memory around it.</summary>
public sealed record CaseResult(HostileKind Kind, Target Target, long BodyBytes, int Status, long AnswerBytes, string AnswerStart,
    double Ms, long RssBefore, long Peak, long Settled, bool PeakFromHwm);

/// <summary>Sends bodies to one server with the right credentials for each target, and measures the server's memory.</summary>
public sealed class Hostile(ServerProcess server, string tenantKey, string workerToken)
{
    public const string ReadPath = "/v1/organization";
    private readonly HttpClient _http = new() { BaseAddress = server.BaseUrl, Timeout = TimeSpan.FromMinutes(2) };

    public HttpRequestMessage Request(HttpMethod method, string path, string auth)
    {
        var request = new HttpRequestMessage(method, path);
        var token = auth switch { "admin" => ServerProcess.AdminToken, "worker" => workerToken, _ => tenantKey };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (auth == "runway") request.Headers.Add("X-Runway-Version", ReelayApi.RunwayVersion);
        return request;
    }

    public async Task<(int Status, byte[] Answer, double Ms)> SendAsync(Target target, byte[] body, CancellationToken cancel)
    {
        using var request = Request(HttpMethod.Post, target.Path, target.Auth);
        request.Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };
        // As careful clients do with large bodies: a route whose limit the Content-Length exceeds answers 413 before the
        // body is sent; without it the server's early 413 arrives while the client is still sending and is lost (EPIPE).
        request.Headers.ExpectContinue = true;
        var clock = Stopwatch.StartNew();
        using var response = await _http.SendAsync(request, cancel);
        var answer = await response.Content.ReadAsByteArrayAsync(cancel);
        return ((int)response.StatusCode, answer, clock.Elapsed.TotalMilliseconds);
    }

    public async Task<(int Status, byte[] Answer)> SendRawAsync(HttpRequestMessage request)
    {
        using var response = await _http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsByteArrayAsync());
    }

    /// <summary>Light traffic (a read every 100 ms) for a while: allocations give the GC its chances to give memory back.</summary>
    public async Task IdleAsync(TimeSpan wait, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < wait)
        {
            using var request = Request(HttpMethod.Get, ReadPath, "runway");
            using var response = await _http.SendAsync(request, cancel);
            await response.Content.ReadAsByteArrayAsync(cancel);
            await Task.Delay(100, cancel);
        }
    }

    /// <summary>A small body of the same kind first (JIT, first-use caches), then the big one with VmHWM reset just before it.</summary>
    public async Task<CaseResult> MeasureAsync(HostileKind kind, Target target, int size, TimeSpan settle, CancellationToken cancel)
    {
        await SendAsync(target, HostileBodies.Build(kind, target, 64 << 10), cancel);
        var body = HostileBodies.Build(kind, target, size);
        await IdleAsync(settle < TimeSpan.FromSeconds(1) ? settle : TimeSpan.FromSeconds(1), cancel); // the small body's work done
        var pid = server.ProcessId;
        var before = ProcStatus.Bytes(pid, "VmRSS");
        var hwm = ProcStatus.TryResetPeak(pid);
        var sampler = new ProcStatus.Sampler(pid);
        (int Status, byte[] Answer, double Ms) reply;
        try { reply = await SendAsync(target, body, cancel); }
        catch (HttpRequestException e)
        {
            // The server hung up before it had the whole body (it answered without reading it): no status to show.
            reply = (0, System.Text.Encoding.UTF8.GetBytes("connection closed: " + e.Message), 0);
        }
        finally { await sampler.DisposeAsync(); }
        // The peak covers the settle too: work after the answer (the request log's copy of the body) is the request's cost as well.
        var settledSampler = new ProcStatus.Sampler(pid);
        try { await IdleAsync(settle, cancel); }
        finally { await settledSampler.DisposeAsync(); }
        var peak = Math.Max(hwm ? ProcStatus.Bytes(pid, "VmHWM") : Math.Max(sampler.Max, settledSampler.Max), before);
        var settled = ProcStatus.Bytes(pid, "VmRSS");
        var start = System.Text.Encoding.UTF8.GetString(reply.Answer, 0, Math.Min(90, reply.Answer.Length)).ReplaceLineEndings(" ");
        return new CaseResult(kind, target, body.Length, reply.Status, reply.Answer.Length, start, reply.Ms, before, peak, settled, hwm);
    }
}
