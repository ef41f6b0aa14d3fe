using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Reelay.Server.Features.Auth;

/// <summary>Generation, hashing and parsing of organization API keys (pure functions).</summary>
public static partial class ApiKeys
{
    public const int HexLength = 128;

    [GeneratedRegex("^key_[0-9a-f]{128}\\z")]
    private static partial Regex KeyShape();

    /// <summary>A new key: "key_" + 128 lowercase hex digits from a CSPRNG (512 bits).</summary>
    public static string Generate() => "key_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(HexLength / 2));

    /// <summary>
    /// SHA-256 is enough here: keys carry 512 random bits, so there is nothing to brute-force and a
    /// slow password hash would only slow down every request.
    /// </summary>
    public static byte[] Hash(string key) => SHA256.HashData(Encoding.ASCII.GetBytes(key));

    /// <summary>What the portal and logs show instead of the key.</summary>
    public static string DisplayPrefix(string key) => key[..12];

    public static bool IsWellFormed(string key) => KeyShape().IsMatch(key);

    /// <summary>Reads the Authorization header into a key, or says exactly why it cannot.</summary>
    public static (string? Key, AuthFailure? Failure) ParseAuthorization(string? header)
    {
        if (string.IsNullOrWhiteSpace(header)) return (null, AuthFailure.MissingHeader);
        var space = header.IndexOf(' ');
        var scheme = space < 0 ? header : header[..space];
        if (!scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase)) return (null, AuthFailure.NotBearer);
        var token = header[(space + 1)..];
        if (token.Length == 0 || string.IsNullOrWhiteSpace(token)) return (null, AuthFailure.Malformed);
        if (IsWellFormed(token)) return (token, null);
        // HTTP strips plain trailing spaces, but copy-pasted keys often end in a newline, a tab or a
        // non-breaking space: name that cause, it is the most common one.
        // "Bearer  key_…" (two spaces) is whitespace before the key, not after it: name the side it is on.
        var trimmed = token.Trim().Trim('\u00a0', '\u200b', '\ufeff');
        var leading = token.Length > 0 && (char.IsWhiteSpace(token[0]) || token[0] is '\u200b' or '\ufeff');
        if (trimmed != token && IsWellFormed(trimmed)) return (null, leading ? AuthFailure.MalformedLeadingWhitespace : AuthFailure.MalformedTrailingWhitespace);
        if (trimmed.Length > 0 && IsWellFormed(trimmed.Split(' ', '\t')[0])) return (null, leading ? AuthFailure.MalformedLeadingWhitespace : AuthFailure.MalformedTrailingWhitespace);
        return (null, AuthFailure.Malformed);
    }
}

public enum AuthFailure
{
    MissingHeader,
    NotBearer,
    Malformed,
    MalformedTrailingWhitespace,
    MalformedLeadingWhitespace,
    UnknownKey,
    DisabledKey,
    SuspendedOrganization,
}

public static class AuthFailureMessages
{
    public static string For(AuthFailure failure) => failure switch
    {
        AuthFailure.MissingHeader => "No API key was provided. Send it in the Authorization header: 'Authorization: Bearer key_…'.",
        AuthFailure.NotBearer => "The Authorization header must use the Bearer scheme: 'Authorization: Bearer key_…'.",
        AuthFailure.Malformed => "The API key is malformed. Keys are 'key_' followed by 128 lowercase hexadecimal characters.",
        AuthFailure.MalformedTrailingWhitespace => "The API key is malformed: it has trailing whitespace. Remove the whitespace at the end of your key.",
        AuthFailure.MalformedLeadingWhitespace => "The API key is malformed: it has leading whitespace (e.g. two spaces after 'Bearer'). Send exactly one space between 'Bearer' and the key.",
        AuthFailure.UnknownKey => "The API key is not valid. Check that you copied the whole key and that it belongs to this server.",
        AuthFailure.DisabledKey => "This API key has been disabled. Create a new key or ask an administrator to issue one.",
        AuthFailure.SuspendedOrganization => "The organization this API key belongs to has been suspended.",
        _ => "Authentication failed.",
    };
}
