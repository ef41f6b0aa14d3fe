using System.Security.Cryptography;
using System.Text;

namespace Reelay.Server.Features.Outputs;

/// <summary>HMAC-signed, expiring output URLs: anyone holding the URL may download until it expires.</summary>
public sealed class OutputSigner(byte[] key)
{
    public string Sign(string taskId, long expiresUnixSeconds) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{taskId}\n{expiresUnixSeconds}")));

    public string PathAndQuery(string taskId, long expiresUnixSeconds, string extension = ".mp4") =>
        $"/outputs/{taskId}{extension}?expires={expiresUnixSeconds}&signature={Sign(taskId, expiresUnixSeconds)}";

    public OutputUrlCheck Check(string taskId, string? expires, string? signature, long nowUnixSeconds)
    {
        if (!long.TryParse(expires, out var exp) || string.IsNullOrEmpty(signature)) return OutputUrlCheck.Invalid;
        var expected = Encoding.ASCII.GetBytes(Sign(taskId, exp));
        // Signature first, so a tampered expiry is "invalid" rather than "expired".
        if (!CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(signature.ToLowerInvariant()))) return OutputUrlCheck.Invalid;
        return exp < nowUnixSeconds ? OutputUrlCheck.Expired : OutputUrlCheck.Valid;
    }
}

public enum OutputUrlCheck { Valid, Expired, Invalid }
