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
}
