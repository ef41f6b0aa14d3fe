using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Reelay.Server.Features.Auth;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.RequestLog;

/// <summary>
/// Records every API request: registered right after UseRequestIds, so it sees the request id, the final
/// status (including JSON error pages) and the whole latency. It only copies bytes and enqueues; a
/// failure here is swallowed, because the log must never fail the request it records.
/// </summary>
public static class RequestLogMiddleware
{
    public static void UseRequestLog(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<RequestLogOptions>();
        if (!options.Enabled) return;
        var queue = app.Services.GetRequiredService<RequestLogQueue>();
        var adminToken = app.Services.GetRequiredService<ReelayOptions>().AdminToken;
        var adminHeader = adminToken is null ? null : SHA256.HashData(Encoding.UTF8.GetBytes("Bearer " + adminToken));
        app.Use(async (context, next) =>
        {
            if (!IsApiRequest(context.Request.Path))
            {
                await next();
                return;
            }
            var at = Clock.NowMs();
            var started = Stopwatch.GetTimestamp();
            var request = context.Request;
            var hasBody = context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? request.ContentLength > 0;
            // Multipart bodies are file uploads: only their size is recorded, so they are not copied at all.
            var skip = request.ContentLength > options.CaptureBytes || request.HasFormContentType && !request.ContentType!.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);
            RequestCaptureStream? requestCapture = null;
            var originalRequestBody = request.Body;
            if (hasBody)
            {
                requestCapture = new RequestCaptureStream(originalRequestBody, skip ? 0 : options.CaptureBytes, skip ? 0 : request.ContentLength);
                request.Body = requestCapture;
            }
            var originalResponseBody = context.Response.Body;
            var responseCapture = new ResponseCaptureStream(originalResponseBody, context.Response, options.StoredBodyBytes);
            context.Response.Body = responseCapture;
            var failed = false;
            try
            {
                await next();
            }
            catch
            {
                failed = true;
                throw;
            }
            finally
            {
                request.Body = originalRequestBody;
                context.Response.Body = originalResponseBody;
                try
                {
                    queue.TryEnqueue(Capture(context, options, at, Stopwatch.GetElapsedTime(started).TotalMilliseconds, requestCapture, responseCapture, failed, adminHeader));
                }
                catch (Exception ex)
                {
                    app.Logger.LogWarning(ex, "Could not record request {RequestId} in the request log", context.TraceIdentifier);
                }
            }
        });
    }

    /// <summary>The API surfaces; the portal, docs, health checks and signed video downloads are not API calls.</summary>
    public static bool IsApiRequest(PathString path) =>
        path.StartsWithSegments("/v1") || path.StartsWithSegments("/admin") || path.StartsWithSegments("/uploads");

    private static RequestLogEntry Capture(HttpContext context, RequestLogOptions options, long at, double latencyMs,
        RequestCaptureStream? requestCapture, ResponseCaptureStream responseCapture, bool failed, byte[]? adminHeader)
    {
        var request = context.Request;
        var caller = Caller.Find(context);
        var status = failed ? 500 : context.Response.StatusCode;
        byte[]? raw = null;
        string? note = null;
        long bytes = 0;
        if (requestCapture is not null)
        {
            bytes = Math.Max(requestCapture.BytesRead, request.ContentLength ?? 0);
            raw = requestCapture.Captured;
            if (raw is { Length: 0 }) raw = null;
            if (bytes > 0 && raw is null)
                note = request.HasFormContentType ? "not kept: a multipart upload (only its size is logged)" : "not kept: larger than RequestLog:CaptureBytes";
            else if (!requestCapture.ReachedEnd && request.ContentLength > requestCapture.BytesRead)
                note = requestCapture.BytesRead == 0 ? "not read: the server answered before reading the body" : null;
        }
        var routePattern = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;
        var path = Shorten(request.Path.Value ?? "/", 512);
        return new RequestLogEntry
        {
            At = at,
            OrgId = caller?.OrgId,
            KeyId = caller?.KeyId,
            KeyPrefix = caller?.KeyPrefix ?? (IsAdminToken(request.Headers.Authorization.ToString(), adminHeader) ? "admin token" : null),
            Method = request.Method,
            Path = path,
            Query = request.QueryString.HasValue ? Shorten(BodyRedaction.MaskKeys(request.QueryString.Value!), 2048) : null,
            Endpoint = routePattern is null ? request.Method + " " + path : EndpointName(request.Method, routePattern),
            Status = status,
            LatencyMs = Math.Round(latencyMs, 2),
            RequestId = context.TraceIdentifier,
            RequestType = request.ContentType is null ? null : Shorten(request.ContentType, 200),
            RequestBytes = bytes,
            RawRequestBody = raw,
            BodyNote = note,
            ResponseBody = status >= 400 ? Encoding.UTF8.GetString(responseCapture.Captured) : null,
            TaskId = RequestTasks.FromRoute(request.Method, routePattern, context.GetRouteValue("id") as string),
            // A create's answer names its task; the writer reads the id from it, off the request's path.
            CreateResponse = status is >= 200 and < 300 && HttpMethods.IsPost(request.Method) && responseCapture.Captured is { Length: > 0 and < ResponseCaptureStream.CreateAnswerBytes } answer ? answer : null,
            // A request that matched no route (404/405) never reached authentication; the writer finds its organization by the key's hash.
            UnresolvedKeyHash = caller is null && status is 404 or 405 && ApiKeys.ParseAuthorization(request.Headers.Authorization.ToString()) is ({ } key, null)
                ? ApiKeys.Hash(key) : null,
        };
    }

    // "GET /v1/tasks/{id}": one string per route and method, built once rather than per request. Bounded, because a
    // 405 can carry any method name a client sends.
    private static readonly ConcurrentDictionary<(string Method, string Pattern), string> EndpointNames = new();

    private static string EndpointName(string method, string pattern)
    {
        if (EndpointNames.TryGetValue((method, pattern), out var name)) return name;
        name = method + " /" + pattern.TrimStart('/');
        if (EndpointNames.Count < 1000) EndpointNames.TryAdd((method, pattern), name);
        return name;
    }

    private static bool IsAdminToken(string header, byte[]? expected) =>
        expected is not null && header.Length > 0 && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(header)), expected);

    private static string Shorten(string value, int max) => value.Length <= max ? value : value[..max] + "…";
}
