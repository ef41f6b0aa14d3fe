using Microsoft.AspNetCore.Diagnostics;

namespace Reelay.Server.Infrastructure;

/// <summary>
/// Request ids on every response, and JSON error bodies for what no handler answered (unknown routes,
/// wrong methods, binding failures, unexpected exceptions) — never an empty or HTML error.
/// </summary>
public static class ErrorResponses
{
    public const string RequestIdHeader = "X-Request-Id";

    public static void UseRequestIds(this WebApplication app) => app.Use(async (context, next) =>
    {
        var incoming = context.Request.Headers[RequestIdHeader].ToString();
        var id = incoming.Length is > 0 and <= 128 && incoming.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            ? incoming
            : "req_" + Guid.NewGuid().ToString("N");
        context.TraceIdentifier = id;
        context.Response.Headers[RequestIdHeader] = id;
        using (app.Logger.BeginScope(new Dictionary<string, object> { ["RequestId"] = id }))
            await next();
    });

    public static void UseJsonErrors(this WebApplication app)
    {
        app.UseExceptionHandler(handler => handler.Run(async context =>
        {
            var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
            var (status, message) = error switch
            {
                BadHttpRequestException bad => (bad.StatusCode, "The request could not be read: " + bad.Message),
                _ => (500, "An internal error occurred. Quote the request id " + context.TraceIdentifier + " when you report it."),
            };
            context.Response.StatusCode = status;
            await context.Response.WriteAsJsonAsync(Body(context.Request.Path, message));
        }));
        app.UseStatusCodePages(async statusContext =>
        {
            var context = statusContext.HttpContext;
            var message = context.Response.StatusCode switch
            {
                400 => "The request could not be read. Send a JSON object with Content-Type: application/json.",
                404 => $"No route matches {context.Request.Method} {context.Request.Path}.",
                405 => $"Method {context.Request.Method} is not allowed on {context.Request.Path}.",
                413 => "The request body is too large.",
                415 => "Unsupported content type. Send Content-Type: application/json.",
                _ => $"The request failed with status {context.Response.StatusCode}.",
            };
            await context.Response.WriteAsJsonAsync(Body(context.Request.Path, message));
        });
    }

    /// <summary>Each surface's error shape: RunBlob routes use "detail", everything else "error".</summary>
    public static object Body(PathString path, string message) =>
        path.StartsWithSegments("/v1/sora") || path.StartsWithSegments("/v1/data") ? new { detail = message } : new { error = message };
}
