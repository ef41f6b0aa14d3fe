using System.Text;

namespace Reelay.Tests.Reliability;

/// <summary>Bodies: not JSON, JSON that is not text, schema violations, forms and multipart that cannot be read, sizes.</summary>
public sealed partial class CorpusCases
{
    private IEnumerable<CorpusCase> GenericBodies(CorpusRoute route)
    {
        var bodies = new (string Name, byte[] Body)[]
        {
            ("an empty body", []),
            ("null", "null"u8.ToArray()),
            ("an array", "[]"u8.ToArray()),
            ("a number", "1"u8.ToArray()),
            ("a string", "\"s\""u8.ToArray()),
            ("a cut-off object", "{"u8.ToArray()),
            ("a cut-off member", "{\"a\":"u8.ToArray()),
            ("trailing garbage", "{\"\\ud800\":1} x"u8.ToArray()),
            ("single quotes", "{'a':1}"u8.ToArray()),
            ("binary garbage", [0xFF, 0xFE, 0x00, 0x01, 0x80, 0x7F]),
            ("UTF-16 with a BOM", [0xFF, 0xFE, .. Encoding.Unicode.GetBytes("{\"\\ud800\":1}")]),
            ("a UTF-8 BOM before a cut-off object", [0xEF, 0xBB, 0xBF, (byte)'{']),
            ("two UTF-8 BOMs", [0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF, (byte)'{', (byte)'}']),
            ("a lone surrogate property name", "{\"\\ud800\":1}"u8.ToArray()),
            ("a lone surrogate value", "{\"a\":\"\\udc00\"}"u8.ToArray()),
            ("invalid UTF-8 in a name", [.. "{\"a"u8, 0xFF, .. "\":1}"u8]),
            ("a short unicode escape", "{\"a\":\"\\u12\"}"u8.ToArray()),
            ("nesting 5,000 deep", Encoding.ASCII.GetBytes(new string('[', 5000) + new string(']', 5000))),
            ("objects nested 200 deep", Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("{\"a\":", 200)) + "1" + new string('}', 200))),
            ("an array of 200,000 numbers", Encoding.ASCII.GetBytes("{\"a\":[" + string.Join(",", Enumerable.Repeat("1", 200_000)) + "]}")),
            ("20,000 properties", Encoding.ASCII.GetBytes("{" + string.Join(",", Enumerable.Range(0, 20_000).Select(i => $"\"p{i}\":{i}")) + ", \"\\ud800\":1}")),
            ("a 100 KB property name", Encoding.ASCII.GetBytes("{\"" + new string('n', 100_000) + "\":1,\"\\ud800\":1}")),
            ("a number of 5,000 digits", Encoding.ASCII.GetBytes("{\"a\":" + new string('9', 5000) + ",\"\\ud800\":1}")),
            ("NaN", "{\"a\":NaN}"u8.ToArray()),
            ("a comment", "/* x */ {\"\\ud800\":1}"u8.ToArray()),
            ("a raw NUL", [.. "{\"a\":\""u8, 0x00, .. "\"}"u8]),
        };
        // An absent body is a request without filters on some routes (POST /v1/organization/usage); where a body is
        // required by the route's schema it is a refusal like the rest.
        // The large ones cost more to send and parse: every other route gets them.
        for (var i = 0; i < bodies.Length; i++)
        {
            var (name, body) = bodies[i];
            if (body.Length > 1000 && !Spread(route, i, 2)) continue;
            yield return WithBody(route, name, "application/json", body, mustReject: body.Length > 0 || route.BodySchemas.Count > 0);
        }
    }

    private IEnumerable<CorpusCase> SchemaBodies(CorpusRoute route)
    {
        // Every variant (one per model) is mutated property by property; a property whose schema an earlier variant
        // of the route already had (promptText of most models) is not mutated again, so the count follows the
        // distinct rules, not the number of models.
        var seen = new HashSet<string>();
        foreach (var schema in route.BodySchemas)
        {
            var title = schema.TryGetProperty("title", out var t) ? t.GetString() + " " : "";
            var properties = schema.TryGetProperty("properties", out var p) ? p : default;
            bool Fresh(string property) => properties.ValueKind != System.Text.Json.JsonValueKind.Object || !properties.TryGetProperty(property, out var ps)
                || seen.Add(property + "=" + WithoutDescriptions(ps));
            var fresh = new HashSet<string>();
            if (properties.ValueKind == System.Text.Json.JsonValueKind.Object)
                foreach (var property in properties.EnumerateObject()) if (Fresh(property.Name)) fresh.Add(property.Name);
            foreach (var mutation in SchemaMutations.For(schema, route.Components, encodings: p => route.BodySchemas[0].Equals(schema) ? 10 : 3, includeProperty: fresh.Contains))
                yield return WithBody(route, title + mutation.Name, "application/json", mutation.Body);
        }
    }

    private static string WithoutDescriptions(System.Text.Json.JsonElement schema)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(schema.GetRawText())!;
        void Strip(System.Text.Json.Nodes.JsonNode? n)
        {
            if (n is System.Text.Json.Nodes.JsonObject o) { o.Remove("description"); foreach (var (_, v) in o) Strip(v); }
            else if (n is System.Text.Json.Nodes.JsonArray a) foreach (var v in a) Strip(v);
        }
        Strip(node);
        return node.ToJsonString();
    }

    private IEnumerable<CorpusCase> Forms(CorpusRoute route)
    {
        var isUpload = route.Pattern.StartsWith("/uploads/", StringComparison.Ordinal);
        if (!isUpload && route.Surface != Surface.Portal) yield break;
        var csrf = route.Surface == Surface.Portal ? $"_csrf={Uri.EscapeDataString(context.PortalCsrf)}&" : "";
        var part = "Content-Disposition: form-data; name=\"key\"";
        var token = $"--B\r\nContent-Disposition: form-data; name=\"token\"\r\n\r\n{context.UploadToken}\r\n";
        var multiparts = new (string Name, string ContentType, string Body)[]
        {
            ("multipart: empty", "multipart/form-data; boundary=B", ""),
            ("multipart: garbage", "multipart/form-data; boundary=B", "garbage garbage garbage"),
            ("multipart: a truncated file part", "multipart/form-data; boundary=B", token + "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\r\nabcdef"),
            ("multipart: no closing boundary", "multipart/form-data; boundary=B", $"--B\r\n{part}\r\n\r\nabc\r\n"),
            ("multipart: a part header over 16 KB", "multipart/form-data; boundary=B", $"--B\r\n{part}\r\nX-Padding: {new string('a', 17 * 1024)}\r\n\r\nabc\r\n--B--\r\n"),
            ("multipart: LF-only line endings", "multipart/form-data; boundary=B", $"--B\n{part}\n\nabc\n--B--\n"),
            ("multipart: no boundary parameter", "multipart/form-data", "--B\r\n"),
            ("multipart: a 200-character boundary", "multipart/form-data; boundary=" + new string('b', 200), "--" + new string('b', 200) + "\r\n" + part + "\r\n\r\nx\r\n--" + new string('b', 200) + "--\r\n"),
            ("multipart: the wrong boundary", "multipart/form-data; boundary=B", $"--C\r\n{part}\r\n\r\nabc\r\n--C--\r\n"),
            ("multipart: 2,000 parts", "multipart/form-data; boundary=B", string.Concat(Enumerable.Range(0, 2000).Select(i => $"--B\r\nContent-Disposition: form-data; name=\"f{i}\"\r\n\r\n1\r\n")) + "--B--\r\n"),
            ("multipart: a part without Content-Disposition", "multipart/form-data; boundary=B", "--B\r\nContent-Type: text/plain\r\n\r\nabc\r\n--B--\r\n"),
            ("multipart: a garbage Content-Disposition", "multipart/form-data; boundary=B", "--B\r\nContent-Disposition: ;;;=\"\r\n\r\nabc\r\n--B--\r\n"),
            ("multipart: a file without its token", "multipart/form-data; boundary=B", "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\nnot a png\r\n--B--\r\n"),
            ("multipart: a wrong token and a file", "multipart/form-data; boundary=B", "--B\r\nContent-Disposition: form-data; name=\"token\"\r\n\r\nwrong\r\n--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\r\nxx\r\n--B--\r\n"),
            ("multipart: the token twice and no file", "multipart/form-data; boundary=B", token + token + "--B--\r\n"),
            ("multipart: a 1 MB preamble", "multipart/form-data; boundary=B", new string('p', 1 << 20) + "\r\n--B\r\n" + part + "\r\n\r\nx\r\n--B--\r\n"),
            ("multipart: a nested multipart", "multipart/form-data; boundary=B", "--B\r\nContent-Type: multipart/mixed; boundary=C\r\n\r\n--C\r\n\r\nx\r\n--C--\r\n--B--\r\n"),
            ("multipart: a name with invalid UTF-8", "multipart/form-data; boundary=B", "--B\r\nContent-Disposition: form-data; name=\"k\u00ff\u00fe\"\r\n\r\nx\r\n--B--\r\n"),
        };
        foreach (var (name, contentType, body) in multiparts)
            yield return WithBody(route, name, contentType, Encoding.Latin1.GetBytes(body), mustReject: isUpload || !name.Contains("token"));
        if (isUpload) yield break;
        var forms = new (string Name, string Body)[]
        {
            ("form: 1,100 fields", csrf + string.Join("&", Enumerable.Range(0, 1100).Select(i => $"f{i}=1"))),
            ("form: a 5 MB value", csrf + "key=" + new string('x', 5 << 20)),
            ("form: a 3,000-character field name", csrf + new string('k', 3000) + "=1"),
            ("form: bad percent-encoding", csrf + "key=%ZZ%"),
            ("form: invalid UTF-8", csrf + "key=%FF%FE&name=%C0%AF"),
            ("form: an encoded surrogate", csrf + "key=%ED%A0%80&name=%ED%B0%80"),
            ("form: no CSRF token", "key=abc&name=x"),
            ("form: a forged CSRF token", "_csrf=forged&key=abc&name=x"),
            ("form: a 10 KB key", csrf + "key=key_" + new string('0', 10_000)),
            ("form: only separators", "&&&&===&&"),
        };
        foreach (var (name, body) in forms)
            yield return WithBody(route, name, "application/x-www-form-urlencoded", Encoding.ASCII.GetBytes(body), mustReject: !name.Contains("separators") && !name.Contains("UTF-8") && !name.Contains("surrogate") && !name.Contains("percent") && !name.Contains("10 KB"));
    }

    private IEnumerable<CorpusCase> Sizes(CorpusRoute route)
    {
        // Real bodies past the limit are costly to send, so a few routes carry them: a create of each surface, the
        // admin and worker APIs, the sign-in form. The 50 MB chunked body goes to /v1/assets/check.
        if (route.Pattern is not ("/v1/text_to_video" or "/v1/sora/generate" or "/admin/v1/organizations" or "/worker/v1/lease" or "/portal/sign-in" or "/v1/assets/check" or "/v1/uploads")) yield break;
        var (type, _) = Broken(route);
        var big = Encoding.ASCII.GetBytes("{\"a\":\"" + new string('x', 16 << 20) + "\"}");
        yield return WithBody(route, "a 16 MB body", type, big);
        if (route.Pattern == "/v1/assets/check")
        {
            var chunks = new MemoryStream();
            var chunk = Encoding.ASCII.GetBytes(new string('x', 1 << 20));
            var prefix = "{\"uri\":\""u8.ToArray();
            chunks.Write(Encoding.ASCII.GetBytes($"{prefix.Length:x}\r\n"));
            chunks.Write(prefix);
            chunks.Write("\r\n"u8);
            for (var i = 0; i < 50; i++) { chunks.Write(Encoding.ASCII.GetBytes($"{chunk.Length:x}\r\n")); chunks.Write(chunk); chunks.Write("\r\n"u8); }
            chunks.Write("0\r\n\r\n"u8);
            yield return Case(route, "a 50 MB chunked body", route.Method, route.Pattern,
                [.. Auth(route.Surface), ("Content-Type", "application/json"), ("Transfer-Encoding", "chunked")], chunks.ToArray(), mustReject: true, contentLength: false);
        }
    }
}
