using Npgsql;
using Reelay.Server.Features.Auth;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Queue;

/// <summary>
/// PostgreSQL only: LISTENs on the tasks channel and pulses the TaskSignal, so idle workers (local loops and long-polling remote workers) on every node wake
/// when any node creates, promotes or returns a task. Workers still poll, so a notification lost while this
/// connection is down only delays a task by one poll interval. The same connection LISTENs on KeyCache.Channel and
/// clears this node's key cache when another node disabled a key or suspended an organization (KeyCache's bound).
/// </summary>
public sealed class TaskNotifications(Db db, TaskSignal signal, KeyCache keys, ILogger<TaskNotifications> logger) : BackgroundService
{
    // Without traffic, a quick query now and then proves the connection is alive (WaitAsync alone would wait forever on a dead one).
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (db.Provider != DbProvider.Postgres) return;
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = (NpgsqlConnection)await db.OpenAsync(stoppingToken);
                connection.Notification += (_, e) =>
                {
                    if (e.Channel == KeyCache.Channel) keys.Clear();
                    else signal.Pulse();
                };
                await using (var listen = new NpgsqlCommand($"LISTEN {Db.TasksChannel}; LISTEN {KeyCache.Channel}", connection))
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                signal.Pulse(); // whatever was announced while not listening
                keys.Clear();
                while (true)
                {
                    if (await connection.WaitAsync(ProbeInterval, stoppingToken)) continue;
                    await using var probe = new NpgsqlCommand("SELECT 1", connection);
                    await probe.ExecuteScalarAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning("Task notifications: {Error}; listening again in 5 s (workers keep polling meanwhile)", ex.Message);
                try { await Task.Delay(TimeSpan.FromSeconds(5), stoppingToken); }
                catch (OperationCanceledException) { return; }
            }
        }
    }
}
