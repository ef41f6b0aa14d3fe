using System.Collections.Concurrent;
using System.Data.Common;
using Dapper;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Auth;

/// <summary>
/// The key lookups of the last <see cref="Lifetime"/>, keyed by the key's SHA-256 (never the key itself), so a client
/// polling its tasks costs no database read for authentication. The bound: disabling a key or suspending an
/// organization is refused at once on the node that made the change (it clears this cache). On PostgreSQL that node
/// also NOTIFYs <see cref="Channel"/>, and every other node clears its cache when it hears it (TaskNotifications
/// listens), so they refuse within milliseconds; a notification lost while a listener reconnects, and SQLite (one
/// node), fall back to the entry's expiry after <see cref="Lifetime"/>. Re-enabling takes as long. Only keys that
/// exist are kept (random keys cannot fill it) and at most <see cref="MaxEntries"/> of them.
/// </summary>
public sealed class KeyCache(TimeProvider? time = null, TimeSpan? lifetime = null)
{
    /// <summary>The default bound; `Auth:KeyCacheSeconds` changes it (0 turns the cache off).</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(2);
    public const int MaxEntries = 10_000;

    /// <summary>The LISTEN/NOTIFY channel on which a node announces a key or organization change.</summary>
    public const string Channel = "reelay_keys";

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly long _lifetimeTicks = (long)((lifetime ?? Lifetime).TotalSeconds * (time ?? TimeProvider.System).TimestampFrequency);
    private readonly ConcurrentDictionary<string, (KeyState State, long ExpiresAt)> _entries = new();
    private long _generation;

    /// <summary>The key's stored state as read from the database: its organization, prefix, disabled and suspended flags.</summary>
    public sealed record KeyState(string KeyId, string OrgId, string Prefix, bool Disabled, bool Suspended);

    /// <summary>Changes at every <see cref="Clear"/>: a lookup that started before a clear must not store what it read.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    public bool TryGet(string hashHex, out KeyState state)
    {
        if (_entries.TryGetValue(hashHex, out var entry) && entry.ExpiresAt > _time.GetTimestamp())
        {
            state = entry.State;
            return true;
        }
        state = null!;
        return false;
    }

    /// <summary>Stores a lookup made at <paramref name="generation"/>, unless the cache was cleared since (it may be stale).</summary>
    public void Put(string hashHex, KeyState state, long generation)
    {
        // Full: start again rather than track ages; a refill costs one lookup per key.
        if (_entries.Count >= MaxEntries) _entries.Clear();
        _entries[hashHex] = (state, _time.GetTimestamp() + _lifetimeTicks);
        if (Generation != generation) _entries.TryRemove(hashHex, out _);
    }

    public void Put(string hashHex, KeyState state) => Put(hashHex, state, Generation);

    /// <summary>A key was disabled or an organization (un)suspended: the next request of every key reads the database.</summary>
    public void Clear()
    {
        Interlocked.Increment(ref _generation);
        _entries.Clear();
    }

    /// <summary>
    /// After a committed key or organization change: clears this node's cache and, on PostgreSQL, tells the other nodes
    /// to clear theirs. A failed NOTIFY only leaves them the <see cref="Lifetime"/> bound, so it does not fail the change.
    /// </summary>
    public async Task ChangedAsync(DbConnection connection)
    {
        Clear();
        if (!Db.IsPostgres(connection)) return;
        try
        {
            await connection.ExecuteAsync($"NOTIFY {Channel}");
        }
        catch (Exception)
        {
            // The other nodes' entries still expire after Lifetime.
        }
    }
}
