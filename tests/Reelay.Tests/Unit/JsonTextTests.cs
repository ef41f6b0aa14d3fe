using System.Text;
using Reelay.Server.Infrastructure;

namespace Reelay.Tests.Unit;

/// <summary>JsonText finds the strings and names JSON accepts but that are not text, with their paths.</summary>
public class JsonTextTests
{
    private static IReadOnlyList<InvalidJsonText> Find(string json) => JsonText.FindInvalid(Encoding.UTF8.GetBytes(json));

    private static string PathOf(InvalidJsonText text) => string.Join("/", text.Path);

    [Fact]
    public void A_lone_high_surrogate_escape_is_found_at_its_field_with_the_escape_named()
    {
        var found = Assert.Single(Find("""{"model":"gen4.5","promptText":"a\ud800b","ratio":"1280:720","duration":2}"""));
        Assert.Equal(("promptText", false), (PathOf(found), found.IsPropertyName));
        Assert.Equal(@"contains an unpaired UTF-16 surrogate (\ud800)", found.Problem);
        Assert.Equal("a\ufffdb", found.Text);
    }

    [Fact]
    public void Surrogate_pairs_and_ordinary_escapes_are_text()
    {
        Assert.Empty(Find("""{"a":"\ud83d\ude00","b":"\u00e9\n\"\\","c":["\uD83D\uDE00 ok"],"é":"ü"}"""));
        Assert.Empty(Find("""{"plain":"no escapes at all","n":1.5,"t":true,"x":null}"""));
    }

    [Theory]
    [InlineData("""{"a":"\udc00"}""", @"\udc00")]          // a low half alone
    [InlineData("""{"a":"\ud800\ud800\udc00"}""", @"\ud800")] // a high half before a complete pair
    [InlineData("""{"a":"x\ud800"}""", @"\ud800")]         // a high half at the very end
    [InlineData("""{"a":"\ud800\u0041"}""", @"\ud800")]    // a high half followed by a non-surrogate escape
    public void Every_unpaired_half_is_found(string json, string escape) =>
        Assert.Equal($"contains an unpaired UTF-16 surrogate ({escape})", Assert.Single(Find(json)).Problem);

    [Fact]
    public void Property_names_are_checked_and_paths_go_through_objects_and_arrays()
    {
        var found = Find("""{"ok":[1,{"deep":["fine","\udfff"]}],"k\ud800":{"in":"\ud801"}}""");
        Assert.Equal(["ok/1/deep/1", "k\ufffd", "k\ufffd/in"], found.Select(PathOf));
        Assert.Equal([false, true, false], found.Select(f => f.IsPropertyName));
    }

    [Fact]
    public void Raw_bytes_that_are_not_utf8_are_found_too()
    {
        var json = Encoding.ASCII.GetBytes("""{"promptText":"a?b"}""");
        json[Array.IndexOf(json, (byte)'?')] = 0xFF;
        var found = Assert.Single(JsonText.FindInvalid(json));
        Assert.Equal(("promptText", "is not valid UTF-8 (byte 0xFF)", "a\ufffdb"), (PathOf(found), found.Problem, found.Text));
    }

    [Fact]
    public void Text_that_is_not_json_is_left_to_the_parser_and_what_came_before_the_error_still_counts()
    {
        Assert.Empty(Find("""{"a" "\ud800"}"""));
        Assert.Single(Find("""{"a":"\ud800",}"""));
    }
}
