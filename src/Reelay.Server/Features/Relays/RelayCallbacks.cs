using System.Collections.Concurrent;

namespace Reelay.Server.Features.Relays;

/// <summary>
/// Wakes the poll loop of an upstream task when its upstream calls back (a RunBlob callback_url), so completion is
/// seen at once instead of at the next poll. In-process only: a callback that reaches another node than the one
/// following the task changes nothing there, and the poll (PollSeconds) still finds the task ended.
/// </summary>
public sealed class RelayCallbacks
{
    private readonly ConcurrentDictionary<(string Engine, string UpstreamId), TaskCompletionSource> _waiting = new();

    /// <summary>Waits for the poll interval, or less when the upstream reports on this task meanwhile.</summary>
    public async Task WaitAsync(string engine, string upstreamId, TimeSpan interval, CancellationToken cancellationToken)
    {
        var signal = _waiting.GetOrAdd((engine, upstreamId), _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            await signal.Task.WaitAsync(interval, cancellationToken);
        }
        catch (TimeoutException)
        {
            // The poll's turn.
        }
        finally
        {
            _waiting.TryRemove(new KeyValuePair<(string, string), TaskCompletionSource>((engine, upstreamId), signal));
        }
    }

    /// <summary>
    /// The upstream said something changed; the follower polls now. A callback that arrives while the follower is
    /// between polls is kept (bounded) so its next wait returns at once.
    /// </summary>
    public void Notify(string engine, string upstreamId)
    {
        if (_waiting.TryGetValue((engine, upstreamId), out var signal)) signal.TrySetResult();
        else if (_waiting.Count < 10_000)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            done.TrySetResult();
            _waiting.TryAdd((engine, upstreamId), done);
        }
    }
}
