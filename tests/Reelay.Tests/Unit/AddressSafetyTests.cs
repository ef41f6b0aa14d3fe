using System.Net;
using Reelay.Server.Features.Assets;

namespace Reelay.Tests.Unit;

public class AddressSafetyTests
{
    private const string Invalid = AssetRules.InvalidUrl;
    private const string Https = AssetRules.OnlyHttps;
    private const string Domain = AssetRules.HostedOnDomain;

    /// <summary>Every URL form with the reason assets.md gives it; null means the URL passes the text checks.</summary>
    public static TheoryData<string, string?> UrlCorpus => new()
    {
        // 127.0.0.1 in every IPv4 spelling WHATWG and inet_aton accept
        { "https://127.0.0.1/", Domain },
        { "https://2130706433/", Domain },
        { "https://0x7f000001/", Domain },
        { "https://017700000001/", Domain },
        { "https://0x7f.1/", Domain },
        { "https://0177.0.0.1/", Domain },
        { "https://0177.0.0.01/", Domain },
        { "https://127.1/", Domain },
        { "https://127.0.1/", Domain },
        { "https://0x7f.0x0.0x0.0x1/", Domain },
        { "https://127.0.0.1./", Domain },
        { "https://127.0.0.1:8443/x", Domain },
        { "https://0x/", Domain },
        { "https://1.2.3.4.5/", Domain },
        { "https://example.0x1/", Domain },
        // 10.0.0.1 and the metadata address 169.254.169.254
        { "https://10.0.0.1/", Domain },
        { "https://167772161/", Domain },
        { "https://0xa.1/", Domain },
        { "https://012.0.0.1/", Domain },
        { "https://10.1/", Domain },
        { "https://169.254.169.254/latest/meta-data/", Domain },
        { "https://2852039166/", Domain },
        { "https://0xa9fea9fe/", Domain },
        { "https://0251.0376.0251.0376/", Domain },
        { "https://169.254.43518/", Domain },
        { "https://0xa9.0xfe.0xa9.0xfe/", Domain },
        // IPv6 literals, zone ids and IPv4-embedding forms
        { "https://[::1]/", Domain },
        { "https://[::1]:443/", Domain },
        { "https://[::]/", Domain },
        { "https://[fe80::1%25eth0]/", Domain },
        { "https://[::ffff:127.0.0.1]/", Domain },
        { "https://[::ffff:7f00:1]/", Domain },
        { "https://[0:0:0:0:0:ffff:7f00:1]/", Domain },
        { "https://[64:ff9b::7f00:1]/", Domain },
        { "https://[2002:7f00:1::]/", Domain },
        { "https://[fd00::1]/", Domain },
        { "https://[2606:4700:4700::1111]/", Domain },
        // percent-encoded and Unicode look-alike spellings
        { "https://%31%32%37.0.0.1/", Domain },
        { "https://127%2e0%2e0%2e1/", Domain },
        { "https://%5B%3A%3A1%5D/", Domain },
        { "https://１２７.０.０.１/", Domain },
        { "https://127。0。0。1/", Domain },
        { "https://０ｘ７ｆ.１/", Domain },
        { "https://𝟏𝟐𝟕.0.0.1/", Domain },
        { "https://127.0.0.1／x/", Invalid },
        { "https://example.com＠127.0.0.1/", Domain }, // "＠" folds to "@"; the folded host ends in a number
        { "https://ex%41mple.com/", Invalid },
        { "https://%zz.example.com/", Invalid },
        // userinfo, however short; the part before @ never decides the host
        { "https://user:pass@example.com/", Invalid },
        { "https://user@example.com/", Invalid },
        { "https://@example.com/", Invalid },
        { "https://example.com@127.0.0.1/", Invalid },
        { "https://[::1]@example.com/", Invalid },
        // other schemes
        { "http://example.com/a.png", Https },
        { "http://127.0.0.1/", Https },
        { "ftp://example.com/a.png", Https },
        { "file:///etc/passwd", Https },
        { "gopher://127.0.0.1:25/", Https },
        { "data:image/png;base64,iVBORw0KGgo=", Https },
        { "javascript:alert(1)", Https },
        { "HTTP://example.com/", Https },
        // malformed
        { "", Invalid },
        { "example.com/a.png", Invalid },
        { "//example.com/a.png", Invalid },
        { "/etc/passwd", Invalid },
        { "https://", Invalid },
        { "https:///path", Invalid },
        { "https:/example.com/", Invalid },
        { "https:example.com/", Invalid },
        { "https:\\\\127.0.0.1\\", Invalid },
        { "https:\\\\example.com/", Invalid },
        { "https://example.com\\@127.0.0.1/", Invalid },
        { "https://example.com:99999/", Invalid },
        { "https://example.com:0/", Invalid },
        { "https://example.com:80:80/", Invalid },
        { "https://example.com:x/", Invalid },
        { "https://[::1/", Invalid },
        { "https://[::1]x/", Invalid },
        { " https://example.com/", Invalid },
        { "https://example.com/a b.png", Invalid },
        { "https://exam\tple.com/", Invalid },
        { "https://127.0.0.\n1/", Invalid },
        { "https://exa\u00ADmple.com/", Invalid },
        { "https://a..b/", Invalid },
        { "https://xn--bücher.example/", Invalid }, // Uri.TryCreate accepts it, then Uri.IdnHost throws
        { "https://example.com/" + new string('a', 2049 - 20), Invalid },
        // genuine domains
        { "https://example.com/a.png", null },
        { "HTTPS://EXAMPLE.COM/a.png", null },
        { "https://cdn.example.co.uk:8443/x?y=1#z", null },
        { "https://xn--bcher-kva.example/", null },
        { "https://bücher.example/image.png", null },
        { "https://BÜCHER.example/image.png", null },
        { "https://example.com./a.png", null },
        { "https://example.com:/a.png", null },
        { "https://127.0.0.1.nip.io/a.png", null },
        { "https://0x7f.example/a.png", null },
        { "https://example.com/?next=@127.0.0.1#@127.0.0.1", null },
    };

    [Theory]
    [MemberData(nameof(UrlCorpus))]
    public void Each_url_form_gets_the_reason_assets_md_gives_it(string url, string? reason)
    {
        var (uri, actual) = AddressSafety.CheckUrl(url);
        Assert.Equal(reason, actual);
        Assert.Equal(reason is null, uri is not null);
    }

    [Fact]
    public void The_url_corpus_is_large_enough_to_mean_something() => Assert.True(UrlCorpus.Count >= 40);

    [Fact]
    public void A_url_of_exactly_2048_characters_passes_and_one_more_is_invalid()
    {
        var url = "https://example.com/" + new string('a', AssetRules.MaxHttpsUriChars - 20);
        Assert.Equal(AssetRules.MaxHttpsUriChars, url.Length);
        Assert.Null(AddressSafety.CheckUrl(url).Reason);
        Assert.Equal(AssetRules.InvalidUrl, AddressSafety.CheckUrl(url + "a").Reason);
    }

    [Fact]
    public void A_passing_url_comes_back_parsed_with_its_host_and_port()
    {
        var (uri, reason) = AddressSafety.CheckUrl("https://CDN.example.co.uk:8443/x?y=1#z");
        Assert.Null(reason);
        Assert.Equal(("https", "cdn.example.co.uk", 8443, "/x", "?y=1"), (uri!.Scheme, uri.Host, uri.Port, uri.AbsolutePath, uri.Query));
    }

    [Fact]
    public void An_idn_host_comes_back_with_its_punycode_form_for_dns()
    {
        var (uri, _) = AddressSafety.CheckUrl("https://bücher.example/");
        Assert.Equal("xn--bcher-kva.example", uri!.IdnHost);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("2130706433")]
    [InlineData("0x7f.1")]
    [InlineData("0177.0.0.1")]
    [InlineData("127.1")]
    [InlineData("0x7f000001")]
    [InlineData("127.0.0.1.")]
    [InlineData("0X7F.1")]
    [InlineData("4294967296")]
    [InlineData("999.999.999.999")]
    [InlineData("foo.123")]
    [InlineData("[::1]")]
    [InlineData("::1")]
    [InlineData("[fe80::1%25eth0]")]
    [InlineData("[::ffff:127.0.0.1]")]
    [InlineData("[0:0:0:0:0:ffff:7f00:1]")]
    [InlineData("%31%32%37.0.0.1")]
    [InlineData("%5b%3a%3a1%5d")]
    [InlineData("１２７.０.０.１")]
    [InlineData("０ｘ７ｆ.１")]
    [InlineData("127。0。0。1")]
    [InlineData("𝟏𝟐𝟕.0.0.1")]
    public void Ip_addresses_in_any_spelling_are_ip_literals(string host) => Assert.True(AddressSafety.IsIpLiteral(host));

    [Theory]
    [InlineData("")]
    [InlineData("example.com")]
    [InlineData("example.com.")]
    [InlineData("127.0.0.1.nip.io")]
    [InlineData("0x7f.example")]
    [InlineData("1password.com")]
    [InlineData("xn--bcher-kva.example")]
    [InlineData("bücher.example")]
    [InlineData("localhost")]
    public void Domain_names_are_not_ip_literals(string host) => Assert.False(AddressSafety.IsIpLiteral(host));

    public static TheoryData<string, bool> Addresses => new()
    {
        { "127.0.0.1", false }, { "127.255.255.254", false }, { "::1", false },
        { "0.0.0.0", false }, { "0.1.2.3", false }, { "::", false },
        { "10.0.0.1", false }, { "10.255.255.255", false },
        { "172.16.0.1", false }, { "172.31.255.255", false },
        { "192.168.0.1", false }, { "192.168.255.255", false },
        { "169.254.0.1", false }, { "169.254.169.254", false }, { "fe80::1", false }, { "febf::1", false },
        { "100.64.0.1", false }, { "100.127.255.255", false },
        { "224.0.0.1", false }, { "239.255.255.250", false }, { "ff02::1", false }, { "ff0e::1", false },
        { "255.255.255.255", false }, { "240.0.0.1", false },
        { "192.0.0.8", false }, { "192.0.2.1", false }, { "198.51.100.7", false }, { "203.0.113.9", false }, { "2001:db8::1", false },
        { "198.18.0.1", false }, { "198.19.255.255", false }, { "192.88.99.1", false },
        { "fc00::1", false }, { "fd12:3456::1", false }, { "fec0::1", false },
        { "::ffff:127.0.0.1", false }, { "::ffff:8.8.8.8", false }, { "::127.0.0.1", false }, { "::8.8.8.8", false },
        { "64:ff9b::7f00:1", false }, { "64:ff9b::808:808", false }, { "64:ff9b:1::1", false },
        { "2002:7f00:1::", false }, { "2002:808:808::1", false }, { "2001::1", false }, { "2001:0:4136:e378::1", false },
        { "2001:10::1", false }, { "2001:20::1", false }, { "100::1", false }, { "3fff::1", false }, { "4000::1", false },
        { "8.8.8.8", true }, { "1.1.1.1", true }, { "93.184.216.34", true }, { "172.32.0.1", true }, { "100.128.0.1", true },
        { "192.0.1.1", true }, { "2606:4700:4700::1111", true }, { "2a00:1450:4001:80b::200e", true }, { "2001:4860:4860::8888", true },
    };

    [Theory]
    [MemberData(nameof(Addresses))]
    public void Only_genuinely_global_unicast_addresses_are_public(string address, bool expected) =>
        Assert.Equal(expected, AddressSafety.IsPublic(IPAddress.Parse(address)));

    [Fact]
    public void A_link_local_address_with_a_zone_id_is_still_not_public() =>
        Assert.False(AddressSafety.IsPublic(IPAddress.Parse("fe80::1%2")));

    [Fact]
    public void A_public_v6_address_with_a_scope_id_is_judged_by_its_bytes() =>
        Assert.True(AddressSafety.IsPublic(IPAddress.Parse("2606:4700:4700::1111%3")));

    [Fact]
    public void Names_longer_than_dns_carries_are_invalid_urls_and_do_not_reach_the_resolver()
    {
        static string Name(int labels, int length) => string.Join(".", Enumerable.Repeat(new string('a', length), labels));
        Assert.Equal(Invalid, AddressSafety.CheckUrl($"https://{Name(5, 60)}.com/a.png").Reason); // 304 characters
        Assert.Equal(Invalid, AddressSafety.CheckUrl($"https://{Name(1, 64)}.com/a.png").Reason); // one label over 63
        Assert.Null(AddressSafety.CheckUrl($"https://{Name(4, 62)}.a/a.png").Reason);          // exactly 253
        Assert.False(AddressSafety.IsDnsLength(Name(4, 63) + ".a"));
    }
}
