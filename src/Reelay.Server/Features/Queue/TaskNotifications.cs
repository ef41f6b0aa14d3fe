using Npgsql;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Queue;

/// <summary>
/// PostgreSQL only: LISTENs on the tasks channel and pulses the TaskSignal, so idle workers (local loops and long-polling remote workers) on every node wake
/// when any node creates, promotes or returns a task. Workers still poll, so a notification lost while this
/// connection is down only delays a task by one poll interval.
/// </summary>
public sealed class TaskNotifications(Db db, TaskSignal signal, ILogger<TaskNotifications> logger) : BackgroundService
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
                connection.Notification += (_, _) => signal.Pulse();
                await using (var listen = new NpgsqlCommand($"LISTEN {Db.TasksChannel}", connection))
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                signal.Pulse(); // whatever was announced while not listening
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
