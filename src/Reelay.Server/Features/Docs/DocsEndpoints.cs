using System.Net;
using System.Text;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Docs;

public static class DocsEndpoints
{
    /// <summary>The absolute docUrl for an error section, on this server.</summary>
    public static string Url(HttpContext context, DocAnchor anchor)
    {
        var baseUrl = context.RequestServices.GetRequiredService<PublicUrls>().BaseUrl(context);
        return $"{baseUrl}/docs/errors#{anchor.Id}";
    }

    public static void MapDocs(this IEndpointRouteBuilder app)
    {
        var html = Render();
        app.MapGet("/docs/errors", (HttpContext http) =>
        {
            // Plain HTML with one inline stylesheet: nothing else may load or run.
            http.Response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
            return Results.Content(html, "text/html; charset=utf-8");
        }).ExcludeFromDescription();
        app.MapApiReference();
        // The server's front door: a browser goes to the portal, an API client gets the links it needs.
        app.MapGet("/", (HttpContext http, PublicUrls urls) =>
        {
            if (http.Request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase)) return Results.Redirect("/portal");
            var root = urls.BaseUrl(http);
            return Results.Json(new
            {
                name = "Reelay",
                description = "A self-hosted generative-video API server: the Runway and RunBlob APIs, served locally.",
                links = new { apiReference = $"{root}/docs", openapi = $"{root}/openapi/v1.json", errors = $"{root}/docs/errors", portal = $"{root}/portal", health = $"{root}/healthz" },
            });
        }).ExcludeFromDescription();
    }

    private static string Render()
    {
        static string E(string s) => WebUtility.HtmlEncode(s);
        var sb = new StringBuilder();
        sb.Append("""
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Reelay: errors and troubleshooting</title>
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <style>body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;color:#222}
            table{border-collapse:collapse;width:100%;margin:.5rem 0 2rem}td,th{border:1px solid #ddd;padding:.4rem;vertical-align:top;text-align:left}
            th{background:#f5f5f5}code{background:#f3f3f3;padding:0 .2rem}h2{margin-top:2.5rem}</style></head><body>
            <h1>Errors and troubleshooting</h1>
            <p>Every error this server returns, why it happens and how to fix it. The API reference, generated from the model
            catalog, is at <a href="/docs">/docs</a> (machine-readable: <a href="/openapi/v1.json">/openapi/v1.json</a>). Runway-surface errors are
            <code>{"error": "…", "docUrl": "…", "issues": [...]}</code>; each <code>docUrl</code> links to a section below.
            Every response carries <code>X-Request-Id</code>: quote it when you report a problem.</p><ul>
            """);
        foreach (var section in ErrorReference.Sections) sb.Append($"<li><a href=\"#{section.Anchor.Id}\">{E(section.Title)}</a></li>");
        sb.Append("</ul>");
        foreach (var section in ErrorReference.Sections)
        {
            sb.Append($"<h2 id=\"{section.Anchor.Id}\">{E(section.Title)}</h2><p>{E(section.Intro)}</p>");
            sb.Append("<table><tr><th>Status</th><th>Message</th><th>Cause</th><th>Fix</th></tr>");
            foreach (var entry in section.Entries)
                sb.Append($"<tr><td>{E(entry.Status)}</td><td><code>{E(entry.Message)}</code></td><td>{E(entry.Cause)}</td><td>{E(entry.Fix)}</td></tr>");
            sb.Append("</table>");
        }
        sb.Append("</body></html>");
        return sb.ToString();
    }
}
