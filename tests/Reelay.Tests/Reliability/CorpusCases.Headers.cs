using System.Text;

namespace Reelay.Tests.Reliability;

/// <summary>Header abuse, broken framing, and bad values in the path and query.</summary>
public sealed partial class CorpusCases
{
    private IEnumerable<CorpusCase> Headers(CorpusRoute route)
    {
        var (type, body) = route.HasBody ? Broken(route) : ("", []);
        List<(string, string)> content = route.HasBody ? [("Content-Type", type)] : [];
        var variants = new List<(string Name, (string, string)[] Headers, string? Host)>
        {
            ("a 40 KB header", [("X-Padding", new string('p', 40 * 1024))], null),
            ("300 headers", [.. Enumerable.Range(0, 300).Select(i => ($"X-H{i}", "v"))], null),
            ("no Host", [], ""),
            ("a forged Host", [], "evil.example"),
            ("a Host with a path", [], "evil.example/x"),
            ("an 8 KB Idempotency-Key", [("Idempotency-Key", new string('i', 8192))], null),
            ("a control character in a header", [("Idempotency-Key", "a\u0001b")], null),
            ("raw non-ASCII in a header", [("Idempotency-Key", "\u00ff\u00fe")], null),
            ("a garbage X-Reelay-Simulate", [("X-Reelay-Simulate", "delay=abc, fail=, =, ;;")], null),
            ("a 4 KB X-Reelay-Simulate", [("X-Reelay-Simulate", "delay=" + new string('9', 4096))], null),
            ("an 8 KB X-Request-Id", [("X-Request-Id", new string('r', 8192))], null),
            ("X-Forwarded-Host from an untrusted peer", [("X-Forwarded-Host", "evil.example"), ("X-Forwarded-Proto", "gopher")], null),
            ("a garbage Range", [("Range", "bytes=abc")], null),
            ("a Range past any end", [("Range", "bytes=999999999-")], null),
            ("a backwards Range", [("Range", "bytes=9-1")], null),
            ("a garbage Accept", [("Accept", "*/*;q=abc, \u00ff")], null),
            ("Expect: 100-continue", [("Expect", "100-continue")], null),
            ("an unknown Expect", [("Expect", "teapot")], null),
        };
        if (route.Surface == Surface.Runway)
        {
            variants.Add(("no X-Runway-Version", [], null));
            variants.Add(("an unknown X-Runway-Version", [("X-Runway-Version", "1999-01-01")], null));
        }
        for (var i = 0; i < variants.Count; i++)
        {
            var (name, headers, host) = variants[i];
            if (i >= 5 && !name.Contains("X-Runway-Version") && !Spread(route, i, 3)) continue;
            // The version header is part of the Runway credentials; the variants that test it leave it out.
            var auth = Auth(route.Surface).Where(h => !(name.Contains("X-Runway-Version") && h.Item1 == "X-Runway-Version"));
            yield return Case(route, name, route.Method, BadTarget(route), [.. auth, .. headers, .. content], body, mustReject: route.HasBody, host: host);
        }
        if (!route.HasBody) yield break;
        string[] contentTypes = ["", "text/plain", "application/xml", "garbage", "application/json; charset=latin1", "application/json; charset=utf-16",
            "multipart/form-data; boundary=B", "application/x-www-form-urlencoded", "application/json, text/plain"];
        for (var i = 0; i < contentTypes.Length; i++)
        {
            var contentType = contentTypes[i];
            if (!Spread(route, i, 3)) continue;
            List<(string, string)> headers = contentType == "" ? [] : [("Content-Type", contentType)];
            yield return Case(route, $"Content-Type '{contentType}'", route.Method, BadTargetOrNone(route), [.. Auth(route.Surface), .. headers], body, mustReject: true);
        }
    }

    private IEnumerable<CorpusCase> Framing(CorpusRoute route)
    {
        var (type, body) = route.HasBody ? Broken(route) : ("application/json", "{}"u8.ToArray());
        var json = Encoding.Latin1.GetString(body);
        List<(string, string)> headers = [.. Auth(route.Surface), ("Content-Type", type)];
        var chunked = headers.Append(("Transfer-Encoding", "chunked")).ToList();
        var variants = new (string Name, List<(string, string)> Headers, string Body, bool Stalls)[]
        {
            ("a chunk size past 64 bits", chunked, "ffffffffffffffffff\r\nabc\r\n0\r\n\r\n", false),
            ("a chunk size that is not hex", chunked, "zz\r\nabc\r\n0\r\n\r\n", false),
            ("a chunk without its CRLF", chunked, $"{body.Length:x}\r\n{json}XX0\r\n\r\n", false),
            ("a chunk extension of garbage", chunked, $"{body.Length:x};\u00ff=\"\r\n{json}\r\n0\r\n\r\n", false),
            ("a chunked body cut short", chunked, $"{body.Length + 100:x}\r\n{json}", true),
            ("no last chunk", chunked, $"{body.Length:x}\r\n{json}\r\n", true),
            ("Content-Length and chunked", [.. chunked, ("Content-Length", "5")], $"{body.Length:x}\r\n{json}\r\n0\r\n\r\n", false),
            ("Transfer-Encoding gzip", [.. headers, ("Transfer-Encoding", "gzip")], json, false),
            ("a Content-Length that is not a number", [.. headers, ("Content-Length", "abc")], json, false),
            ("a negative Content-Length", [.. headers, ("Content-Length", "-1")], json, false),
            ("two different Content-Lengths", [.. headers, ("Content-Length", body.Length.ToString()), ("Content-Length", "1")], json, false),
            ("a Content-Length past 64 bits", [.. headers, ("Content-Length", "99999999999999999999")], json, false),
            ("a body shorter than its Content-Length", [.. headers, ("Content-Length", (body.Length + 50).ToString())], json, true),
            ("a 1 GB Content-Length and no body", [.. headers, ("Content-Length", "1073741824")], "", false),
        };
        for (var i = 0; i < variants.Length; i++)
        {
            // "Stalls": the body stops short and the client waits, as a slow or dead client does; the server must give
            // up on it by itself (Kestrel's minimum body data rate) well within the hang limit. A client that shuts its
            // side instead is a client gone, which nobody answers. They cost seconds each, so one route per surface.
            var (name, h, b, stalls) = variants[i];
            if (stalls ? !IsRepresentative(route) : !Spread(route, i, 2)) continue;
            yield return Case(route, name, route.Method, BadTargetOrNone(route), h, Encoding.Latin1.GetBytes(b), mustReject: route.HasBody, contentLength: false);
        }
    }

    private IEnumerable<CorpusCase> PathsAndQueries(CorpusRoute route)
    {
        var (type, body) = route.HasBody ? Broken(route) : ("", []);
        List<(string, string)> headers = [.. Auth(route.Surface), .. route.HasBody ? [("Content-Type", type)] : Array.Empty<(string, string)>()];
        // An optional parameter (the API reference's document name) names a page rendered for any value.
        var idsMatter = route.Parameters.Count > 0 && !route.Pattern.Contains("?}", StringComparison.Ordinal);
        if (route.Parameters.Count > 0)
            for (var i = 0; i < BadIds.Length; i++)
            {
                var bad = BadIds[i];
                if (i >= 3 && !Spread(route, i, 2)) continue;
                yield return Case(route, $"path id '{(bad.Length > 20 ? bad[..20] + "…" : bad)}'", route.Method, route.Fill(_ => bad), headers, body, mustReject: idsMatter);
            }
        if (route.Method != "GET") yield break;
        string[] queries = ["limit=-1", "limit=abc", "limit=99999999999999999999", "limit=1e3", "offset=-5", "offset=abc", "cursor=%FF%FE",
            "before=garbage", "limit=1&limit=2", "%ZZ=1", "a=%ED%A0%80", "q=" + new string('q', 6000), "next=https://evil.example/", "sinceSeconds=-1"];
        for (var i = 0; i < queries.Length; i++)
        {
            var query = queries[i];
            if (!Spread(route, i, 3)) continue;
            yield return Case(route, $"query '{(query.Length > 24 ? query[..24] + "…" : query)}'", "GET", BadTarget(route) + "?" + query, headers, body, mustReject: idsMatter);
        }
    }

    /// <summary>Targets no route matches, with bytes a URL may not carry.</summary>
    private IEnumerable<CorpusCase> RawTargets()
    {
        var targets = new (string Name, byte[] Target)[]
        {
            ("a raw 0xFF in the path", [.. "/v1/tasks/"u8, 0xFF]),
            ("a raw space in the path", "/v1/ta sks"u8.ToArray()),
            ("an absolute-form target to another host", "http://evil.example/v1/tasks"u8.ToArray()),
            ("an asterisk target", "*"u8.ToArray()),
            ("a target without a slash", "v1/tasks"u8.ToArray()),
            ("a 20 KB target", [.. "/v1/"u8, .. Enumerable.Repeat((byte)'a', 20_000)]),
            ("dot segments out of the root", "/../../etc/passwd"u8.ToArray()),
            ("a NUL in the path", [.. "/v1/tasks/"u8, 0x00]),
        };
        foreach (var (name, target) in targets)
            yield return new CorpusCase($"raw target: {name}", Surface.Other, "GET", Encoding.Latin1.GetString(target),
                builder.BuildRawTarget("GET", target, Auth(Surface.Runway)), MustReject: true);
    }
}
