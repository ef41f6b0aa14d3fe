using System.Net.Sockets;
using System.Text;

namespace Reelay.Tests.Infrastructure;

/// <summary>
/// HTTP/1.1 written by hand, for requests HttpClient refuses to send (a chunk size that overflows 64 bits).
/// One request per connection ("Connection: close" is added); the answer is read to the end and de-chunked.
/// </summary>
public static class RawHttp
{
    public sealed record Answer(int Status, IReadOnlyDictionary<string, string> Headers, string Body);

    /// <summary>Sends the request line and headers (without Host and Connection) followed by <paramref name="body"/> as is.</summary>
    public static async Task<Answer> SendAsync(Uri baseUrl, string requestLine, IEnumerable<string> headers, string body)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(baseUrl.Host, baseUrl.Port);
        await using var stream = client.GetStream();
        var head = new StringBuilder($"{requestLine} HTTP/1.1\r\nHost: {baseUrl.Authority}\r\nConnection: close\r\n");
        foreach (var header in headers) head.Append(header).Append("\r\n");
        await stream.WriteAsync(Encoding.UTF8.GetBytes(head.Append("\r\n").Append(body).ToString()));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var received = new MemoryStream();
        await stream.CopyToAsync(received, timeout.Token);
        return Parse(Encoding.UTF8.GetString(received.ToArray()));
    }

    private static Answer Parse(string text)
    {
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var lines = text[..split].Split("\r\n");
        var headers = lines.Skip(1).Select(l => l.Split(':', 2)).ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
        var body = text[(split + 4)..];
        if (headers.TryGetValue("Transfer-Encoding", out var encoding) && encoding == "chunked") body = Dechunk(body);
        return new Answer(int.Parse(lines[0].Split(' ')[1]), headers, body);
    }

    private static string Dechunk(string chunked)
    {
        var body = new StringBuilder();
        for (var at = 0; ;)
        {
            var lineEnd = chunked.IndexOf("\r\n", at, StringComparison.Ordinal);
            var size = Convert.ToInt32(chunked[at..lineEnd], 16);
            if (size == 0) return body.ToString();
            // Sizes count bytes; the test bodies are ASCII or short UTF-8, so count through the encoding.
            var bytes = Encoding.UTF8.GetBytes(chunked[(lineEnd + 2)..]);
            var chunk = Encoding.UTF8.GetString(bytes, 0, size);
            body.Append(chunk);
            at = lineEnd + 2 + chunk.Length + 2;
        }
    }
}
