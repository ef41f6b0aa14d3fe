using System.Text;
using System.Text.Json;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Reliability;

/// <summary>
/// Issue 16's exact requests that have no test of their own elsewhere (the others: MalformedJsonTests, MalformedFormTests,
/// RunBlobTests, WorkerInputTests, PublicUrlTests, TaskLifecycleTests).
/// </summary>
public class IssueRegressionTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task A_50_mb_chunked_body_to_assets_check_is_answered_with_a_413_in_the_runway_shape()
    {
        var tenant = await fixture.Api.NewTenantAsync();
        var body = new MemoryStream();
        var chunk = Encoding.ASCII.GetBytes(new string('x', 1 << 20));
        body.Write("8\r\n{\"uri\":\"\r\n"u8);
        for (var i = 0; i < 50; i++) { body.Write(Encoding.ASCII.GetBytes($"{chunk.Length:x}\r\n")); body.Write(chunk); body.Write("\r\n"u8); }
        body.Write("0\r\n\r\n"u8);
        var request = new RequestBuilder(fixture.Server.BaseUrl.Authority).Build("POST", "/v1/assets/check",
            [("Authorization", "Bearer " + tenant.Key), ("X-Runway-Version", ReelayApi.RunwayVersion), ("Content-Type", "application/json"), ("Transfer-Encoding", "chunked")],
            body.ToArray(), contentLength: false);
        var result = await RawExchange.SendAsync(fixture.Server.BaseUrl, request, halfClose: false, isHead: false, TimeSpan.FromSeconds(15));
        Assert.True(result.Outcome == RawExchange.Outcome.Answered, $"{result.Outcome}: {result.Error}");
        Assert.Equal(413, result.Answer!.Status);
        Assert.NotEqual("", result.Answer.Header("X-Request-Id"));
        Assert.StartsWith("The request body is larger than", JsonDocument.Parse(result.Answer.Body).RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task An_openapi_document_that_does_not_exist_is_the_json_404_not_a_framework_text_page()
    {
        var reply = await fixture.Api.SendAsync(HttpMethod.Get, "/openapi/no-such-document.json", key: null);
        Assert.Equal(404, reply.Status);
        Assert.StartsWith("No route matches GET /openapi/no-such-document.json", reply.Error);
    }
}
