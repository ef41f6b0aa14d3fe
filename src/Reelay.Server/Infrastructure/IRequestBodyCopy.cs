namespace Reelay.Server.Infrastructure;

/// <summary>
/// A request body stream that keeps a copy of what is read (the request log's): a reader that needs the whole body
/// takes that copy instead of buffering a second one, and both then share one array (13 MB less for a 13 MB body).
/// </summary>
public interface IRequestBodyCopy
{
    /// <summary>Whether any body of up to <paramref name="bytes"/> bytes is kept whole.</summary>
    bool KeepsUpTo(long bytes);

    /// <summary>The bytes read so far, the same array on every call; never written to afterwards.</summary>
    byte[]? Captured { get; }
}
