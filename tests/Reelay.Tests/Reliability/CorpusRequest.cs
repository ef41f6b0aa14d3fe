using System.Text;

namespace Reelay.Tests.Reliability;

/// <summary>The surfaces and their error shapes: Runway `error`/`issues`, RunBlob `detail`, portal HTML, admin and worker JSON.</summary>
public enum Surface { Runway, RunBlob, Admin, Worker, Portal, Other }

/// <summary>
/// One hostile request of the corpus, as the exact bytes sent. <see cref="MustReject"/>: the input is wrong whatever
/// the route does with it, so a 2xx is a failure too (an accepted bad input); otherwise only 5xx, hangs, resets and
/// shapes count (a GET may rightly ignore a Content-Type).
/// </summary>
public sealed record CorpusCase(string Name, Surface Surface, string Method, string Target, byte[] Request, bool MustReject)
{
    /// <summary>The generator that made it (methods, credentials, headers, framing, bodies, schemas…), for the counts.</summary>
    public string Group { get; init; } = "";

    public bool IsHead => Method == "HEAD";

    public override string ToString() => $"{Name} [{Method} {(Target.Length > 120 ? Target[..120] + "…" : Target)}]";
}

/// <summary>Builds the bytes of a request: request line, Host, the case's headers, Connection: close, then the body.</summary>
public sealed class RequestBuilder(string authority)
{
    public static readonly Encoding Utf8 = new UTF8Encoding(false);

    /// <summary>
    /// <paramref name="contentLength"/>: true adds the body's length; false sends none (chunked or broken framing in the
    /// headers given). <paramref name="host"/>: null sends the server's own authority, "" none at all.
    /// </summary>
    public byte[] Build(string method, string target, IEnumerable<(string Name, string Value)> headers, byte[] body, bool contentLength = true, string? host = null)
    {
        var head = new StringBuilder($"{method} {target} HTTP/1.1\r\n");
        if (host != "") head.Append($"Host: {host ?? authority}\r\n");
        foreach (var (name, value) in headers) head.Append(name).Append(": ").Append(value).Append("\r\n");
        if (contentLength && (body.Length > 0 || method is "POST" or "PUT" or "PATCH")) head.Append($"Content-Length: {body.Length}\r\n");
        head.Append("Connection: close\r\n\r\n");
        // Latin-1 keeps every char below 256 as one byte, so a header can carry raw non-ASCII bytes on purpose.
        return [.. Encoding.Latin1.GetBytes(head.ToString()), .. body];
    }

    /// <summary>A target with raw bytes in it (not percent-encoded), e.g. 0xFF.</summary>
    public byte[] BuildRawTarget(string method, byte[] target, IEnumerable<(string Name, string Value)> headers)
    {
        var request = Build(method, "X", headers, []);
        var at = Array.IndexOf(request, (byte)'X');
        return [.. request[..at], .. target, .. request[(at + 1)..]];
    }
}
