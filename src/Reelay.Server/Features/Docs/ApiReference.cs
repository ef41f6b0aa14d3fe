using Scalar.AspNetCore;

namespace Reelay.Server.Features.Docs;

/// <summary>
/// /docs: the OpenAPI document rendered by Scalar. Everything it loads comes from this server (Scalar.AspNetCore
/// embeds its standalone bundle and serves it under /docs/), so the page works with no internet access, and a
/// Content-Security-Policy as strict as the portal's holds it to that: scripts only from here or with the
/// per-request nonce Scalar puts on its inline module, connections only to this origin.
/// </summary>
public static class ApiReference
{
    public const string Path = "/docs";

    // Scalar's Vue components set style attributes and inject <style> elements at run time, so styles need
    // 'unsafe-inline'; scripts do not (they carry the nonce), which is what the policy is for.
    private const string PolicyTemplate =
        "default-src 'none'; script-src 'self' 'nonce-{0}'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; " +
        "connect-src 'self'; worker-src 'self' blob:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

    public static void MapApiReference(this IEndpointRouteBuilder app)
    {
        app.MapScalarApiReference(Path, options =>
            {
                // The developer toolbar links to Scalar's hosted services (SDK generation, deploys): not this server's.
                options.ShowDeveloperTools = DeveloperToolsVisibility.Never;
                options
                .WithTitle("Reelay API reference")
                .WithOpenApiRoutePattern("/openapi/{documentName}.json")
                .AddPreferredSecuritySchemes(OpenApiRoutes.ApiKeyScheme)
                .DisableDefaultFonts() // Inter and JetBrains Mono would come from Scalar's CDN
                .DisableTelemetry()
                .DisableAgent()
                .DisableMcp()
                .WithNonce();
            })
            .AddEndpointFilter(async (context, next) =>
            {
                var result = await next(context);
                // The handler has run (the nonce is chosen) but its result is not written yet: the header still goes out.
                var http = context.HttpContext;
                var nonce = http.Items[ScalarOptions.NonceHttpContextItemKey] as string;
                if (nonce is not null) http.Response.Headers.ContentSecurityPolicy = string.Format(System.Globalization.CultureInfo.InvariantCulture, PolicyTemplate, nonce);
                http.Response.Headers.XContentTypeOptions = "nosniff";
                http.Response.Headers["Referrer-Policy"] = "same-origin";
                return result;
            });
    }
}
