using System.Diagnostics;
using System.Text;
using Reelay.Tests.Infrastructure;

namespace Reelay.Bench.Memory;

/// <summary>
/// Mixed load on one server: valid creates on both surfaces and reads all along, with a hostile body of every kind
/// and target in turn every few seconds. RSS is read after a warm-up of the same mix and again after the load has
/// stopped and the server has had a light-traffic settle; the goal is settled within 25 % of after-warm-up.
/// </summary>
public static class Mixed
{
    public sealed record Result(long AfterWarmUp, long PeakDuring, long Settled, int Requests, int Hostile, int ServerErrors);

    public static async Task<Result> RunAsync(ServerProcess server, Hostile client, Target[] targets, int hostileSize,
        TimeSpan warmUp, TimeSpan load, TimeSpan settle, CancellationToken cancel)
    {
        var pid = server.ProcessId;
        await LoadAsync(client, targets, hostileSize, warmUp, cancel);
        await client.IdleAsync(settle / 3, cancel);
        var afterWarmUp = ProcStatus.Bytes(pid, "VmRSS");
        var sampler = new ProcStatus.Sampler(pid);
        (int Requests, int Hostile, int ServerErrors) counts;
        try { counts = await LoadAsync(client, targets, hostileSize, load, cancel); }
        finally { await sampler.DisposeAsync(); }
        await client.IdleAsync(settle, cancel);
        return new Result(afterWarmUp, sampler.Max, ProcStatus.Bytes(pid, "VmRSS"), counts.Requests, counts.Hostile, counts.ServerErrors);
    }

    private static async Task<(int Requests, int Hostile, int ServerErrors)> LoadAsync(Hostile client, Target[] targets, int hostileSize, TimeSpan duration, CancellationToken cancel)
    {
        var requests = 0;
        var hostile = 0;
        var serverErrors = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        stop.CancelAfter(duration);
        var kinds = Enum.GetValues<HostileKind>();
        async Task Loop(Func<int, Task<int>> step, TimeSpan pause)
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                try
                {
                    var status = await step(i);
                    Interlocked.Increment(ref requests);
                    if (status >= 500) Interlocked.Increment(ref serverErrors);
                    await Task.Delay(pause, stop.Token);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref serverErrors); // no answer at all is as bad as a 5xx
                }
            }
        }
        var creates = Loop(async i =>
        {
            var (path, auth, json) = i % 2 == 0
                ? ("/v1/text_to_video", "runway", """{"model":"gen4.5","promptText":"a lighthouse at dusk","ratio":"1280:720","duration":2}""")
                : ("/v1/gemini/generate", "runblob", """{"prompt":"a red fox in snow","aspect_ratio":"1:1"}""");
            return (await client.SendAsync(new Target("valid", path, auth, [], "", ""), Encoding.UTF8.GetBytes(json), CancellationToken.None)).Status;
        }, TimeSpan.FromSeconds(2));
        var reads = Enumerable.Range(0, 2).Select(_ => Loop(async _ =>
        {
            using var request = client.Request(HttpMethod.Get, Hostile.ReadPath, "runway");
            return (await client.SendRawAsync(request)).Status;
        }, TimeSpan.FromMilliseconds(50))).ToList();
        var attacks = Loop(async i =>
        {
            var target = targets[i % targets.Length];
            var kind = kinds[i / targets.Length % kinds.Length];
            Interlocked.Increment(ref hostile);
            return (await client.SendAsync(target, HostileBodies.Build(kind, target, hostileSize), CancellationToken.None)).Status;
        }, TimeSpan.FromSeconds(3));
        await Task.WhenAll([creates, attacks, .. reads]);
        return (requests, hostile, serverErrors);
    }
}
