using System.Net;
using System.Net.Http.Headers;

namespace Reelay.Server.Features.Assets;

/// <summary>A fetched body on disk, with the media type its server declared.</summary>
public sealed record FetchedFile(string Path, string MediaType, long Bytes);

/// <summary>
/// Fetches an https asset as assets.md fixes it: HEAD, then a streamed GET, under one deadline;
/// headers judged before any body byte; the body streamed to a temporary file under a byte cap.
/// </summary>
public sealed class AssetFetcher(AssetOptions options)
{
    private readonly HttpClient _client = SafeConnector.CreateClient(options);

    public async Task<FetchedFile?> FetchAsync(Uri uri, AssetKind kind, AssetReport report, CancellationToken cancellationToken)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var fetched = await FetchCheckedAsync(uri, kind, report, cancellationToken);
        // The outcome is the check that refused the URL (address, status, content type…): bounded, and never the URL itself.
        Telemetry.ReelayMetrics.AssetFetched(fetched is not null ? "ok" : report.Checks.LastOrDefault(c => !c.Passed)?.Name ?? "refused", watch.Elapsed);
        return fetched;
    }

    private async Task<FetchedFile?> FetchCheckedAsync(Uri uri, AssetKind kind, AssetReport report, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.FetchTimeout);
        string? tempPath = null;
        try
        {
            using (var head = await SendAsync(HttpMethod.Head, uri, deadline.Token))
            {
                report.Pass("connect", $"connected to {uri.Host}");
                if (!JudgeHeaders(head, kind, report, out _, out _)) return null;
            }
            var probe = new BodyLengthProbe();
            using var get = await SendAsync(HttpMethod.Get, uri, deadline.Token, probe);
            if (!JudgeHeaders(get, kind, report, out var mediaType, out var declared)) return null;

            Directory.CreateDirectory(options.TempDirectory);
            tempPath = Path.Combine(options.TempDirectory, $"asset-{Guid.NewGuid():N}");
            var read = await CopyCappedAsync(get, tempPath, declared, deadline.Token);
            report.Observed.BytesRead = read;
            if (read != declared || probe.SentMore)
            {
                report.Fail("body length", AssetRules.SizeExceeds(AssetOptions.UrlLimit(kind)),
                    $"Content-Length said {declared} bytes; the body {(read < declared ? $"ended after {read}" : "ran past it")}");
                return null;
            }
            report.Pass("body length", $"{read} bytes, as declared");
            var fetched = new FetchedFile(tempPath, mediaType, read);
            tempPath = null; // the caller owns it now
            return fetched;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            report.Fail("deadline", AssetRules.FetchTimeout, $"the fetch took longer than {options.FetchTimeout.TotalSeconds:0.#} s");
            return null;
        }
        catch (HttpRequestException ex) when (FindRefusal(ex) is { } refused)
        {
            report.Observed.Address = refused.Address.ToString();
            report.Fail("address", AssetRules.NotPublic, refused.Message);
            return null;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            report.Fail("connect", AssetRules.FetchFailed, ex.InnerException?.Message ?? ex.Message);
            return null;
        }
        finally
        {
            if (tempPath is not null) File.Delete(tempPath);
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri uri, CancellationToken cancellationToken, BodyLengthProbe? probe = null)
    {
        using var request = new HttpRequestMessage(method, uri) { Version = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionOrHigher };
        request.Headers.UserAgent.ParseAdd(options.UserAgent);
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("identity"));
        // Never reuse a connection: a body longer than its Content-Length leaves junk on it, and the GET's probe
        // watches a connection of its own (a GET on the HEAD's pooled connection would slip past it).
        request.Headers.ConnectionClose = true;
        if (probe is not null) request.Options.Set(BodyLengthProbe.Key, probe);
        return await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    /// <summary>Status, Content-Type and Content-Length, in the order of the reason table.</summary>
    private static bool JudgeHeaders(HttpResponseMessage response, AssetKind kind, AssetReport report, out string mediaType, out long declared)
    {
        mediaType = "";
        declared = 0;
        var status = (int)response.StatusCode;
        report.Observed.Status = status;
        if (status != 200)
        {
            report.Fail("status", AssetRules.BadStatus(status), response.Headers.Location is { } location ? $"{status}, Location: {location} (redirects are not followed)" : null);
            return false;
        }
        report.Pass("status", "200");

        var contentType = response.Content.Headers.ContentType?.MediaType?.Trim().ToLowerInvariant() ?? "";
        report.Observed.ContentType = contentType;
        if (AssetOptions.GenericTypes.Contains(contentType))
        {
            report.Fail("content type", AssetRules.GenericContentType(contentType));
            return false;
        }
        if (AssetOptions.Approved(kind, contentType) is not { } approved)
        {
            report.Fail("content type", AssetRules.UnsupportedContentType(contentType));
            return false;
        }
        report.Pass("content type", contentType);
        mediaType = approved;

        if (response.Content.Headers.ContentLength is not { } length)
        {
            report.Fail("content length", AssetRules.NoContentLength);
            return false;
        }
        report.Observed.ContentLength = length;
        var limit = AssetOptions.UrlLimit(kind);
        if (length > limit || length <= 0)
        {
            report.Fail("content length", AssetRules.SizeExceeds(limit), $"{length} bytes declared; the limit is {limit}");
            return false;
        }
        report.Pass("content length", $"{length} bytes (limit {limit})");
        declared = length;
        return true;
    }

    /// <summary>Streams at most declared + 1 bytes to disk: one byte past the declared length proves a lie without reading the rest.</summary>
    private static async Task<long> CopyCappedAsync(HttpResponseMessage response, string path, long declared, CancellationToken cancellationToken)
    {
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true);
        var buffer = new byte[81920];
        long total = 0;
        while (total <= declared)
        {
            int read;
            try
            {
                read = await body.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, declared + 1 - total)), cancellationToken);
            }
            catch (HttpIOException) when (!cancellationToken.IsCancellationRequested)
            {
                break; // the server closed before sending what it declared: a length mismatch, judged by the caller
            }
            if (read == 0) break;
            await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            total += read;
        }
        return total;
    }

    private static AddressRefusedException? FindRefusal(Exception ex)
    {
        for (var e = ex.InnerException; e is not null; e = e.InnerException)
            if (e is AddressRefusedException refused) return refused;
        return null;
    }
}
