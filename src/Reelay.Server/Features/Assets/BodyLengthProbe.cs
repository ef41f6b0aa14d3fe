using System.Globalization;
using System.Net;
using System.Text;

namespace Reelay.Server.Features.Assets;

/// <summary>
/// Tells whether an HTTP/1.1 server sent more body bytes than its Content-Length. HttpClient stops reading at the
/// declared length and drops the rest, so the fetcher cannot see the lie itself (assets.md: a body whose length differs
/// from Content-Length is refused). The probe watches the decrypted connection of one request (attached through the
/// request's options, on a connection of its own: the fetcher asks for "Connection: close") and, once the declared body
/// has passed, reads one byte further: end of stream is honest, a byte is a lie. Waiting is bounded by <see cref="Grace"/>.
/// </summary>
public sealed class BodyLengthProbe
{
    public static readonly HttpRequestOptionsKey<BodyLengthProbe> Key = new("reelay.bodyLengthProbe");
    public static readonly TimeSpan Grace = TimeSpan.FromMilliseconds(250);

    /// <summary>True once a byte past the declared body arrived.</summary>
    public bool SentMore { get; private set; }

    /// <summary>SocketsHttpHandler.PlaintextStreamFilter: wraps the connections of probed HTTP/1.1 requests.</summary>
    public static ValueTask<Stream> Filter(SocketsHttpPlaintextStreamFilterContext context, CancellationToken cancellationToken) =>
        new(context.NegotiatedHttpVersion == HttpVersion.Version11 && context.InitialRequestMessage.Options.TryGetValue(Key, out var probe)
            ? new ProbeStream(context.PlaintextStream, probe)
            : context.PlaintextStream);

    private sealed class ProbeStream(Stream inner, BodyLengthProbe probe) : Stream
    {
        private const int MaxHeadBytes = 64 * 1024;
        private readonly List<byte> _head = [];
        private long _remaining = -1; // body bytes still expected; -1 while the head is read, or when no longer watching
        private bool _watching = true;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            if (!_watching || read == 0) return read;
            Observe(buffer.Span[..read]);
            if (_watching && _remaining == 0)
            {
                _watching = false;
                probe.SentMore = await ReadsFurtherAsync(cancellationToken);
            }
            return read;
        }

        private void Observe(ReadOnlySpan<byte> bytes)
        {
            if (_remaining < 0)
            {
                var before = _head.Count;
                _head.AddRange(bytes);
                var end = _head.Count >= 4 ? IndexOfHeadEnd() : -1;
                if (end < 0)
                {
                    if (_head.Count > MaxHeadBytes) _watching = false;
                    return;
                }
                _remaining = DeclaredLength(Encoding.ASCII.GetString([.. _head[..end]]));
                if (_remaining < 0) { _watching = false; return; }
                bytes = bytes[(end + 4 - before)..];
            }
            if (bytes.Length > _remaining)
            {
                probe.SentMore = true;
                _watching = false;
                return;
            }
            _remaining -= bytes.Length;
        }

        private int IndexOfHeadEnd() => System.MemoryExtensions.IndexOf(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_head), "\r\n\r\n"u8);

        /// <summary>The Content-Length of a final 200 response framed by it; -1 for anything else (nothing to watch).</summary>
        private static long DeclaredLength(string head)
        {
            var lines = head.Split("\r\n");
            if (lines[0].Split(' ') is not [_, "200", ..]) return -1;
            long length = -1;
            foreach (var line in lines.Skip(1))
            {
                var colon = line.IndexOf(':');
                if (colon <= 0) continue;
                var name = line[..colon].Trim();
                if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)) return -1;
                if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
                    && !long.TryParse(line[(colon + 1)..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out length)) return -1;
            }
            return length;
        }

        /// <summary>One byte past the declared body, within the grace period: end of stream or silence is honest.</summary>
        private async Task<bool> ReadsFurtherAsync(CancellationToken cancellationToken)
        {
            using var grace = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            grace.CancelAfter(Grace);
            try
            {
                return await inner.ReadAsync(new byte[1], grace.Token) > 0;
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException)
            {
                return false; // the connection is done with either way: the request asked for Connection: close
            }
        }

        // The fetcher reads asynchronously; a synchronous reader still gets the in-band check, just not the bounded wait past the end.
        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = inner.Read(buffer, offset, count);
            if (_watching && read > 0) Observe(buffer.AsSpan(offset, read));
            if (_remaining == 0) _watching = false;
            return read;
        }
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.WriteAsync(buffer, offset, count, cancellationToken);
        public override void Flush() => inner.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

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
}
