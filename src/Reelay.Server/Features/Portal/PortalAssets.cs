using System.Security.Cryptography;
using System.Text;

namespace Reelay.Server.Features.Portal;

/// <summary>
/// The portal's only static files (Features/Portal/Assets), embedded in the assembly: nothing comes from a CDN, nothing depends on the
/// content root, and the Content-Security-Policy can forbid every inline script and style.
/// </summary>
public static class PortalAssets
{
    private static readonly Dictionary<string, (string ContentType, byte[] Bytes, string ETag)> Files = new()
    {
        ["portal.css"] = Entry("text/css; charset=utf-8", Read("portal.css")),
        ["portal.js"] = Entry("text/javascript; charset=utf-8", Read("portal.js")),
    };

    /// <summary>The embedded file Features/Portal/Assets/NAME (see the .csproj).</summary>
    public static string Read(string name)
    {
        using var stream = typeof(PortalAssets).Assembly.GetManifestResourceStream("portal-assets/" + name)
            ?? throw new InvalidOperationException($"The portal asset {name} is not embedded.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static (string, byte[], string) Entry(string contentType, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return (contentType, bytes, "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes))[..16] + "\"");
    }

    public static IResult Serve(HttpContext http, string name)
    {
        if (!Files.TryGetValue(name, out var file)) return Results.NotFound();
        http.Response.Headers.CacheControl = "public, max-age=3600";
        http.Response.Headers.ETag = file.ETag;
        if (http.Request.Headers.IfNoneMatch == file.ETag) return Results.StatusCode(304);
        return Results.Bytes(file.Bytes, file.ContentType);
    }
}
