namespace Reelay.Server.Features.Queue;

/// <summary>Wakes idle workers when a task is created on this node; workers still poll, so a missed signal only delays.</summary>
public sealed class TaskSignal
{
    private readonly SemaphoreSlim _semaphore = new(0, int.MaxValue);

    public void Pulse(int count = 1) => _semaphore.Release(count);

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _semaphore.WaitAsync(timeout, cancellationToken);
}
