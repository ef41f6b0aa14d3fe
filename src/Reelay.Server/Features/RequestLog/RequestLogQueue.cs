using System.Threading.Channels;

namespace Reelay.Server.Features.RequestLog;

/// <summary>
/// The hand-off between requests and the writer: bounded in entries and in captured body bytes, and
/// never waited on. When it is full the newest entry is dropped and counted, so a slow disk can cost
/// log entries but never latency.
/// </summary>
public sealed class RequestLogQueue
{
    private readonly Channel<RequestLogEntry> _channel;
    private readonly long _maxBodyBytes;
    private long _pendingBodyBytes;
    private long _dropped;

    public RequestLogQueue(int capacity, long maxBodyBytes)
    {
        _maxBodyBytes = maxBodyBytes;
        _channel = Channel.CreateBounded<RequestLogEntry>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // with TryWrite this means "refuse", which is what we count
            SingleReader = true,
            SingleWriter = false,
        });
    }

    public RequestLogQueue(RequestLogOptions options) : this(options.QueueCapacity, options.QueueBodyBytes) { }

    /// <summary>Entries dropped since start because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public int Count => _channel.Reader.Count;

    public ChannelReader<RequestLogEntry> Reader => _channel.Reader;

    /// <summary>Never blocks. A body that does not fit the byte budget is left out; an entry that does not fit is dropped.</summary>
    public bool TryEnqueue(RequestLogEntry entry)
    {
        var size = entry.RawRequestBody?.LongLength ?? 0;
        if (size > 0 && Interlocked.Add(ref _pendingBodyBytes, size) > _maxBodyBytes)
        {
            Interlocked.Add(ref _pendingBodyBytes, -size);
            entry.RawRequestBody = null;
            entry.BodyNote ??= "not kept: the request log queue was busy";
            size = 0;
        }
        if (_channel.Writer.TryWrite(entry)) return true;
        if (size > 0) Interlocked.Add(ref _pendingBodyBytes, -size);
        Interlocked.Increment(ref _dropped);
        return false;
    }

    /// <summary>The writer calls this once it no longer needs an entry's raw body.</summary>
    public void Release(RequestLogEntry entry)
    {
        if (entry.RawRequestBody is { } body) Interlocked.Add(ref _pendingBodyBytes, -body.LongLength);
        entry.RawRequestBody = null;
    }

    /// <summary>Counts entries lost after they were queued (a failed batch), so the drop warning covers them too.</summary>
    public void CountLost(int entries) => Interlocked.Add(ref _dropped, entries);

    public void Complete() => _channel.Writer.TryComplete();
}
