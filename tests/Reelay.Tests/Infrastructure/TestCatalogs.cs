using System.Text.Json.Nodes;

namespace Reelay.Tests.Infrastructure;

/// <summary>Catalog files for servers that need a model on another engine than the default catalog gives it.</summary>
public static class TestCatalogs
{
    /// <summary>The default catalog after <paramref name="edit"/>, written to a file of its own; returns its path.</summary>
    public static string WriteDefault(Action<JsonObject> edit)
    {
        var catalog = JsonNode.Parse(File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "src/Reelay.Server/Features/Catalog/default-catalog.json")))!.AsObject();
        edit(catalog);
        var catalogFile = Path.Combine(TestPaths.NewTempDirectory("reelay-catalog"), "catalog.json");
        File.WriteAllText(catalogFile, catalog.ToJsonString());
        return catalogFile;
    }

    /// <summary>Sets a model's engine ("relay:up") or engines (several, in priority order) in a catalog.</summary>
    public static void Serve(JsonObject catalog, string model, params string[] engines)
    {
        foreach (var m in catalog["models"]!.AsArray())
        {
            if ((string?)m!["id"] != model) continue;
            m.AsObject().Remove("engine");
            if (engines.Length == 1) m["engine"] = engines[0];
            else m["engines"] = new JsonArray(engines.Select(e => (JsonNode)JsonValue.Create(e)!).ToArray());
        }
    }
}
