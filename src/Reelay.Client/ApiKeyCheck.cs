namespace Reelay.Client;

/// <summary>
/// Checks the key's shape before any request: a malformed key can never work, and saying why here
/// (a pasted newline, a missing prefix) beats a 401 from the server. The key itself is never echoed.
/// </summary>
internal static class ApiKeyCheck
{
    public const int HexDigits = 128;

    /// <summary>Null when the key is well formed; otherwise what is wrong with it.</summary>
    public static string? Problem(string key)
    {
        if (IsWellFormed(key)) return null;
        if (key.Length == 0) return "The API key is empty.";
        var trimmed = key.Trim();
        var whitespace = (char.IsWhiteSpace(key[0]), char.IsWhiteSpace(key[^1])) switch
        {
            (true, true) => "leading and trailing whitespace",
            (true, false) => "leading whitespace",
            (false, true) => "trailing whitespace",
            _ => null,
        };
        // The common case by far: a key copied with its newline, or read from a file that ends with one.
        if (whitespace is not null && IsWellFormed(trimmed))
            return $"The API key has {whitespace} (often a newline copied with it); remove it.";
        var problem = ShapeProblem(trimmed) ?? "The API key is malformed.";
        return whitespace is null ? problem : $"{problem} It also has {whitespace}.";
    }

    private static string? ShapeProblem(string key)
    {
        if (key.Length == 0) return "The API key is only whitespace.";
        if (!key.StartsWith("key_", StringComparison.Ordinal)) return "The API key must start with 'key_'.";
        if (key.Length != 4 + HexDigits)
            return $"The API key must be 'key_' followed by {HexDigits} hex digits; this one has {key.Length - 4} characters after 'key_'.";
        if (key.Skip(4).Any(char.IsWhiteSpace)) return "The API key contains whitespace; remove it.";
        if (key.Skip(4).Any(c => c is >= 'A' and <= 'F')) return "The API key's hex digits must be lowercase.";
        if (!IsWellFormed(key)) return "The API key's characters after 'key_' must be hex digits (0-9, a-f).";
        return null;
    }

    /// <summary>Exactly <c>^key_[0-9a-f]{128}$</c>.</summary>
    public static bool IsWellFormed(string key) =>
        key.Length == 4 + HexDigits && key.StartsWith("key_", StringComparison.Ordinal) &&
        key.Skip(4).All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');
}
