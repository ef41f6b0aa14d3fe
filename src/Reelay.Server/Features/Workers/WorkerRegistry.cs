using System.Collections.Concurrent;
using Dapper;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Workers;

/// <summary>
/// Remembers remote workers as their lease requests arrive, in the database so every node's view is the same.
/// A worker polls at least every 20 s (and once per task), so one write per worker per few seconds is enough.
/// </summary>
public sealed class WorkerRegistry(Db db)
{
    private static readonly TimeSpan WriteEvery = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<string, (long At, string Models)> _written = new();

    public async Task SeenAsync(string workerId, IEnumerable<string> models, string? address)
    {
        var now = Clock.NowMs();
        var list = string.Join(",", models.Order(StringComparer.Ordinal));
        if (_written.TryGetValue(workerId, out var last) && last.Models == list && now - last.At < WriteEvery.TotalMilliseconds) return;
        _written[workerId] = (now, list);
        await using var connection = await db.OpenAsync();
        await connection.ExecuteAsync(
            """
            INSERT INTO workers (id, models, address, last_seen_at) VALUES (@workerId, @list, @address, @now)
            ON CONFLICT (id) DO UPDATE SET models = excluded.models, address = excluded.address, last_seen_at = excluded.last_seen_at
            """, new { workerId, list, address, now });
    }
}
