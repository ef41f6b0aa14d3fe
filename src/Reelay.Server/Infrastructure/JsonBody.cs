using System.Text.Json;

namespace Reelay.Server.Infrastructure;

/// <summary>Reads a request body as a JSON object with a size cap, turning every failure into a clear message.</summary>
public static class JsonBody
{
    // A 5 MB data URI plus the rest of the request; anything larger is refused before it is buffered.
    public const int MaxBytes = 6 * 1024 * 1024;

    public static async Task<(JsonDocument? Document, int Status, string? Error)> ReadObjectAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBytes) return (null, 413, $"The request body is larger than {MaxBytes / 1048576} MB.");
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBytes) return (null, 413, $"The request body is larger than {MaxBytes / 1048576} MB.");
            buffer.Write(chunk, 0, read);
        }
        if (buffer.Length == 0) return (null, 400, "The request body is empty. Send a JSON object with Content-Type: application/json.");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(buffer.ToArray(), new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (JsonException ex)
        {
            return (null, 400, $"The request body is not valid JSON: {ex.Message}");
        }
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            return (null, 400, "The request body must be a JSON object.");
        }
        return (document, 200, null);
    }
}
