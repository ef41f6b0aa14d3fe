using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Reliability;

/// <summary>One route of the server's endpoint table, with what the OpenAPI document knows of it.</summary>
public sealed record CorpusRoute(string Method, string Pattern, Surface Surface, bool Authenticated, IReadOnlyList<JsonElement> BodySchemas, JsonElement Components)
{
    public IReadOnlyList<string> Parameters => [.. Regex.Matches(Pattern, @"\{([^}:?*]+)[^}]*\}").Select(m => m.Groups[1].Value)];

    public bool HasBody => Method is "POST" or "PUT" or "PATCH";

    /// <summary>The pattern with each parameter replaced by what <paramref name="value"/> gives for its name.</summary>
    public string Fill(Func<string, string> value) => Regex.Replace(Pattern, @"\{\*?([^}:?]+)[^}]*\}", m => value(m.Groups[1].Value));
}

/// <summary>
/// The route table comes from the running server (GET /admin/v1/routes, its EndpointDataSource), the request schemas
/// and surfaces from its OpenAPI document (generated from the catalog): a route added tomorrow is in the corpus tomorrow.
/// </summary>
public static class CorpusRoutes
{
    public static async Task<IReadOnlyList<CorpusRoute>> LoadAsync(ReelayApi api)
    {
        var routes = (await api.AdminAsync(HttpMethod.Get, "/admin/v1/routes")).GetProperty("routes");
        using var openApiResponse = await ReelayApi.Client.GetAsync(new Uri(api.BaseUrl, "/openapi/v1.json"));
        var openApi = JsonDocument.Parse(await openApiResponse.Content.ReadAsStringAsync()).RootElement.Clone();
        var components = openApi.GetProperty("components").GetProperty("schemas");
        var paths = openApi.GetProperty("paths");
        var result = new List<CorpusRoute>();
        foreach (var route in routes.EnumerateArray())
        {
            var method = route.GetProperty("method").GetString()!;
            var pattern = route.GetProperty("pattern").GetString()!;
            var documented = Regex.Replace(pattern, @"\{([^}:?]+)[^}]*\}", "{$1}");
            JsonElement? operation = paths.TryGetProperty(documented, out var item) && item.TryGetProperty(method.ToLowerInvariant(), out var op) ? op : null;
            var tags = operation?.TryGetProperty("tags", out var t) == true ? t.EnumerateArray().Select(x => x.GetString()!).ToList() : [];
            var surface = Classify(pattern, tags, paths, documented);
            var authenticated = operation?.TryGetProperty("security", out _) == true
                || surface is Surface.Admin
                || (surface is Surface.Worker && !pattern.StartsWith("/worker/v1/inputs", StringComparison.Ordinal))
                || (surface is Surface.Portal && pattern is not ("/portal/sign-in" or "/portal/assets/{name}"));
            result.Add(new CorpusRoute(method, pattern, surface, authenticated, BodySchemas(operation, components), components));
        }
        return result;
    }

    private static Surface Classify(string pattern, List<string> tags, JsonElement paths, string documented)
    {
        if (pattern.StartsWith("/worker/", StringComparison.Ordinal)) return Surface.Worker;
        if (pattern.StartsWith("/admin/", StringComparison.Ordinal)) return Surface.Admin;
        if (pattern.StartsWith("/portal", StringComparison.Ordinal)) return Surface.Portal;
        // A path's surface is that of any of its documented operations (GET and POST of one family share it).
        if (tags.Count == 0 && paths.TryGetProperty(documented, out var item))
            tags = [.. item.EnumerateObject().Where(o => o.Value.ValueKind == JsonValueKind.Object && o.Value.TryGetProperty("tags", out _))
                .SelectMany(o => o.Value.GetProperty("tags").EnumerateArray().Select(x => x.GetString()!))];
        if (tags.Any(t => t.StartsWith("RunBlob", StringComparison.Ordinal))) return Surface.RunBlob;
        if (pattern.StartsWith("/v1/", StringComparison.Ordinal) || pattern.StartsWith("/uploads/", StringComparison.Ordinal)) return Surface.Runway;
        return Surface.Other;
    }

    /// <summary>The JSON body's schemas: each variant of a oneOf (one per model), resolved.</summary>
    private static List<JsonElement> BodySchemas(JsonElement? operation, JsonElement components)
    {
        if (operation is not { } op || !op.TryGetProperty("requestBody", out var body) || !body.TryGetProperty("content", out var content)
            || !content.TryGetProperty("application/json", out var json) || !json.TryGetProperty("schema", out var schema)) return [];
        var root = Resolve(schema, components);
        return root.TryGetProperty("oneOf", out var variants) ? [.. variants.EnumerateArray().Select(v => Resolve(v, components))] : [root];
    }

    public static JsonElement Resolve(JsonElement schema, JsonElement components) =>
        schema.TryGetProperty("$ref", out var reference) ? components.GetProperty(reference.GetString()!.Split('/')[^1]) : schema;

    /// <summary>Credentials for each surface, and the ids the corpus may aim at: real ones only with bad credentials.</summary>
    public sealed record Context(string TenantKey, string AdminToken, string WorkerToken, string PortalCookie, string PortalCsrf,
        string OrgId, string TaskId, string UploadId, string UploadToken, string KeyId);

    public static AuthenticationHeaderValue Bearer(string token) => new("Bearer", token);
}
