using System.Security.Cryptography;
using System.Text;

namespace Reelay.Server.Features.Outputs;

/// <summary>HMAC-signed, expiring output URLs: anyone holding the URL may download until it expires.</summary>
public sealed class OutputSigner(byte[] key)
{
    /// <summary>HMAC-SHA256 of "{resource}\n{expires}", in lowercase hex. Signed on every task read, so built on the stack.</summary>
    public string Sign(string taskId, long expiresUnixSeconds)
    {
        var length = Encoding.UTF8.GetMaxByteCount(taskId.Length) + 21;
        Span<byte> message = length <= 512 ? stackalloc byte[length] : new byte[length];
        var written = Encoding.UTF8.GetBytes(taskId, message);
        message[written++] = (byte)'\n';
        expiresUnixSeconds.TryFormat(message[written..], out var digits, default, System.Globalization.CultureInfo.InvariantCulture);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key, message[..(written + digits)], mac);
        return Convert.ToHexStringLower(mac);
    }

    /// <summary>The first output at /outputs/{task}.{ext} (as before tasks had several); the others at /outputs/{task}/{n}.{ext}.</summary>
    public string PathAndQuery(string taskId, long expiresUnixSeconds, string extension = ".mp4", int index = 0)
    {
        var resource = Resource(taskId, index);
        return $"/outputs/{resource}{extension}?expires={expiresUnixSeconds}&signature={Sign(resource, expiresUnixSeconds)}";
    }

    /// <summary>What an output URL signs: the task for its first output, task/n for the others, so one URL never opens another.</summary>
    public static string Resource(string taskId, int index) => index == 0 ? taskId : $"{taskId}/{index}";

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
