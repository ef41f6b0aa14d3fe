using System.Net.Http.Headers;

namespace Reelay.Server.Features.Blobs;

/// <summary>Serves a blob over HTTP with single byte ranges, so players can seek whatever store holds it.</summary>
public static class BlobResults
{
    /// <summary>The blob, or the caller's answer when it does not exist (found out by the same lookup that serves it).</summary>
    public static IResult Serve(IBlobStore store, string key, string contentType, Func<IResult> notFound)
    {
        if (store is not DirectoryBlobStore directory) return new RangedBlobResult(store, key, contentType, notFound);
        var path = directory.PathFor(key);
        return File.Exists(path) ? Results.File(path, contentType, enableRangeProcessing: true) : notFound(); // the OS file, sendfile and all
    }

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

    private sealed class RangedBlobResult(IBlobStore store, string key, string contentType, Func<IResult> notFound) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            var response = http.Response;
            var size = await store.SizeAsync(key, http.RequestAborted);
            if (size is null)
            {
                await notFound().ExecuteAsync(http);
                return;
            }
            response.Headers.AcceptRanges = "bytes";
            var range = PickRange(http.Request.Headers.Range, size.Value, out var unsatisfiable);
            if (unsatisfiable)
            {
                response.StatusCode = StatusCodes.Status416RangeNotSatisfiable;
                response.Headers.ContentRange = $"bytes */{size}";
                return;
            }
            var (from, length) = range ?? (0, size.Value);
            await using var stream = await store.OpenReadAsync(key, from, length, http.RequestAborted);
            if (stream is null)
            {
                response.StatusCode = StatusCodes.Status404NotFound;
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
