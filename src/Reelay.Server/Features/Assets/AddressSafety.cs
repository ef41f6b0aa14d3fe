using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Reelay.Server.Features.Assets;

/// <summary>
/// The URL-text and address checks of assets.md ("Address safety (SSRF)"). The host is judged on the text the
/// user wrote, not on what System.Uri made of it: Uri silently turns "0x7f.1", "2130706433" or "127。0。0。1" into
/// 127.0.0.1, keeps "127.0.0.1." as a DNS name, accepts "https:\\host" and " https://host/", and reports an empty
/// userinfo ("https://@host/") as none. Browsers (WHATWG) and resolvers read those differently, so we parse the
/// authority ourselves and then insist that Uri agrees with us.
/// </summary>
public static class AddressSafety
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The URL text checks, in the order of assets.md. Returns the parsed absolute Uri when all pass.</summary>
    public static (Uri? Uri, string? Reason) CheckUrl(string url)
    {
        if (string.IsNullOrEmpty(url) || url.Length > AssetRules.MaxHttpsUriChars) return (null, AssetRules.InvalidUrl);
        // WHATWG strips tabs/newlines and trims spaces, Uri trims too: "https://127.0.0.\n1/" must not slip through.
        // Format characters (soft hyphen, zero-width, bidi overrides) and lone surrogates only serve to disguise a host.
        foreach (var rune in url.EnumerateRunes())
            if (Rune.IsControl(rune) || Rune.IsWhiteSpace(rune) || rune == Rune.ReplacementChar
                || Rune.GetUnicodeCategory(rune) == UnicodeCategory.Format)
                return (null, AssetRules.InvalidUrl);

        var colon = url.IndexOf(':');
        if (colon <= 0 || !IsScheme(url.AsSpan(0, colon))) return (null, AssetRules.InvalidUrl);
        if (!url.AsSpan(0, colon).Equals("https", StringComparison.OrdinalIgnoreCase))
            // Only a URL that parses at all earns the scheme message ("http://" alone is just invalid).
            return (null, Uri.TryCreate(url, UriKind.Absolute, out _) ? AssetRules.OnlyHttps : AssetRules.InvalidUrl);

        // WHATWG reads "\" as "/" in https URLs and Uri follows it ("https:\\evil" → evil); RFC 3986 does not.
        // A backslash has no legitimate use in an asset URL, so any parser disagreement is refused outright.
        if (url.Contains('\\') || !url.AsSpan(colon + 1).StartsWith("//")) return (null, AssetRules.InvalidUrl);
        var start = colon + 3;
        var end = url.IndexOfAny(['/', '?', '#'], start);
        var authority = end < 0 ? url[start..] : url[start..end];
        // Any "@" means userinfo, even an empty one; "https://example.com@127.0.0.1/" goes to 127.0.0.1.
        if (authority.Length == 0 || authority.Contains('@')) return (null, AssetRules.InvalidUrl);

        string host, port;
        if (authority[0] == '[')
        {
            var close = authority.IndexOf(']');
            if (close < 0) return (null, AssetRules.InvalidUrl);
            host = authority[..(close + 1)];
            var rest = authority[(close + 1)..];
            // Uri reads "https://[::1]x/" as host [::1] with path "x/"; we do not guess.
            if (rest.Length > 0 && rest[0] != ':') return (null, AssetRules.InvalidUrl);
            port = rest.Length > 0 ? rest[1..] : "";
        }
        else
        {
            var portColon = authority.IndexOf(':');
            host = portColon < 0 ? authority : authority[..portColon];
            port = portColon < 0 ? "" : authority[(portColon + 1)..];
        }

        var portNumber = 443;
        if (port.Length > 0 && (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out portNumber)
                                || portNumber is < 1 or > 65535))
            return (null, AssetRules.InvalidUrl);
        if (host.Length == 0 || PercentDecode(host) is null) return (null, AssetRules.InvalidUrl);

        if (IsIpLiteral(host)) return (null, AssetRules.HostedOnDomain);
        // Look-alikes of delimiters ("／", "＠", "：") are delimiters to WHATWG's IDNA mapping and plain letters to Uri.
        if (Fold(host).AsSpan().IndexOfAny("/\\?#@:[]<>^|% ") >= 0) return (null, AssetRules.InvalidUrl);

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)) return (null, AssetRules.InvalidUrl);
        // Uri accepts some hosts whose IdnHost (what DNS gets) then throws, e.g. "xn--bücher"; refuse those here.
        string idnHost;
        try { idnHost = uri.IdnHost; }
        catch (UriFormatException) { return (null, AssetRules.InvalidUrl); }
        if (!IsDnsLength(idnHost)) return (null, AssetRules.InvalidUrl);
        // Defence in depth: should Uri ever find an address where we found a name, the address wins.
        if (uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6 || IsIpLiteral(uri.Host) || IsIpLiteral(idnHost))
            return (null, AssetRules.HostedOnDomain);
        // The fetcher connects to what Uri says, so Uri must have read exactly the host, port and (no) userinfo we checked.
        if (uri.HostNameType != UriHostNameType.Dns || !uri.Scheme.Equals("https", StringComparison.Ordinal)
            || !host.Equals(uri.Host, StringComparison.OrdinalIgnoreCase) || uri.Port != portNumber || uri.UserInfo.Length > 0)
            return (null, AssetRules.InvalidUrl);
        return (uri, null);
    }

    public const int MaxDnsNameLength = 253;
    public const int MaxDnsLabelLength = 63;

    /// <summary>
    /// A name DNS can carry: at most 253 characters (the trailing dot aside) in labels of at most 63. Longer ones are
    /// not names any resolver will answer, and the system resolver throws on them instead of saying "not found".
    /// </summary>
    public static bool IsDnsLength(string host)
    {
        var name = host.EndsWith('.') ? host[..^1] : host;
        return name.Length is > 0 and <= MaxDnsNameLength && name.Split('.').All(label => label.Length <= MaxDnsLabelLength);
    }

    /// <summary>
    /// True when the host text, as written in the URL, is an IP address in any spelling: bracketed IPv6 (zone ids,
    /// embedded IPv4), WHATWG IPv4 with 1–4 decimal/octal/hex parts, trailing dots, percent-encoding, fullwidth digits.
    /// </summary>
    public static bool IsIpLiteral(string host)
    {
        if (string.IsNullOrEmpty(host)) return false;
        var text = PercentDecode(host) ?? host;
        // RFC 3986 calls any bracketed host an IP-literal (IPv6 or IPvFuture); none of them is a domain.
        if (text.StartsWith('[') || text.StartsWith("%5b", StringComparison.OrdinalIgnoreCase)) return true;
        if (text.Contains(':')) return IPAddress.TryParse(text, out _);

        text = Fold(text).TrimEnd('.');
        if (text.Length == 0) return false;
        // .NET's own parser also accepts inet_aton spellings; whatever it calls an address is one.
        if (IPAddress.TryParse(text, out _)) return true;
        // WHATWG "ends in a number": a numeric last label makes the host IPv4, valid or not ("1.2.3.4.5", "x.0x1",
        // "0x" = 0.0.0.0). Real TLDs are never numeric, so refusing these costs no genuine domain.
        var last = text[(text.LastIndexOf('.') + 1)..];
        if (last.StartsWith("0x", StringComparison.Ordinal)) return last[2..].All(char.IsAsciiHexDigit);
        return last.All(char.IsAsciiDigit);
    }

    /// <summary>False for every refused range (loopback, private, link-local, CGNAT, special-purpose, IPv4-embedding
    /// IPv6 forms, …); true only for genuinely global unicast addresses.</summary>
    public static bool IsPublic(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        // Raw bytes, not System.Net.IPNetwork: its Contains() unwraps IPv4-mapped addresses, so it finds
        // ::ffff:8.8.8.8 inside 2000::/3 and ::ffff:127.0.0.1 outside ::ffff:0:0/96. Bytes also ignore scope ids.
        var bytes = address.GetAddressBytes();
        if (address.AddressFamily == AddressFamily.InterNetwork) return !RefusedV4.Any(n => n.Contains(bytes));
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return false;
        // IPv6 global unicast is 2000::/3; everything outside it (::/8 with its IPv4-mapped/compatible/NAT64 forms,
        // 100::/8, ULA, link- and site-local, multicast, unassigned space) is never a public asset host.
        return GlobalUnicast.Contains(bytes) && !RefusedV6.Any(n => n.Contains(bytes));
    }

    private readonly record struct Prefix(byte[] Bytes, int Bits)
    {
        public bool Contains(byte[] address)
        {
            if (address.Length != Bytes.Length) return false;
            for (var bit = 0; bit < Bits; bit += 8)
            {
                var mask = (byte)(0xFF << Math.Max(0, 8 - (Bits - bit)));
                if ((address[bit / 8] & mask) != (Bytes[bit / 8] & mask)) return false;
            }
            return true;
        }
    }

    private static readonly Prefix GlobalUnicast = Networks("2000::/3")[0];

    // IANA IPv4 special-purpose registry, plus private, multicast and reserved space.
    private static readonly Prefix[] RefusedV4 = Networks(
        "0.0.0.0/8",        // "this network", unspecified
        "10.0.0.0/8",       // private
        "100.64.0.0/10",    // CGNAT shared address space
        "127.0.0.0/8",      // loopback
        "169.254.0.0/16",   // link-local, incl. the 169.254.169.254 cloud metadata service
        "172.16.0.0/12",    // private
        "192.0.0.0/24",     // IETF protocol assignments
        "192.0.2.0/24",     // documentation TEST-NET-1
        "192.88.99.0/24",   // 6to4 relay anycast
        "192.168.0.0/16",   // private
        "198.18.0.0/15",    // benchmarking
        "198.51.100.0/24",  // documentation TEST-NET-2
        "203.0.113.0/24",   // documentation TEST-NET-3
        "224.0.0.0/4",      // multicast
        "240.0.0.0/4");     // reserved, incl. broadcast 255.255.255.255

    // Listed for the record even where 2000::/3 already excludes them, so a reader can check the brief's ranges here.
    private static readonly Prefix[] RefusedV6 = Networks(
        "::/96",            // unspecified, loopback, IPv4-compatible
        "::ffff:0:0/96",    // IPv4-mapped
        "64:ff9b::/96",     // NAT64 well-known prefix
        "64:ff9b:1::/48",   // NAT64 local-use
        "100::/64",         // discard-only
        "2001::/23",        // IETF protocol assignments: Teredo 2001::/32, benchmarking 2001:2::/48, ORCHID 2001:10::/28, ORCHIDv2 2001:20::/28
        "2001:db8::/32",    // documentation
        "2002::/16",        // 6to4, embeds IPv4
        "3fff::/20",        // documentation (RFC 9637)
        "fc00::/7",         // unique local
        "fe80::/10",        // link-local
        "fec0::/10",        // site-local (deprecated)
        "ff00::/8");        // multicast

    private static Prefix[] Networks(params string[] cidrs) =>
        [.. cidrs.Select(c => c.Split('/')).Select(p => new Prefix(IPAddress.Parse(p[0]).GetAddressBytes(), int.Parse(p[1], CultureInfo.InvariantCulture)))];

    private static bool IsScheme(ReadOnlySpan<char> scheme)
    {
        if (!char.IsAsciiLetter(scheme[0])) return false;
        foreach (var ch in scheme)
            if (!char.IsAsciiLetterOrDigit(ch) && ch is not ('+' or '-' or '.')) return false;
        return true;
    }

    /// <summary>Decodes %XX escapes as UTF-8; null when an escape is malformed or the bytes are not UTF-8.</summary>
    private static string? PercentDecode(string text)
    {
        if (!text.Contains('%')) return text;
        var bytes = new List<byte>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '%') { bytes.AddRange(Encoding.UTF8.GetBytes(text[i].ToString())); continue; }
            if (i + 2 >= text.Length || !byte.TryParse(text.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b))
                return null;
            bytes.Add(b);
            i += 2;
        }
        try { return StrictUtf8.GetString([.. bytes]); }
        catch (ArgumentException) { return null; }
    }

    /// <summary>
    /// An ASCII skeleton of the host as WHATWG's IDNA mapping would see it. With InvariantGlobalization, IdnMapping and
    /// string.Normalize do no UTS #46 mapping, so "１２７.０.０.１" would stay a "domain"; fold the look-alikes ourselves:
    /// fullwidth ASCII, the Unicode full stops, and any character with an integer numeric value (𝟏, ①, ١) to its digits.
    /// </summary>
    private static string Fold(string host)
    {
        var sb = new StringBuilder(host.Length);
        foreach (var rune in host.EnumerateRunes())
        {
            var v = rune.Value;
            if (v < 0x80) sb.Append(char.ToLowerInvariant((char)v));
            else if (v is >= 0xFF01 and <= 0xFF5E) sb.Append(char.ToLowerInvariant((char)(v - 0xFEE0)));
            else if (v is 0x3002 or 0xFF61 or 0xFE52 or 0x2024) sb.Append('.');
            else if (Rune.GetNumericValue(rune) is var n and >= 0 && n == Math.Floor(n))
                sb.Append(((long)n).ToString(CultureInfo.InvariantCulture));
            else sb.Append(rune.ToString());
        }
        return sb.ToString();
    }
}
