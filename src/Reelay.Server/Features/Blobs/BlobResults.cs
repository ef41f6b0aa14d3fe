using System.Net.Http.Headers;

namespace Reelay.Server.Features.Blobs;

/// <summary>Serves a blob over HTTP with single byte ranges, so players can seek whatever store holds it.</summary>
public static class BlobResults
{
    /// <summary>
    /// The blob, or the caller's answer when it does not exist (found out by the same lookup that serves it). A range
    /// past the end is a 416 with Content-Range: bytes */SIZE and a body (by default {"error"}) saying why.
    /// </summary>
    public static IResult Serve(IBlobStore store, string key, string contentType, Func<IResult> notFound, Func<long, IResult>? unsatisfiable = null)
    {
        unsatisfiable ??= size => Results.Json(new { error = UnsatisfiableMessage(size) }, statusCode: StatusCodes.Status416RangeNotSatisfiable);
        if (store is not DirectoryBlobStore directory) return new RangedBlobResult(store, key, contentType, notFound, unsatisfiable);
        var path = directory.PathFor(key);
        return File.Exists(path) ? new FileBlobResult(path, contentType, unsatisfiable) : notFound();
    }

    public const string UnavailableMessage = "The file cannot be read right now: the server's blob storage is unavailable. Retry after the Retry-After delay.";

    /// <summary>The answer while the store cannot be reached: a 503 that says when to retry, never a 500.</summary>
    public static async Task WriteUnavailableAsync(HttpContext http)
    {
        http.Response.Headers.RetryAfter = "5";
        await Results.Json(new { error = UnavailableMessage, code = "storage_unavailable" }, statusCode: StatusCodes.Status503ServiceUnavailable).ExecuteAsync(http);
    }

    public static string UnsatisfiableMessage(long size) =>
        $"The requested range is not satisfiable: this file is {size} bytes. Ask for a range that starts below {size}, or omit Range.";

    /// <summary>The range a Range header asks for within a blob of a size: null for the whole blob, Empty when unsatisfiable.</summary>
    public static (long From, long Length)? PickRange(string? header, long size, out bool unsatisfiable)
    {
        unsatisfiable = false;
        // Anything but one well-formed byte range gets the whole blob, as RFC 9110 allows.
        if (string.IsNullOrEmpty(header) || !RangeHeaderValue.TryParse(header, out var parsed) ||
            parsed.Unit != "bytes" || parsed.Ranges.Count != 1) return null;
        var range = parsed.Ranges.Single();
        long from, to;
        if (range.From is null)
        {
            if (range.To is not > 0) { unsatisfiable = true; return null; }
            from = Math.Max(0, size - range.To.Value);
            to = size - 1;
        }
        else
        {
            from = range.From.Value;
            to = Math.Min(range.To ?? size - 1, size - 1);
        }
        if (from >= size || to < from) { unsatisfiable = true; return null; }
        return (from, to - from + 1);
    }

    /// <summary>The OS file (sendfile and all) through ASP.NET's range processing, which answers an unsatisfiable range with an empty 416.</summary>
    private sealed class FileBlobResult(string path, string contentType, Func<long, IResult> unsatisfiable) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            // With If-Range the file result may serve the whole file instead: that decision stays with it.
            if (http.Request.Headers.IfRange.Count == 0 && new FileInfo(path) is { Exists: true } file)
            {
                PickRange(http.Request.Headers.Range, file.Length, out var outOfRange);
                if (outOfRange)
                {
                    http.Response.Headers.AcceptRanges = "bytes";
                    http.Response.Headers.ContentRange = $"bytes */{file.Length}";
                    await unsatisfiable(file.Length).ExecuteAsync(http);
                    return;
                }
            }
            await Results.File(path, contentType, enableRangeProcessing: true).ExecuteAsync(http);
        }
    }

    private sealed class RangedBlobResult(IBlobStore store, string key, string contentType, Func<IResult> notFound, Func<long, IResult> unsatisfiable) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            var response = http.Response;
            long? size;
            Stream? stream;
            try
            {
                size = await store.SizeAsync(key, http.RequestAborted);
            }
            catch (IOException)
            {
                await WriteUnavailableAsync(http); // the store's own errors are IOExceptions that say what is wrong; /readyz names it
                return;
            }
            if (size is null)
            {
                await notFound().ExecuteAsync(http);
                return;
            }
            response.Headers.AcceptRanges = "bytes";
            var range = PickRange(http.Request.Headers.Range, size.Value, out var outOfRange);
            if (outOfRange)
            {
                response.Headers.ContentRange = $"bytes */{size}";
                await unsatisfiable(size.Value).ExecuteAsync(http);
                return;
            }
            var (from, length) = range ?? (0, size.Value);
            try
            {
                stream = await store.OpenReadAsync(key, from, length, http.RequestAborted);
            }
            catch (IOException)
            {
                response.Headers.Remove("Accept-Ranges");
                await WriteUnavailableAsync(http);
                return;
            }
            await using var opened = stream;
            if (stream is null)
            {
                await notFound().ExecuteAsync(http); // deleted between the size lookup and the read
                return;
            }
            response.ContentType = contentType;
            response.ContentLength = length;
            if (range is not null)
            {
                response.StatusCode = StatusCodes.Status206PartialContent;
                response.Headers.ContentRange = $"bytes {from}-{from + length - 1}/{size}";
            }
            if (HttpMethods.IsHead(http.Request.Method)) return;
            await stream.CopyToAsync(response.Body, http.RequestAborted);
        }
    }
}
