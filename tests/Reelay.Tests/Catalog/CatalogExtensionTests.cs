using System.Text.Json.Nodes;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Catalog;

/// <summary>
/// Adding a model, or a field to a model, is a catalog edit and nothing else: a server started on an edited copy of the
/// default catalog serves both, validates them, prices them and renders them, with no code change.
/// </summary>
public class CatalogExtensionTests
{
    [Fact]
    public async Task A_model_and_a_field_added_only_to_the_catalog_are_served_validated_priced_and_rendered()
    {
        var catalog = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(TestPaths.RepositoryRoot, "src/Reelay.Server/Features/Catalog/default-catalog.json")))!;
        var models = catalog["models"]!.AsArray();
        var gen45 = models.First(m => (string?)m!["id"] == "gen4.5")!;
        // A new field on an existing model: a bounded "motionStrength" that raises the price by 3 credits a second above 0.5.
        var textToVideo = gen45["endpoints"]!["text_to_video"]!;
        textToVideo["fields"]!["motionStrength"] = JsonNode.Parse("""{"type":"number","minimum":0,"maximum":1,"description":"How much the camera moves."}""");
        textToVideo["price"]!["adjust"] = JsonNode.Parse("""[{"when":{"motionStrength":[0.75,1]},"add":3}]""");
        // A new model: its own id, endpoint, fields, ratio list and price.
        models.Add(JsonNode.Parse("""
            {"id":"studio-v1","engine":"preview","endpoints":{"text_to_video":{"output":"video",
              "fields":{"promptText":{"type":"string","minLength":1,"maxLength":200},"ratio":{"enum":["640:360","360:640"]},
                        "duration":{"type":"integer","minimum":1,"maximum":3},"audio":{"type":"boolean"}},
              "required":["promptText"],"defaults":{"ratio":"640:360","duration":2},"price":{"perSecond":7}}}}
            """));
        var file = Path.Combine(TestPaths.NewTempDirectory("reelay-catalog-ext"), "catalog.json");
        await File.WriteAllTextAsync(file, catalog.ToJsonString());
        await using var server = await ServerProcess.StartAsync(settings: new Dictionary<string, string> { ["Models:CatalogFile"] = file });
        var api = new ReelayApi(server);
        var tenant = await api.NewTenantAsync();

        var created = await api.PostAsync("/v1/text_to_video", tenant.Key, new { model = "studio-v1", promptText = "a harbour", audio = true });
        Assert.True(created.Status == 200, created.Body.ToString());
        Assert.Equal(14, created.Body.GetProperty("estimatedCost").GetProperty("credits").GetInt32()); // 7 credits/s × the default 2 s
        var task = await api.WaitForAsync(tenant.Key, created.Body.GetProperty("id").GetString()!, ReelayApi.IsTerminal);
        Assert.Equal("SUCCEEDED", task.GetProperty("status").GetString());
        var output = Path.Combine(TestPaths.NewTempDirectory("reelay-catalog-ext-out"), "out.mp4");
        await File.WriteAllBytesAsync(output, await ReelayApi.DownloadAsync(task.GetProperty("output")[0].GetString()!));
        var facts = Media.Probe(output);
        Assert.Equal((640, 360), (facts.Width, facts.Height));
        Assert.InRange(facts.Duration, 1.9, 2.1);

        var tooLong = await api.PostAsync("/v1/text_to_video", tenant.Key, new { model = "studio-v1", promptText = "x", duration = 4 });
        Assert.Equal(("too_big", "duration"), (tooLong.Body.GetProperty("issues")[0].GetProperty("code").GetString(), tooLong.Body.GetProperty("issues")[0].GetProperty("path")[0].GetString()));

        var strong = await api.PostAsync("/v1/text_to_video", tenant.Key, new { model = "gen4.5", promptText = "x", ratio = "1280:720", duration = 2, motionStrength = 1 });
        Assert.True(strong.Status == 200, strong.Body.ToString());
        Assert.Equal((12 + 3) * 2, strong.Body.GetProperty("estimatedCost").GetProperty("credits").GetInt32());
        var outOfRange = await api.PostAsync("/v1/text_to_video", tenant.Key, new { model = "gen4.5", promptText = "x", ratio = "1280:720", duration = 2, motionStrength = 2 });
        Assert.Equal("too_big", outOfRange.Body.GetProperty("issues")[0].GetProperty("code").GetString());
    }
}
