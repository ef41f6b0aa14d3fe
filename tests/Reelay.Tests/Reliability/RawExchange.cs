using System.Net.Sockets;
using System.Text;

namespace Reelay.Tests.Reliability;

/// <summary>
/// One HTTP/1.1 exchange written byte by byte, so the corpus can send what HttpClient refuses to (broken chunking,
/// lying Content-Length, invalid UTF-8 in the target, lower-case methods) and tell an answer from a hang or a reset.
/// The response is read as bytes: Content-Length, chunked, or to the end of the connection.
/// </summary>
public static class RawExchange
{
    public enum Outcome { Answered, Hang, ResetWithoutAnswer }

    public sealed record Answer(int Status, IReadOnlyDictionary<string, string> Headers, byte[] Body)
    {
        public string Header(string name) => Headers.TryGetValue(name, out var v) ? v : "";
        public string Text => Encoding.UTF8.GetString(Body);
    }

    public sealed record Result(Outcome Outcome, Answer? Answer, string? Error, TimeSpan Elapsed);

    /// <summary>
    /// Sends <paramref name="request"/> as is on a new connection. With <paramref name="halfClose"/> the sending side
    /// is shut after it (a body that ends early). The write runs alongside the read: a server may answer and close
    /// before it has read everything (a 413), and that is an answer, not a reset.
    /// </summary>
    public static async Task<Result> SendAsync(Uri baseUrl, byte[] request, bool halfClose, bool isHead, TimeSpan timeout)
    {
        var started = DateTime.UtcNow;
        using var cancel = new CancellationTokenSource(timeout);
        using var client = new TcpClient { NoDelay = true };
        try
        {
            await client.ConnectAsync(baseUrl.Host, baseUrl.Port, cancel.Token);
            var stream = client.GetStream();
            var write = Task.Run(async () =>
            {
                try
                {
                    await stream.WriteAsync(request, cancel.Token);
                    if (halfClose) client.Client.Shutdown(SocketShutdown.Send);
                }
                catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
                {
                    // the server stopped reading: its answer (if any) is what counts
                }
            });
            var answer = await ReadAnswerAsync(stream, isHead, cancel.Token);
            await Task.WhenAny(write, Task.Delay(1000));
            return new Result(answer is null ? Outcome.ResetWithoutAnswer : Outcome.Answered, answer, answer is null ? "the connection closed without a status line" : null, DateTime.UtcNow - started);
        }
        catch (OperationCanceledException)
        {
            return new Result(Outcome.Hang, null, $"no complete answer within {timeout.TotalSeconds:0} s", DateTime.UtcNow - started);
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            return new Result(Outcome.ResetWithoutAnswer, null, e.Message, DateTime.UtcNow - started);
        }
    }

    private static async Task<Answer?> ReadAnswerAsync(Stream stream, bool isHead, CancellationToken cancel)
    {
        var reader = new ByteReader(stream);
        int status;
        Dictionary<string, string> headers;
        do // interim answers (100 Continue) come before the real one
        {
            var statusLine = await reader.LineAsync(cancel);
            if (statusLine is null) return null;
            status = int.Parse(statusLine.Split(' ')[1]);
            headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            for (var line = await reader.LineAsync(cancel); !string.IsNullOrEmpty(line); line = await reader.LineAsync(cancel))
            {
                var colon = line.IndexOf(':');
                if (colon <= 0) continue;
                var name = line[..colon].Trim();
                headers[name] = headers.TryGetValue(name, out var earlier) ? earlier + ", " + line[(colon + 1)..].Trim() : line[(colon + 1)..].Trim();
            }
        }
        while (status < 200);
        byte[] body;
        if (isHead || status is 204 or 304) body = [];
        else if (headers.TryGetValue("Transfer-Encoding", out var te) && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            using var buffer = new MemoryStream();
            while (true)
            {
                var size = Convert.ToInt32((await reader.LineAsync(cancel) ?? throw new IOException("the chunked answer ended early")).Split(';')[0].Trim(), 16);
                if (size == 0) break;
                buffer.Write(await reader.ExactlyAsync(size, cancel));
                await reader.LineAsync(cancel);
            }
            body = buffer.ToArray();
        }
        else if (headers.TryGetValue("Content-Length", out var cl)) body = await reader.ExactlyAsync(int.Parse(cl), cancel);
        else body = await reader.ToEndAsync(cancel);
        return new Answer(status, headers, body);
    }

    /// <summary>A small buffered reader of lines and byte runs over a network stream.</summary>
    private sealed class ByteReader(Stream stream)
    {
        private readonly byte[] _buffer = new byte[16384];
        private int _start, _end;

        private async Task<bool> FillAsync(CancellationToken cancel)
        {
            if (_start == _end) _start = _end = 0;
            var read = await stream.ReadAsync(_buffer.AsMemory(_end), cancel);
            _end += read;
            return read > 0;
        }

        public async Task<string?> LineAsync(CancellationToken cancel)
        {
            var line = new List<byte>();
            while (true)
            {
                if (_start == _end && !await FillAsync(cancel)) return line.Count == 0 ? null : Encoding.Latin1.GetString([.. line]);
                var b = _buffer[_start++];
                if (b == '\n') return Encoding.Latin1.GetString([.. line]).TrimEnd('\r');
                line.Add(b);
            }
        }

        public async Task<byte[]> ExactlyAsync(int count, CancellationToken cancel)
        {
            var result = new byte[count];
            for (var at = 0; at < count;)
            {
                if (_start == _end && !await FillAsync(cancel)) throw new IOException($"the answer ended after {at} of {count} body bytes");
                var n = Math.Min(count - at, _end - _start);
                Array.Copy(_buffer, _start, result, at, n);
                (_start, at) = (_start + n, at + n);
            }
            return result;
        }

        public async Task<byte[]> ToEndAsync(CancellationToken cancel)
        {
            using var result = new MemoryStream();
            do result.Write(_buffer, _start, _end - _start);
            while ((_start = _end = 0) == 0 && await FillAsync(cancel));
            return result.ToArray();
        }
    }
}
