using System.Text.Json.Nodes;
using Reelay.Server.Features.Catalog;

namespace Reelay.Tests.Catalog;

/// <summary>The catalog is checked whole at start-up; each mistake names the model, the endpoint and the field.</summary>
public class CatalogLoaderTests
{
    private static List<string> Problems(string fields, string extra = "") =>
        ModelCatalog.Parse(JsonNode.Parse(
            """{"definitions":{"R":{"enum":["1280:720"]}},"models":[{"id":"m1","engine":"preview","endpoints":{"text_to_video":{"output":"video","fields":"""
            + fields + ",\"price\":{\"perSecond\":1}" + extra + "}}}]}")).Problems;

    [Fact]
    public void The_default_catalog_loads_and_serves_every_video_endpoint()
    {
        var catalog = ModelCatalog.Load(null);
        Assert.True(catalog.ServingEndpoint("image_to_video").Count >= 16);
        Assert.True(catalog.ServingEndpoint("text_to_video").Count >= 15);
        Assert.Contains(catalog.ServingEndpoint("video_to_video"), m => m.Id == "aleph2");
        Assert.True(catalog.Find("gen4_aleph")!.Legacy);
    }

    [Theory]
    [InlineData("""{"ratio":{"$ref":"Nope"}}""", "model 'm1' text_to_video.ratio: $ref 'Nope' names no definition")]
    [InlineData("""{"duration":{"type":"integer","minimum":1}}""", "model 'm1' text_to_video.duration: a number needs both a minimum and a maximum")]
    [InlineData("""{"ratio":{"$ref":"R","colour":"red"}}""", "model 'm1' text_to_video.ratio: unknown schema key 'colour'")]
    [InlineData("""{"uri":{"type":"integer","media":"image","minimum":0,"maximum":1}}""", "model 'm1' text_to_video.uri: media inputs are strings (type: string)")]
    [InlineData("""{"x":{"type":"text"}}""", "model 'm1' text_to_video.x: type 'text' is unknown (string, integer, number, boolean, object, array)")]
    [InlineData("""{"list":{"type":"array","uniqueBy":"position","items":{"type":"object","properties":{"uri":{"type":"string"}}}}}""", "model 'm1' text_to_video.list: the items have no property 'position'")]
    public void A_schema_mistake_names_the_model_endpoint_and_field(string fields, string problem) =>
        Assert.Contains(problem, Problems(fields));

    [Fact]
    public void Required_fields_rules_and_defaults_must_name_fields_that_exist()
    {
        var problems = Problems("""{"ratio":{"$ref":"R"}}""", ""","required":["promptText"],"rules":[{"when":{"mode":["x"]},"require":{"ratio":false}}],"defaults":{"duration":5}""");
        Assert.Contains("model 'm1' text_to_video: required field 'promptText' is not among the fields", problems);
        Assert.Contains("model 'm1' text_to_video: a rule names 'mode', which is not a field", problems);
        Assert.Contains("model 'm1' text_to_video: default for 'duration', which is not a field", problems);
    }

    [Fact]
    public void A_catalog_that_does_not_parse_says_so_at_start_up()
    {
        var file = Path.Combine(Path.GetTempPath(), $"catalog-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, """{"models": [ {"id": "x", """);
        var error = Assert.Throws<InvalidOperationException>(() => ModelCatalog.Load(file));
        Assert.Contains("is not valid JSON", error.Message);
        File.Delete(file);
    }
}
