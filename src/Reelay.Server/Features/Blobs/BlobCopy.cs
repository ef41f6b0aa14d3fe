namespace Reelay.Server.Features.Blobs;

/// <summary>Stream helpers every blob store shares.</summary>
public static class BlobCopy
{
    /// <summary>Copies until the source ends or one byte past the cap, and returns the count (greater than cap: too large).</summary>
    public static async Task<long> CopyCappedAsync(Stream source, Stream destination, long cap, CancellationToken cancellationToken)
    {
        var buffer = new byte[81920];
        long total = 0;
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
        {
            total += read;
            if (total > cap) return total;
            await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
        return total;
    }

    /// <summary>Like <see cref="CopyCappedAsync"/>, into a new file (a spool: the caller moves or deletes it).</summary>
    public static async Task<long> CopyCappedToFileAsync(Stream source, string path, long cap, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true);
        return await CopyCappedAsync(source, file, cap, cancellationToken);
    }

    /// <summary>Writes bytes under a key (small blobs: the readiness probe, tests).</summary>
    public static Task WriteAsync(this IBlobStore store, string key, byte[] bytes, CancellationToken cancellationToken = default) =>
        store.WriteCappedAsync(key, new MemoryStream(bytes, writable: false), bytes.Length, cancellationToken);

    public static async Task<bool> ExistsAsync(this IBlobStore store, string key, CancellationToken cancellationToken = default) =>
        await store.SizeAsync(key, cancellationToken) is not null;

    /// <summary>
    /// For /readyz: the store accepts a write and gives it back (a full disk, a lost mount or bad S3 credentials fail here),
    /// within a deadline (10 s by default), so an unreachable store makes /readyz answer "not ready" instead of hanging.
    /// </summary>
    public static async Task ProbeAsync(this IBlobStore store, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(10);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(limit);
        try
        {
            await ProbeOnceAsync(store, deadline.Token);
        }
        catch (OperationCanceledException ex) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The {store.Kind} blob store did not answer within {limit.TotalSeconds:0.#} s.", ex);
        }
    }

    private static async Task ProbeOnceAsync(IBlobStore store, CancellationToken cancellationToken)
    {
        var key = $"tmp/readyz-{Guid.NewGuid():N}";
        var expected = Guid.NewGuid().ToByteArray();
        await store.WriteAsync(key, expected, cancellationToken);
        try
        {
            await using var stream = await store.OpenReadAsync(key, cancellationToken: cancellationToken)
                ?? throw new IOException("The blob store lost a blob it had just accepted.");
            var copy = new MemoryStream();
            await stream.CopyToAsync(copy, cancellationToken);
            if (!copy.ToArray().AsSpan().SequenceEqual(expected)) throw new IOException("The blob store returned different bytes.");
        }
        finally
        {
            // Under the same deadline: a store that hangs here must not hang /readyz either.
            await store.DeleteAsync(key, cancellationToken);
        }
    }
}

/// <summary>Reads at most a given number of bytes from an inner stream (a range of a file).</summary>
public sealed class BoundedReadStream(Stream inner, long length) : Stream
{
    private long _remaining = length;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_remaining <= 0) return 0;
        var read = inner.Read(buffer[..(int)Math.Min(buffer.Length, _remaining)]);
        _remaining -= read;
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_remaining <= 0) return 0;
        var read = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _remaining)], cancellationToken);
        _remaining -= read;
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync();
        await base.DisposeAsync();
    }
}
