namespace Reelay.Server.Features.Portal;

/// <summary>
/// Reads a posted portal form. ReadFormAsync throws for every malformed form — more than 1,024 fields or parts, a value
/// over 4 MB, a name over 2 KB, multipart without a boundary, a truncated body — as InvalidDataException or IOException;
/// each is a 400 page here instead of a 500. Kestrel's own refusals (BadHttpRequestException) go to the error handler.
/// </summary>
public static class PortalForms
{
    /// <summary>The form (null when the request is not a form at all), or the page that answers a form that cannot be read.</summary>
    public static async Task<(IFormCollection? Form, IResult? Refusal)> ReadAsync(HttpContext http)
    {
        if (!http.Request.HasFormContentType) return (null, null);
        // Portal forms are a key, a name, a URL: a body past 1 MB is refused on its Content-Length, unread, and a
        // chunked one is cut off there, so no form costs more than a megabyte of parsing.
        if (http.Request.ContentLength > MaxFormBytes) return (null, PortalView.ErrorPage(413, $"The form is larger than {MaxFormBytes >> 20} MB. Go back and submit the form again."));
        if (http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = MaxFormBytes;
        try
        {
            return (await http.Request.ReadFormAsync(http.RequestAborted), null);
        }
        catch (Exception ex) when (ex is InvalidDataException || ex is IOException and not BadHttpRequestException)
        {
            var reason = ex is InvalidDataException ? ex.Message.TrimEnd('.') : "the body ended early";
            return (null, PortalView.ErrorPage(400, $"The form could not be read: {reason}. Go back, reload the page and submit the form again."));
        }
    }

    public const long MaxFormBytes = 1 << 20;
}
