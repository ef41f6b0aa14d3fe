using System.Net;
using System.Text.RegularExpressions;

namespace Reelay.Tests.Portal;

/// <summary>A browser without a browser: an HttpClient with its own cookie jar that signs in and posts portal forms.</summary>
public sealed partial class PortalClient : IDisposable
{
    private readonly HttpClient _http;

    public PortalClient(Uri baseUrl)
    {
        Cookies = new CookieContainer();
        _http = new HttpClient(new HttpClientHandler { CookieContainer = Cookies, AllowAutoRedirect = false }) { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(60) };
    }

    public CookieContainer Cookies { get; }

    /// <summary>The CSRF token of the last page read, as its forms carry it.</summary>
    public string? CsrfToken { get; private set; }

    [GeneratedRegex("name=\"_csrf\" value=\"([^\"]+)\"")]
    private static partial Regex CsrfField();

    public static async Task<PortalClient> SignInAsync(Uri baseUrl, string key)
    {
        var client = new PortalClient(baseUrl);
        var response = await client.SignInResponseAsync(key);
        Assert.True(response.StatusCode == HttpStatusCode.SeeOther, $"sign-in answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return client;
    }

    public async Task<HttpResponseMessage> SignInResponseAsync(string key)
    {
        await GetAsync("/portal/sign-in");
        return await PostAsync("/portal/sign-in", new() { ["key"] = key });
    }

    public async Task<(HttpStatusCode Status, string Html)> GetAsync(string path)
    {
        using var response = await _http.GetAsync(path);
        var html = await response.Content.ReadAsStringAsync();
        if (CsrfField().Match(html) is { Success: true } match) CsrfToken = WebUtility.HtmlDecode(match.Groups[1].Value);
        return (response.StatusCode, html);
    }

    /// <summary>Posts a form with the current CSRF token unless the fields say otherwise (a missing or forged token).</summary>
    public Task<HttpResponseMessage> PostAsync(string path, Dictionary<string, string> fields, bool withToken = true)
    {
        if (withToken && !fields.ContainsKey("_csrf") && CsrfToken is not null) fields["_csrf"] = CsrfToken;
        return _http.PostAsync(path, new FormUrlEncodedContent(fields));
    }

    /// <summary>Posts any body with this client's cookies (a form the browser would never send).</summary>
    public Task<HttpResponseMessage> PostContentAsync(string path, HttpContent content) => _http.PostAsync(path, content);

    public void Dispose() => _http.Dispose();
}
