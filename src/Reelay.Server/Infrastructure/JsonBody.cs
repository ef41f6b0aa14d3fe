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
    /// <summary>
    /// Keys and values a body may hold. A parsed document costs about 12 bytes per token on top of the body, so 13 MB
    /// of "[[[[…" or a million unknown keys cost 150 MB; every real request has a few dozen (a data URI is one token).
    /// </summary>
    public const int MaxTokens = 10_000;
    public static readonly string TooManyTokens = $"The request body has more than {MaxTokens:N0} JSON keys and values; no request needs that many.";

    /// <summary>
    /// The body's bytes, or why not: too large, unreadable (a broken chunked encoding), or JSON whose strings are not
    /// text (see <see cref="JsonText"/>; 422 on the RunBlob surface, whose validation errors are 422, else 400).
    /// Checked here, before any surface reads a string, because every create path starts with this call.
    /// </summary>
    public static async Task<(byte[]? Bytes, int Status, JsonBodyError? Error)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBytes) return (null, 413, new JsonBodyError(TooLarge));
        // The request log's copy, when it keeps whole bodies, is the buffer; else one sized from Content-Length (no
        // doubling, no final copy), which a chunked body grows.
        var shared = request.Body is IRequestBodyCopy copy && copy.KeepsUpTo(MaxBytes) ? copy : null;
        using var buffer = shared is null ? new MemoryStream((int)(request.ContentLength ?? 0)) : null;
        var chunk = new byte[81920];
        long length = 0;
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if ((length += read) > MaxBytes) return (null, 413, new JsonBodyError(TooLarge));
                buffer?.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException ex)
        {
            return (null, ex.StatusCode, new JsonBodyError("The request body could not be read: " + ex.Message));
        }
        var bytes = buffer is null ? shared!.Captured ?? [] : buffer.Length == buffer.Capacity ? buffer.GetBuffer() : buffer.ToArray();
        var invalidStatus = ErrorResponses.IsRunBlob(request.Path) ? 422 : 400;
        if (HasMoreTokens(bytes, MaxTokens)) return (null, invalidStatus, new JsonBodyError(TooManyTokens));
        var invalid = JsonText.FindInvalid(bytes);
        if (invalid.Count > 0) return (null, invalidStatus, JsonBodyError.ForInvalidText(invalid));
        return (bytes, 200, null);
    }

    /// <summary>
    /// One forward pass of the reader, which allocates nothing: whether the JSON has more than <paramref name="max"/>
    /// tokens. Broken or too deep JSON stops the count; the parser then says what is wrong with it.
    /// </summary>
    public static bool HasMoreTokens(ReadOnlySpan<byte> json, int max)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
        try
        {
            for (var count = 0; reader.Read();)
                if (++count > max) return true;
        }
        catch (JsonException)
        {
        }
        return false;
    }

    public static (JsonDocument? Document, int Status, JsonBodyError? Error) Parse(byte[] bytes)
    {
        if (bytes.Length == 0) return (null, 400, new(Empty));
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (JsonException ex)
        {
            return (null, 400, new(NotJsonPrefix + Describe(ex)));
        }
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            return (null, 400, new(NotObject));
        }
        return (document, 200, null);
    }

    public static async Task<(JsonDocument? Document, int Status, JsonBodyError? Error)> ReadObjectAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var (bytes, status, error) = await ReadAsync(request, cancellationToken);
        return bytes is null ? (null, status, error) : Parse(bytes);
    }

    /// <summary>
    /// A parser error in plain words with its place, 1-based as editors count: "'}' is invalid after a property name.
    /// Expected a ':' (line 1, column 19)." — without the reader's internals (paths, reader options, byte positions).
    /// </summary>
    public static string Describe(JsonException ex)
    {
        var text = ex.Message;
        foreach (var cut in new[] { " Path: ", " LineNumber: ", " | " })
            if (text.IndexOf(cut, StringComparison.Ordinal) is var at and > 0) text = text[..at];
        var sentences = text.Split(". ", StringSplitOptions.RemoveEmptyEntries)
            .Where(s => !s.Contains("reader options", StringComparison.OrdinalIgnoreCase) && !s.Contains("JsonReaderOptions", StringComparison.Ordinal));
        var plain = string.Join(". ", sentences).TrimEnd('.', ' ');
        var place = ex.LineNumber is { } line ? $" (line {line + 1}, column {(ex.BytePositionInLine ?? 0) + 1})" : "";
        return $"{plain}{place}.";
    }
}
