using System.Text;
using System.Text.Json.Nodes;

namespace Reelay.Tests.Reliability;

/// <summary>
/// The corpus: for every route of the table, method confusion, credential and header abuse, broken framing, bad path
/// and query values, and (for routes with a body) bodies that are not JSON, JSON that is not text, schema violations
/// property by property, forms and multipart that cannot be read, and sizes past every limit.
/// </summary>
public sealed partial class CorpusCases(IReadOnlyList<CorpusRoute> routes, CorpusRoutes.Context context, RequestBuilder builder)
{
    private static readonly List<string> Methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "PROPFIND", "FOO"];

    /// <summary>Ids that exist nowhere (with good credentials the corpus aims at nothing real).</summary>
    private static readonly string[] BadIds =
    [
        "00000000-0000-0000-0000-000000000000", "not-a-uuid", new string('a', 3000), "%00", "%FF%FE", "..%2F..%2Fetc%2Fpasswd",
        "'%20OR%20'1'%3D'1", "%ED%A0%80", "%F0%9F%8E%A5", "-1", "%20",
    ];

    public IEnumerable<CorpusCase> All()
    {
        foreach (var route in routes)
        {
            foreach (var c in MethodConfusion(route)) yield return c with { Group = "methods" };
            foreach (var c in Credentials(route)) yield return c with { Group = "credentials" };
            foreach (var c in Headers(route)) yield return c with { Group = "headers" };
            foreach (var c in Framing(route)) yield return c with { Group = "framing" };
            foreach (var c in PathsAndQueries(route)) yield return c with { Group = "paths and queries" };
            if (!route.HasBody) continue;
            foreach (var c in GenericBodies(route)) yield return c with { Group = "bodies" };
            foreach (var c in SchemaBodies(route)) yield return c with { Group = "schemas" };
            foreach (var c in Forms(route)) yield return c with { Group = "forms and multipart" };
            foreach (var c in Sizes(route)) yield return c with { Group = "sizes" };
        }
        foreach (var c in RawTargets()) yield return c with { Group = "targets" };
    }

    /// <summary>
    /// Variants beyond the core ones go to every n-th route, shifted by the variant's number, so each variant still
    /// reaches every surface and the corpus stays a size a CI run can send in a minute.
    /// </summary>
    private bool Spread(CorpusRoute route, int variant, int every) => (IndexOf(route) + variant) % every == 0;

    private int IndexOf(CorpusRoute route)
    {
        for (var i = 0; i < routes.Count; i++) if (ReferenceEquals(routes[i], route)) return i;
        return 0;
    }

    /// <summary>One route per surface and method kind, for the cases that cost seconds each (bodies that never end).</summary>
    private bool IsRepresentative(CorpusRoute route) =>
        routes.First(r => r.Surface == route.Surface && r.HasBody == route.HasBody) == route;

    /// <summary>The surface's credentials, as headers; the portal's session cookie.</summary>
    private List<(string, string)> Auth(Surface surface) => surface switch
    {
        Surface.Runway => [("Authorization", "Bearer " + context.TenantKey), ("X-Runway-Version", "2024-11-06")],
        Surface.RunBlob => [("Authorization", "Bearer " + context.TenantKey)],
        Surface.Admin => [("Authorization", "Bearer " + context.AdminToken)],
        Surface.Worker => [("Authorization", "Bearer " + context.WorkerToken)],
        Surface.Portal => [("Cookie", context.PortalCookie)],
        _ => [("Authorization", "Bearer " + context.TenantKey)],
    };

    /// <summary>The real id a parameter names, for requests whose credentials are wrong (so nothing may happen to it).</summary>
    private string RealId(CorpusRoute route, string parameter) => (route.Pattern, parameter) switch
    {
        (var p, "id") when p.StartsWith("/uploads/", StringComparison.Ordinal) => context.UploadId,
        (var p, "id") when p.Contains("/organizations/") => context.OrgId,
        (var p, "id") when p.Contains("/keys/") => context.KeyId,
        (_, "id" or "taskId") => context.TaskId,
        _ => "x",
    };

    private string BadTarget(CorpusRoute route) => route.Fill(_ => BadIds[0]);

    private string RealTarget(CorpusRoute route) => route.Fill(p => RealId(route, p));

    /// <summary>A body each route must refuse, for cases about something else (headers, framing).</summary>
    private (string ContentType, byte[] Body) Broken(CorpusRoute route)
    {
        if (route.Surface == Surface.Portal) return ("application/x-www-form-urlencoded", Encoding.ASCII.GetBytes($"_csrf={Uri.EscapeDataString(context.PortalCsrf)}&%ZZ=%FF"));
        if (route.Pattern.StartsWith("/uploads/", StringComparison.Ordinal)) return ("multipart/form-data; boundary=B", "--B\r\ngarbage"u8.ToArray());
        if (route.BodySchemas.Count > 0)
        {
            var body = SchemaMutations.Base(route.BodySchemas[0], route.Components);
            if (body.Count > 0) body.Remove(body.First().Key);
            else body["\ud800"] = 1; // escaped by the writer: a lone surrogate property name
            return ("application/json", SchemaMutations.Encode(body));
        }
        return ("application/json", "{\"\\ud800\":1}"u8.ToArray());
    }

    private CorpusCase Case(CorpusRoute route, string name, string method, string target, IEnumerable<(string, string)> headers, byte[] body,
        bool mustReject, bool contentLength = true, string? host = null) =>
        new($"{route.Surface} {route.Method} {route.Pattern}: {name}", route.Surface, method, target,
            builder.Build(method, target, headers, body, contentLength, host), mustReject);

    private CorpusCase WithBody(CorpusRoute route, string name, string contentType, byte[] body, bool mustReject = true, IEnumerable<(string, string)>? extra = null) =>
        Case(route, name, route.Method, BadTargetOrNone(route), [.. Auth(route.Surface), ("Content-Type", contentType), .. extra ?? []], body, mustReject);

    /// <summary>Uploads keep their real id for body cases: the form must reach the parser; nothing else aims at real data.</summary>
    private string BadTargetOrNone(CorpusRoute route) =>
        route.Pattern.StartsWith("/uploads/", StringComparison.Ordinal) ? RealTarget(route) : BadTarget(route);

    private IEnumerable<CorpusCase> MethodConfusion(CorpusRoute route)
    {
        var allowed = routes.Where(r => r.Pattern == route.Pattern).Select(r => r.Method).ToHashSet();
        if (allowed.Contains("GET")) allowed.Add("HEAD");
        // Each pattern once: by its first method in the table.
        if (routes.First(r => r.Pattern == route.Pattern) != route) yield break;
        var others = Methods.Where(m => !allowed.Contains(m)).ToList();
        for (var i = 0; i < others.Count; i++)
            if (Methods.IndexOf(others[i]) < 5 || Spread(route, i, 3))
                yield return Case(route, $"method {others[i]}", others[i], BadTarget(route), Auth(route.Surface), [], mustReject: true);
        if (route.HasBody)
        {
            var (type, body) = Broken(route);
            yield return Case(route, "X-HTTP-Method-Override: DELETE", route.Method, BadTarget(route),
                [.. Auth(route.Surface), ("Content-Type", type), ("X-HTTP-Method-Override", "DELETE")], body, mustReject: true);
        }
    }

    private IEnumerable<CorpusCase> Credentials(CorpusRoute route)
    {
        var (type, body) = route.HasBody ? Broken(route) : ("", []);
        List<(string, string)> content = route.HasBody ? [("Content-Type", type)] : [];
        List<(string, string)> version = route.Surface == Surface.Runway ? [("X-Runway-Version", "2024-11-06")] : [];
        var wrongSurface = route.Surface is Surface.Admin or Surface.Worker ? context.TenantKey : context.AdminToken;
        var variants = new (string Name, (string, string)[] Headers)[]
        {
            ("no credentials", []),
            ("empty Bearer", [("Authorization", "Bearer")]),
            ("Bearer and a space", [("Authorization", "Bearer ")]),
            ("Basic scheme", [("Authorization", "Basic dXNlcjpwYXNz")]),
            ("a key of the wrong form", [("Authorization", "Bearer key_zz")]),
            ("a key that does not exist", [("Authorization", "Bearer key_" + new string('0', 128))]),
            ("an 8 KB token", [("Authorization", "Bearer " + new string('k', 8192))]),
            ("non-ASCII bytes in the token", [("Authorization", "Bearer key_\u00e9\u00ff")]),
            ("another surface's token", [("Authorization", "Bearer " + wrongSurface)]),
            ("two Authorization headers", [("Authorization", "Bearer key_zz"), ("Authorization", "Bearer key_yy")]),
            ("a forged session cookie", [("Cookie", "reelay_session=forged; other=1")]),
            ("a 6 KB cookie", [("Cookie", "reelay_session=" + new string('c', 6000))]),
        };
        for (var i = 0; i < variants.Length; i++)
        {
            var (name, headers) = variants[i];
            if (i >= 4 && !Spread(route, i, 2)) continue;
            yield return Case(route, name, route.Method, RealTarget(route), [.. version, .. headers, .. content], body, mustReject: route.Authenticated);
        }
    }
}
