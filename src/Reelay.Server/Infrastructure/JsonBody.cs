using System.Text.Json;

namespace Reelay.Server.Infrastructure;

/// <summary>Reads a request body with a size cap (bytes are kept: idempotency hashes them), then parses it as a JSON object.</summary>
public static class JsonBody
{
    // A 5 MB data URI (or RunBlob's 10 MB base64 image) plus the rest of the request; larger bodies are refused before they are buffered.
    public const int MaxBytes = 15 * 1024 * 1024;
    public static readonly string TooLarge = $"The request body is larger than {MaxBytes / 1048576} MB.";
    public const string Empty = "The request body is empty. Send a JSON object with Content-Type: application/json.";
    public const string NotObject = "The request body must be a JSON object.";
    public const string NotJsonPrefix = "The request body is not valid JSON: ";

    public static async Task<(byte[]? Bytes, int Status, string? Error)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBytes) return (null, 413, TooLarge);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBytes) return (null, 413, TooLarge);
            buffer.Write(chunk, 0, read);
        }
        return (buffer.ToArray(), 200, null);
    }

    public static (JsonDocument? Document, int Status, string? Error) Parse(byte[] bytes)
    {
        if (bytes.Length == 0) return (null, 400, Empty);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (JsonException ex)
        {
            return (null, 400, NotJsonPrefix + ex.Message);
        }
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            return (null, 400, NotObject);
        }
        return (document, 200, null);
    }

    public static async Task<(JsonDocument? Document, int Status, string? Error)> ReadObjectAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var (bytes, status, error) = await ReadAsync(request, cancellationToken);
        return bytes is null ? (null, status, error) : Parse(bytes);
    }
}
