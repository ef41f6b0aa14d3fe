using System.Collections.Concurrent;

namespace Reelay.Server.Features.Auth;

/// <summary>
/// The key lookups of the last <see cref="Lifetime"/>, keyed by the key's SHA-256 (never the key itself), so a client
/// polling its tasks costs no database read for authentication. The bound: disabling a key or suspending an
/// organization is refused at once on the node that made the change (it clears this cache) and within
/// <see cref="Lifetime"/> on every other node, whose entry expires; re-enabling takes as long. Only keys that exist
/// are kept (random keys cannot fill it) and at most <see cref="MaxEntries"/> of them.
/// </summary>
public sealed class KeyCache(TimeProvider? time = null)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(2);
    public const int MaxEntries = 10_000;

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ConcurrentDictionary<string, (KeyState State, long ExpiresAt)> _entries = new();

    /// <summary>The key's stored state as read from the database: its organization, prefix, disabled and suspended flags.</summary>
    public sealed record KeyState(string KeyId, string OrgId, string Prefix, bool Disabled, bool Suspended);

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

    public void Put(string hashHex, KeyState state)
    {
        // Full: start again rather than track ages; a refill costs one lookup per key.
        if (_entries.Count >= MaxEntries) _entries.Clear();
        _entries[hashHex] = (state, _time.GetTimestamp() + (long)(Lifetime.TotalSeconds * _time.TimestampFrequency));
    }

    /// <summary>A key was disabled or an organization (un)suspended on this node: the next request of every key reads the database.</summary>
    public void Clear() => _entries.Clear();
}
