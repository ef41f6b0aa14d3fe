using System.Text.Json;
using System.Text.Json.Nodes;
using Reelay.Server.Features.Catalog;
using Reelay.Server.Features.Tasks;

namespace Reelay.Tests.Catalog;

/// <summary>The generic validator on each schema feature, with schemas written inline in the catalog's format.</summary>
public class RequestValidatorTests
{
    private static RequestSchema Schema(string fields, string required = "[]", string rules = "[]", string definitions = "{}")
    {
        var problems = new List<string>();
        var parser = new SchemaParser((JsonObject)JsonNode.Parse(definitions)!, problems);
        var schema = parser.Parse(JsonNode.Parse($$"""{"type":"object","properties":{{fields}},"required":{{required}},"rules":{{rules}}}"""), "test");
        Assert.Empty(problems);
        return schema;
    }

    private static ValidatedBody Validate(RequestSchema schema, string body) => RequestValidator.Validate(JsonDocument.Parse(body).RootElement, schema);

    private static string Summary(ValidatedBody result) => string.Join(" ", result.Issues.Select(i => $"{string.Join(".", i.Path)}:{i.Code}"));

    [Fact]
    public void Integers_accept_whole_floats_like_two_point_zero_and_store_them_as_integers()
    {
        var schema = Schema("""{"duration":{"type":"integer","minimum":2,"maximum":10}}""");
        var ok = Validate(schema, """{"duration":2.0}""");
        Assert.Empty(ok.Issues);
        Assert.Equal("2", ok.Options["duration"]!.ToJsonString());
        var fraction = Validate(schema, """{"duration":2.5}""");
        Assert.Equal(("invalid_type", "Expected integer, received float"), (fraction.Issues.Single().Code, fraction.Issues.Single().Message));
        Assert.Equal("duration:too_big", Summary(Validate(schema, """{"duration":1e400}""")));
        Assert.Equal("Number must be greater than or equal to 2", Validate(schema, """{"duration":1}""").Issues.Single().Message);
    }

    [Fact]
    public void A_union_uses_the_branch_whose_type_fits_and_reports_invalid_union_when_none_does()
    {
        var schema = Schema("""{"duration":{"anyOf":[{"type":"integer","minimum":1,"maximum":15},{"const":"auto"}]}}""");
        Assert.Empty(Validate(schema, """{"duration":"auto"}""").Issues);
        Assert.Equal("duration:too_big", Summary(Validate(schema, """{"duration":16}""")));
        Assert.Equal("duration:invalid_enum_value", Summary(Validate(schema, """{"duration":"long"}""")));
        var none = Validate(schema, """{"duration":true}""").Issues.Single();
        Assert.Equal(("invalid_union", "Invalid input: expected number | 'auto', received boolean"), (none.Code, none.Message));
    }

    [Fact]
    public void Nested_arrays_of_objects_report_exact_indexed_paths_and_their_item_rules()
    {
        var schema = Schema("""
            {"keyframes":{"type":"array","maxItems":2,"allOrNone":"range","items":{"type":"object","required":["uri"],"properties":{
              "uri":{"type":"string","media":"image","role":"keyframe","timeFrom":"seconds"},
              "seconds":{"type":"number","minimum":0,"maximum":10},
              "range":{"type":"object","properties":{"start":{"type":"integer","minimum":0,"maximum":10}}}}}}}
            """);
        Assert.Equal("keyframes.1.seconds:too_big keyframes.1.range.start:invalid_type",
            Summary(Validate(schema, """{"keyframes":[{"uri":"https://a.example/x.png"},{"uri":"https://a.example/y.png","seconds":11,"range":{"start":"0"}}]}""")));
        var mixed = Validate(schema, """{"keyframes":[{"uri":"https://a.example/x.png","seconds":1},{"uri":"https://a.example/y.png","seconds":2,"range":{"start":1}}]}""");
        Assert.Equal("keyframes:custom", Summary(mixed));
        var media = Validate(schema, """{"keyframes":[{"uri":"https://a.example/x.png","seconds":1.5}]}""");
        Assert.Equal(("keyframe", 1.5, "keyframes.0.uri"), (media.Media.Single().Role, media.Media.Single().AtSeconds, string.Join(".", media.Media.Single().Path)));
        Assert.Equal("input:0", media.Options["keyframes"]![0]!["uri"]!.GetValue<string>());
        Assert.Equal("keyframes:too_big", Summary(Validate(schema, """{"keyframes":[{"uri":"a"},{"uri":"b"},{"uri":"c"}]}""")));
    }

    [Fact]
    public void Roles_come_from_a_sibling_field_and_positions_must_be_unique_with_a_first_frame()
    {
        var schema = Schema("""
            {"promptImage":{"anyOf":[{"type":"string","media":"image","role":"first"},
              {"type":"array","minItems":1,"maxItems":2,"uniqueBy":"position","mustContain":{"position":"first"},"items":{"type":"object","required":["uri","position"],
                "properties":{"uri":{"type":"string","media":"image","roleFrom":"position"},"position":{"enum":["first","last"]}}}}]}}
            """);
        var two = Validate(schema, """{"promptImage":[{"uri":"https://a.example/1.png","position":"first"},{"uri":"https://a.example/2.png","position":"last"}]}""");
        Assert.Equal(["first", "last"], two.Media.Select(m => m.Role));
        Assert.Equal("promptImage:custom", Summary(Validate(schema, """{"promptImage":[{"uri":"https://a.example/1.png","position":"last"}]}""")));
        var duplicate = Validate(schema, """{"promptImage":[{"uri":"x","position":"first"},{"uri":"y","position":"first"}]}""").Issues.Single();
        Assert.Equal("Each position (\"first\", \"last\") may be used only once.", duplicate.Message);
        Assert.Equal("first", Validate(schema, """{"promptImage":"https://a.example/1.png"}""").Media.Single().Role);
    }

    [Fact]
    public void Requires_and_at_most_one_rules_name_the_field_that_breaks_them()
    {
        var schema = Schema("""
            {"outputFormat":{"enum":["mp4","prores"]},"proresProfile":{"enum":["422","4444"]},"mode":{"enum":["reference","extend"],"default":"reference"},
             "ratio":{"type":"string"},"a":{"type":"boolean"},"b":{"type":"boolean"}}
            """, rules: """
            [{"when":{"proresProfile":true},"require":{"outputFormat":["prores"]}},
             {"when":{"mode":["extend"]},"require":{"ratio":false}},
             {"atMostOne":["a","b"]}]
            """);
        var prores = Validate(schema, """{"proresProfile":"422"}""").Issues.Single();
        Assert.Equal(("outputFormat", "outputFormat must be 'prores' when proresProfile is given."), (string.Join(".", prores.Path), prores.Message));
        var extend = Validate(schema, """{"mode":"extend","ratio":"16:9"}""").Issues.Single();
        Assert.Equal("ratio is not allowed when mode is 'extend'.", extend.Message);
        Assert.Equal("b:custom", Summary(Validate(schema, """{"a":true,"b":false}""")));
        // The default applies before rules: a request without mode is a reference request and may have a ratio.
        var defaulted = Validate(schema, """{"ratio":"16:9"}""");
        Assert.Empty(defaulted.Issues);
        Assert.Equal("reference", defaulted.Options["mode"]!.GetValue<string>());
    }

    [Fact]
    public void Strings_enforce_lengths_in_utf16_units_and_patterns()
    {
        var schema = Schema("""{"tag":{"type":"string","minLength":3,"maxLength":4,"pattern":"^[A-Za-z][A-Za-z0-9_]*\\z"},"text":{"type":"string","maxLength":2}}""");
        Assert.Equal("tag:too_small", Summary(Validate(schema, """{"tag":"ab"}""")));
        Assert.Equal("tag:invalid_string", Summary(Validate(schema, """{"tag":"1abc"}""")));
        Assert.Empty(Validate(schema, """{"text":"😀"}""").Issues); // one emoji is two UTF-16 units
        Assert.Equal("text:too_big", Summary(Validate(schema, """{"text":"😀a"}""")));
    }

    [Fact]
    public void A_hostile_body_gets_a_bounded_error_however_many_unknown_keys_it_has()
    {
        var schema = Schema("""{"a":{"type":"boolean"}}""");
        var body = "{" + string.Join(",", Enumerable.Range(0, 50_000).Select(i => $"\"k{i}\":1")) + "}";
        var issue = Validate(schema, body).Issues.Single();
        Assert.Equal(RequestValidator.MaxListedKeys, issue.Keys!.Count);
        Assert.EndsWith("and 49900 more", issue.Message);
        var many = Enumerable.Range(0, 500).Select(i => ValidationIssue.Custom([i], "x")).ToList();
        var bounded = RequestChecks.Bounded(many);
        Assert.Equal(RequestValidator.MaxIssues, bounded.Count);
        Assert.StartsWith("401 more issue(s)", bounded[^1].Message);
    }
}
