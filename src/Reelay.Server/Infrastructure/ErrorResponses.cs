using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Reelay.Server.Features.Portal;

namespace Reelay.Server.Infrastructure;

/// <summary>
/// Request ids on every response, and error bodies in each surface's shape for what no handler answered (unknown
/// routes, wrong methods, binding failures, unreadable bodies, unexpected exceptions) — never an empty error.
/// </summary>
public static class ErrorResponses
{
    public const string RequestIdHeader = "X-Request-Id";

    private const string LogScopeKey = "reelay.log-scope";

    /// <summary>Adds a field (OrganizationId, TaskId) to every later log line of this request.</summary>
    public static void AddLogField(HttpContext context, string name, string value)
    {
        if (context.Items[LogScopeKey] is Dictionary<string, object> scope) scope[name] = value;
    }

    public static void UseRequestIds(this WebApplication app) => app.Use(async (context, next) =>
    {
        var incoming = context.Request.Headers[RequestIdHeader].ToString();
        var id = incoming.Length is > 0 and <= 128 && incoming.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            ? incoming
            // Traced: the request id is the trace id, so a log line or an error quoted by a user finds the trace.
            : "req_" + (System.Diagnostics.Activity.Current?.TraceId.ToHexString() ?? Guid.NewGuid().ToString("N"));
        System.Diagnostics.Activity.Current?.SetTag("reelay.request.id", id);
        context.TraceIdentifier = id;
        context.Response.Headers[RequestIdHeader] = id;
        // The exception handler clears the response headers before it writes its error; set the id again as it starts.
        context.Response.OnStarting(() =>
        {
            context.Response.Headers[RequestIdHeader] = id;
            return Task.CompletedTask;
        });
        // The scope's dictionary stays open for the request: authentication adds the organization, a create its task id.
        var scope = new Dictionary<string, object> { ["RequestId"] = id };
        context.Items[LogScopeKey] = scope;
        using (app.Logger.BeginScope(scope))
            await next();
    });

    /// <summary>
    /// Kestrel reports some malformed bodies (a chunk size that overflows) as a plain IOException from the body stream,
    /// indistinguishable later from a failing disk. Wrapped here, every reader of the body sees a BadHttpRequestException
    /// (400) instead, which the error handler below answers like any other unreadable request.
    /// </summary>
    public static void UseRequestBodyErrors(this WebApplication app) => app.Use((context, next) =>
    {
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? false)
            context.Request.Body = new RequestBodyErrorStream(context.Request.Body);
        return next(context);
    });

    public static void UseJsonErrors(this WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandler = async context =>
            {
                var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
                var (status, message) = Find<BadHttpRequestException>(error) is { } bad
                    ? (bad.StatusCode, "The request could not be read: " + bad.Message)
                    : DatabaseUnavailable(error) is not null
                        ? (503, DatabaseUnavailableMessage)
                        : (500, "An internal error occurred. Quote the request id " + context.TraceIdentifier + " when you report it.");
                if (status == 503)
                {
                    context.Response.Headers.RetryAfter = ((int)DatabaseRetryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Reelay.Database")
                        .LogWarning("Answered 503: the database is unreachable ({Reason})", DatabaseUnavailable(error)!.Message);
                }
                context.Response.StatusCode = status;
                await WriteAsync(context, status, message);
            },
            // A client's malformed request is not a server error worth a stack trace in the log; an unreachable
            // database is logged once as a warning above (it is an outage, not a defect of this request).
            SuppressDiagnosticsCallback = c => Find<BadHttpRequestException>(c.Exception) is not null || DatabaseUnavailable(c.Exception) is not null,
        });
        app.UseStatusCodePages(async statusContext =>
        {
            var context = statusContext.HttpContext;
            var status = context.Response.StatusCode;
            var message = StatusMessage(status, context.Request.Method, context.Request.Path, status == 404 ? RouteSuggestions.Nearest(context) : null);
            await WriteAsync(context, status, message);
        });
    }

    public const string DatabaseUnavailableMessage = "The server cannot reach its database right now. Retry after the Retry-After delay.";
    public static readonly TimeSpan DatabaseRetryAfter = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A database error the driver calls transient (the server unreachable, restarting or shutting down; SQLite busy):
    /// an outage that passes, answered 503 with Retry-After rather than 500.
    /// </summary>
    public static System.Data.Common.DbException? DatabaseUnavailable(Exception? error) =>
        Find<System.Data.Common.DbException>(error) is { IsTransient: true } transient ? transient : null;

    /// <summary>The text of an error no endpoint wrote itself (an unknown route, a wrong method); /docs/errors quotes it.</summary>
    public static string StatusMessage(int status, string method, string path, string? nearestRoute) => status switch
    {
        400 => "The request could not be read. Send a JSON object with Content-Type: application/json.",
        404 => $"No route matches {method} {path}." + (nearestRoute is null ? "" : $" Did you mean {nearestRoute}?"),
        405 => $"Method {method} is not allowed on {path}.",
        413 => "The request body is too large.",
        415 => "Unsupported content type. Send Content-Type: application/json.",
        _ => $"The request failed with status {status}.",
    };

    /// <summary>The path prefixes of the RunBlob surface's families (and its balance), whose errors carry "detail".</summary>
    public static readonly string[] RunBlobPrefixes = ["/v1/sora", "/v1/data", "/v1/veo", "/v1/kling", "/v1/gemini", "/v1/chatgpt-images"];

    public static bool IsRunBlob(PathString path) => RunBlobPrefixes.Any(prefix => path.StartsWithSegments(prefix));

    /// <summary>The error in the shape of the surface the path belongs to: portal HTML, worker {error, code}, RunBlob {detail}, else {error}.</summary>
    private static Task WriteAsync(HttpContext context, int status, string message)
    {
        var path = context.Request.Path;
        if (path.StartsWithSegments("/portal")) return PortalView.WriteErrorPageAsync(context, status, message);
        if (path.StartsWithSegments("/worker")) return context.Response.WriteAsJsonAsync(new { error = message, code = WorkerCode(status) });
        return IsRunBlob(path) ? context.Response.WriteAsJsonAsync(new { detail = message }) : context.Response.WriteAsJsonAsync(new { error = message });
    }

    /// <summary>The worker protocol's stable codes for the statuses no worker endpoint answered itself.</summary>
    private static string WorkerCode(int status) => status switch
    {
        400 => "invalid_request",
        401 => "unauthorized",
        404 => "unknown_route", // not "not_found": that one means the task named in a route does not exist
        405 => "method_not_allowed",
        413 => "too_large",
        415 => "unsupported_media_type",
        >= 500 => "internal",
        _ => "error",
    };

    private static T? Find<T>(Exception? error) where T : Exception
    {
        for (var e = error; e is not null; e = e.InnerException)
            if (e is T found) return found;
        return null;
    }
}
