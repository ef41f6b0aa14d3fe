using System.Xml.Linq;
using Reelay.Server.Features.Organizations;
using Reelay.Server.Features.Portal;

namespace Reelay.Tests.Portal;

public class PortalRenderingTests
{
    [Fact]
    public void Issues_render_as_a_list_of_path_and_message_with_a_link_to_the_docs_entry()
    {
        const string body = """
            {"error":"Validation of body failed","docUrl":"http://127.0.0.1:9/docs/errors#validation",
             "issues":[{"code":"invalid_enum_value","path":["ratio"],"message":"Invalid enum value. Expected '1280:720', received '999:1'"},
                       {"code":"custom","path":["promptImage",0,"uri"],"message":"<b>bad</b>"}]}
            """;
        var html = ErrorBodyView.Summary(body);
        Assert.Contains("<code class=\"issue-path\">ratio</code> → <span class=\"issue-message\">Invalid enum value. Expected &#39;1280:720&#39;, received &#39;999:1&#39;</span>", html);
        Assert.Contains("<code class=\"issue-path\">promptImage[0].uri</code>", html);
        Assert.Contains("&lt;b&gt;bad&lt;/b&gt;", html);
        Assert.Contains("href=\"/docs/errors#validation\"", html);
    }

    [Fact]
    public void Doc_links_keep_only_a_known_shaped_anchor_on_this_servers_docs_page()
    {
        Assert.Equal("/docs/errors#credits", ErrorBodyView.DocLink("https://evil.example/docs/errors#credits"));
        Assert.Null(ErrorBodyView.DocLink("javascript:alert(1)"));
        Assert.Null(ErrorBodyView.DocLink("http://x/docs/errors#\"><script>"));
        Assert.Null(ErrorBodyView.DocLink("http://x/other#validation"));
        Assert.Null(ErrorBodyView.DocLink(null));
    }

    [Fact]
    public void The_usage_chart_is_well_formed_svg_with_one_bar_per_model_and_day_and_escaped_names()
    {
        var usage = new UsageResponse(
        [
            new UsageDay("2026-01-01", [new UsedCredits("gen4.5", 60), new UsedCredits("<veo>", 40)]),
            new UsageDay("2026-01-02", []),
            new UsageDay("2026-01-03", [new UsedCredits("gen4.5", 120)]),
        ], ["<veo>", "gen4.5"], [], []);
        var svg = XDocument.Parse(UsageChart.Render(usage));
        XNamespace ns = "http://www.w3.org/2000/svg";
        var bars = svg.Descendants(ns + "rect").Where(r => (string?)r.Attribute("class") == "bar").ToList();
        Assert.Equal(3, bars.Count);
        Assert.Contains(svg.Descendants(ns + "text"), t => t.Value == "<veo>"); // encoded in the markup, text again once parsed
        var tallest = bars.Max(b => double.Parse((string)b.Attribute("height")!, System.Globalization.CultureInfo.InvariantCulture));
        var shortest = bars.Min(b => double.Parse((string)b.Attribute("height")!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(3.0, tallest / shortest, 2);
    }

    [Fact]
    public void An_empty_period_draws_a_chart_that_says_so()
    {
        var svg = UsageChart.Render(new UsageResponse([new UsageDay("2026-01-01", [])], [], [], []));
        XDocument.Parse(svg);
        Assert.Contains("No credits charged", svg);
    }

    [Theory]
    [InlineData(0, 10)]
    [InlineData(7, 10)]
    [InlineData(60, 100)]
    [InlineData(120, 200)]
    [InlineData(4100, 5000)]
    public void Axis_tops_are_round_numbers(long max, long top) => Assert.Equal(top, UsageChart.NiceCeiling(max));

    [Theory]
    [InlineData("/portal/tasks/1", "/portal/tasks/1")]
    [InlineData("https://evil.example/", null)]
    [InlineData("//evil.example/portal", null)]
    [InlineData("/portal//evil.example", null)]
    [InlineData("/portal/sign-in", null)]
    public void After_sign_in_only_portal_paths_are_followed(string next, string? expected) => Assert.Equal(expected, PortalEndpoints.SafeNext(next));
}
