namespace Reelay.Server.Features.RequestLog;

/// <summary>
/// Reads through to the real request body and keeps a copy of what the handler read, up to a limit.
/// Copying is all it does on the request's path: parsing, redaction and hashing happen in the writer.
/// </summary>
public sealed class RequestCaptureStream(Stream inner, int limit, long? declaredLength) : Infrastructure.ReadOnlyStream(inner), Infrastructure.IRequestBodyCopy
{
    private MemoryStream? _copy = new(declaredLength is > 0 and var n && n <= limit ? (int)n : 0);
    private byte[]? _captured;

    /// <summary>Bytes the handler read, whether or not they were kept.</summary>
    public long BytesRead { get; private set; }

    public bool ReachedEnd { get; private set; }

    /// <summary>
    /// The bytes read, or null when the body was larger than the limit. One array, whoever asks: JsonBody parses the
    /// body from it and the log redacts it from the same one.
    /// </summary>
    public byte[]? Captured
    {
        get
        {
            if (_copy is null) return null;
            if (_captured?.Length != _copy.Length) _captured = _copy.Length == _copy.Capacity ? _copy.GetBuffer() : _copy.ToArray();
            return _captured;
        }
    }

    /// <summary>Only from the first byte on: a reader that started later would take bytes it did not read.</summary>
    public bool KeepsUpTo(long bytes) => _copy is not null && BytesRead == 0 && bytes <= limit;

    private void Keep(ReadOnlySpan<byte> data)
    {
        if (data.Length == 0) { ReachedEnd = true; return; }
        BytesRead += data.Length;
        if (_copy is null) return;
        if (_copy.Length + data.Length > limit) { _copy = null; return; }
        _copy.Write(data);
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var read = Inner.Read(buffer, offset, count);
        Keep(buffer.AsSpan(offset, read));
        return read;
    }

    public override int Read(Span<byte> buffer)
    {
        var read = Inner.Read(buffer);
        Keep(buffer[..read]);
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await Inner.ReadAsync(buffer, cancellationToken);
        Keep(buffer.Span[..read]);
        return read;
    }
}

/// <summary>
/// Writes through to the real response body and keeps the first bytes of error responses (status ≥ 400),
/// which is what the history's detail view shows, and the first CreateAnswerBytes of a successful POST, where the
/// writer finds the id of the task it created.
/// </summary>
public sealed class ResponseCaptureStream(Stream inner, HttpResponse response, int limit) : Stream
{
    // Created on the first byte kept: a successful read (most requests) allocates no copy at all.
    private MemoryStream? _copy;

    public byte[] Captured => _copy is null ? [] : _copy.ToArray();

    public const int CreateAnswerBytes = 4096;

    private void Keep(ReadOnlySpan<byte> data)
    {
        var status = response.StatusCode;
        var cap = status >= 400 ? limit
            : status is >= 200 and < 300 && HttpMethods.IsPost(response.HttpContext.Request.Method) ? Math.Min(limit, CreateAnswerBytes) : 0;
        var kept = _copy?.Length ?? 0;
        if (kept >= cap || data.Length == 0) return;
        _copy ??= new MemoryStream();
        _copy.Write(data[..(int)Math.Min(data.Length, cap - kept)]);
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        Keep(buffer.AsSpan(offset, count));
        inner.Write(buffer, offset, count);
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Keep(buffer);
        inner.Write(buffer);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Keep(buffer.AsSpan(offset, count));
        return inner.WriteAsync(buffer, offset, count, cancellationToken);
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Keep(buffer.Span);
        return inner.WriteAsync(buffer, cancellationToken);
    }

    public override void Flush() => inner.Flush();
    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
