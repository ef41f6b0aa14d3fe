using System.Xml.Linq;
using Reelay.Server.Features.Organizations;
using Reelay.Server.Features.Portal;
using Reelay.Server.Features.Portal.Pages;
using Reelay.Server.Features.RequestLog;

namespace Reelay.Tests.Portal;

public class PortalRenderingTests
{
    [Fact]
    public async Task Issues_render_as_a_list_of_path_and_message_with_a_link_to_the_docs_entry()
    {
        const string body = """
            {"error":"Validation of body failed","docUrl":"http://127.0.0.1:9/docs/errors#validation",
             "issues":[{"code":"invalid_enum_value","path":["ratio"],"message":"Invalid enum value. Expected '1280:720', received '999:1'"},
                       {"code":"custom","path":["promptImage",0,"uri"],"message":"<b>bad</b>"}]}
            """;
        var html = await PortalRender.HtmlAsync<ErrorSummary>(new() { ["Body"] = body });
        Assert.Contains("<code class=\"issue-path\">ratio</code> → <span class=\"issue-message\">Invalid enum value. Expected &#x27;1280:720&#x27;, received &#x27;999:1&#x27;</span>", html);
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

    [Fact]
    public async Task A_request_path_with_markup_is_text_in_the_history_page_never_markup()
    {
        var session = new PortalSession("org_a", "<b>org</b>", "k", "key_0", false, "csrf\"token");
        var row = new HistoryRow { Id = 1, At = 1_700_000_000_000, Method = "GET", Path = "/v1/<script>alert(1)</script>", Endpoint = "GET /v1/x", Status = 404,
            RequestId = "req_\"><img src=x>", ResponseStart = "{\"error\":\"No route <img src=x onerror=alert(1)>\"}" };
        var html = await PortalRender.HtmlAsync<HistoryList>(new()
        {
            ["Session"] = session, ["Form"] = new HistoryPages.HistoryForm(false, null, null, null, null, null, "\"><script>"), ["Rows"] = new List<HistoryRow> { row },
        });
        Assert.DoesNotContain("<script>", html);
        Assert.DoesNotContain("<img", html);
        Assert.DoesNotContain("<b>org</b>", html);
        Assert.Contains("/v1/&lt;script&gt;alert(1)&lt;/script&gt;", html);
        Assert.Contains("No route &lt;img src=x onerror=alert(1)&gt;", html);
        Assert.Contains("value=\"csrf&quot;token\"", html);
    }

    [Theory]
    [InlineData("{\"error\":\"Validation of body failed\",\"issues\":[{\"path\":[\"ratio\"],\"message\":\"Invalid enum value\"},{\"path\":[\"duration\"],\"message\":\"Too big\"}]}",
        "Validation of body failed — ratio: Invalid enum value (+1 more)")]
    [InlineData("{\"error\":\"No route matches GET /v1/nope.\"}", "No route matches GET /v1/nope.")]
    [InlineData("{\"detail\":\"Not found\"}", "Not found")]
    [InlineData("{\"error\":\"Cut \\\"short\\\" here\",\"issues\":[{\"path\":[\"ra", "Cut \"short\" here")]
    public void A_history_row_shows_the_error_message_and_its_first_issue_even_from_a_cut_off_body(string body, string expected) =>
        Assert.Equal(expected, ErrorBodyView.RowMessage(body));

    [Fact]
    public void Copy_as_curl_names_no_key_quotes_the_body_for_the_shell_and_uses_the_public_base_url()
    {
        var row = new HistoryDetail { Method = "POST", Path = "/v1/text_to_video", KeyPrefix = "key_0123abcd", RequestType = "application/json",
            RequestBody = "{\"promptText\":\"it's $HOME\"}", Endpoint = "POST /v1/text_to_video" };
        var curl = CurlCommand.Build("https://reelay.example/", row);
        Assert.StartsWith("curl -X POST 'https://reelay.example/v1/text_to_video'", curl);
        Assert.Contains("-H \"Authorization: Bearer $RUNWAYML_API_SECRET\"", curl);
        Assert.Contains("-H 'X-Runway-Version: 2024-11-06'", curl);
        Assert.Contains("--data-raw '{\"promptText\":\"it'\\''s $HOME\"}'", curl);
        Assert.DoesNotContain("key_0123abcd", curl);
    }

    [Theory]
    [InlineData("GET", "v1/tasks/{id}", "6F1E8A7C-1111-2222-3333-444455556666", "6f1e8a7c-1111-2222-3333-444455556666")]
    [InlineData("GET", "v1/tasks/{id}", "not-a-task", null)]
    [InlineData("GET", "v1/organization", null, null)]
    [InlineData("GET", "v1/sora/generations/{id}", "6f1e8a7c-1111-2222-3333-444455556666", "6f1e8a7c-1111-2222-3333-444455556666")]
    public void A_logged_request_names_the_task_in_its_route(string method, string? route, string? id, string? expected) =>
        Assert.Equal(expected, RequestTasks.FromRoute(method, route, id));

    [Theory]
    [InlineData("{\"id\":\"6f1e8a7c-1111-2222-3333-444455556666\"}", "6f1e8a7c-1111-2222-3333-444455556666")]
    [InlineData("{\"data\":{\"task_id\":\"6f1e8a7c-1111-2222-3333-444455556666\"}}", "6f1e8a7c-1111-2222-3333-444455556666")]
    [InlineData("{\"id\":\"org_123\"}", null)]
    [InlineData("not json", null)]
    public void A_create_answer_names_the_task_it_created(string body, string? expected) =>
        Assert.Equal(expected, RequestTasks.FromCreateResponse(System.Text.Encoding.UTF8.GetBytes(body)));

    [Theory]
    [InlineData(0, "just now")]
    [InlineData(42_000, "42 s ago")]
    [InlineData(300_000, "5 min ago")]
    [InlineData(3 * 3_600_000, "3 h ago")]
    [InlineData(2 * 86_400_000, "2 d ago")]
    public void Relative_times_read_as_people_say_them(long ago, string expected) =>
        Assert.Equal(expected, PortalFormat.Relative(1_700_000_000_000 - ago, 1_700_000_000_000));
}
