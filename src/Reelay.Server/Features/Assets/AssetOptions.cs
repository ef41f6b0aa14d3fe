using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace Reelay.Server.Features.Assets;

public enum AssetKind { Image, Video, Audio }

/// <summary>Asset intake settings (Assets:*), read once at start-up.</summary>
public sealed record AssetOptions
{
    public TimeSpan FetchTimeout { get; init; } = TimeSpan.FromSeconds(10);
    public string UserAgent { get; init; } = "Reelay-AssetFetcher/1.0";

    /// <summary>Assets:Resolve — these hosts resolve only to the given address and are exempt from the public-address rule.</summary>
    public IReadOnlyDictionary<string, IPAddress> Resolve { get; init; } = new Dictionary<string, IPAddress>();

    /// <summary>Assets:DnsOverrides — like a hosts file: answers for these names, still subject to every address check (for testing SSRF rules).</summary>
    public IReadOnlyDictionary<string, IPAddress> DnsOverrides { get; init; } = new Dictionary<string, IPAddress>();

    public X509Certificate2Collection TrustedCertificates { get; init; } = [];
    public string FfprobePath { get; init; } = "ffprobe";
    public string TempDirectory { get; init; } = Path.GetTempPath();

    public static AssetOptions From(IConfiguration config, string tempDirectory)
    {
        var trusted = new X509Certificate2Collection();
        if (config["Assets:TrustedCaFile"] is { Length: > 0 } caFile) trusted.ImportFromPemFile(caFile);
        return new AssetOptions
        {
            FetchTimeout = TimeSpan.FromSeconds(config.GetValue("Assets:FetchTimeout", 10.0)),
            UserAgent = config["Assets:UserAgent"] ?? "Reelay-AssetFetcher/1.0",
            Resolve = ParsePairs(config["Assets:Resolve"], "Assets:Resolve"),
            DnsOverrides = ParsePairs(config["Assets:DnsOverrides"], "Assets:DnsOverrides"),
            TrustedCertificates = trusted,
            FfprobePath = config["Engines:Preview:FfprobePath"] ?? "ffprobe",
            TempDirectory = tempDirectory,
        };
    }

    /// <summary>"host=address,host2=address2" → a lookup; a malformed entry stops start-up with its name.</summary>
    public static Dictionary<string, IPAddress> ParsePairs(string? value, string setting)
    {
        var result = new Dictionary<string, IPAddress>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = pair.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || parts[0].Length == 0 || !IPAddress.TryParse(parts[1], out var address))
                throw new InvalidOperationException($"{setting}: '{pair}' is not host=address.");
            result[parts[0].TrimEnd('.')] = address;
        }
        return result;
    }

    /// <summary>The byte limit of a body fetched by URL (assets.md).</summary>
    public static long UrlLimit(AssetKind kind) => kind switch
    {
        AssetKind.Image => 16L << 20,
        AssetKind.Video => 32L << 20,
        AssetKind.Audio => 32L << 20,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>The limit on a data URI's whole length, in characters (assets.md).</summary>
    public static long DataUriLimit(AssetKind kind) => kind switch
    {
        AssetKind.Image => 5L << 20,
        AssetKind.Video => 16L << 20,
        AssetKind.Audio => 16L << 20,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public const long UploadLimit = 200L << 20;
    public const long UploadMinimum = 512;

    public static readonly HashSet<string> GenericTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        "application/octet-stream", "binary/octet-stream", "application/binary", "application/unknown",
        "application/x-binary", "application/download", "application/force-download", "*/*", "",
    };

    /// <summary>The canonical media type when it is approved for the kind, else null.</summary>
    public static string? Approved(AssetKind kind, string mediaType) => kind switch
    {
        AssetKind.Image => ImageHeaders.NormalizeMediaType(mediaType),
        AssetKind.Video => VideoProbe.NormalizeMediaType(mediaType),
        AssetKind.Audio => AudioProbe.NormalizeMediaType(mediaType),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>
    /// "type/subtype", trimmed and lowercased, without parameters ("; codecs=…"): a Content-Type header may carry
    /// them and they do not change the type.
    /// </summary>
    public static string Essence(string mediaType)
    {
        ArgumentNullException.ThrowIfNull(mediaType);
        var semicolon = mediaType.IndexOf(';');
        return (semicolon >= 0 ? mediaType[..semicolon] : mediaType).Trim().ToLowerInvariant();
    }
}
