using System.Text;
using System.Text.Json;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Api;

/// <summary>JSON that is valid grammar but not text, and bodies whose HTTP framing is broken: a clear 4xx on every surface, never a 500.</summary>
public class MalformedJsonTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly ReelayApi _api = fixture.Api;

    private void AssertNoServerError() => Assert.DoesNotContain("An unhandled exception has occurred", fixture.Server.Output);

    private static IEnumerable<string> Issues(JsonElement body) =>
        body.GetProperty("issues").EnumerateArray().Select(i => $"{i.GetProperty("code").GetString()} {i.GetProperty("path").GetRawText()} {i.GetProperty("message").GetString()}");

    [Fact]
    public async Task A_lone_surrogate_in_promptText_is_a_400_validation_error_naming_the_field()
    {
        var tenant = await _api.NewTenantAsync();
        var reply = await _api.SendAsync(HttpMethod.Post, "/v1/text_to_video", tenant.Key,
            rawBody: """{"model":"gen4.5","promptText":"a\ud800b","ratio":"1280:720","duration":2}""");
        Assert.Equal(400, reply.Status);
        Assert.Equal("Validation of body failed", reply.Error);
        Assert.Equal([@"invalid_string [""promptText""] Invalid string: contains an unpaired UTF-16 surrogate (\ud800)"], Issues(reply.Body));
        Assert.StartsWith(_api.BaseUrl.ToString().TrimEnd('/') + "/docs/errors#validation", reply.Body.GetProperty("docUrl").GetString());
        Assert.True(reply.Response.Headers.Contains("X-Request-Id"));
        AssertNoServerError();
    }

    [Theory]
    [InlineData("/v1/image_to_video", """{"model":"gen4_turbo","promptImage":"data:image/png;base64,\ud800","ratio":"1280:720"}""", "[\"promptImage\"]")]
    [InlineData("/v1/video_to_video", """{"model":"gen4_aleph","videoUri":"https://example.com/\udc00.mp4","promptText":"x"}""", "[\"videoUri\"]")]
    [InlineData("/v1/assets/check", """{"uri":"https://example.com/\ud800.png","kind":"image"}""", "[\"uri\"]")]
    [InlineData("/v1/uploads", """{"filename":"photo\ud800.png","type":"ephemeral"}""", "[\"filename\"]")]
    [InlineData("/v1/organization/usage", """{"startDate":"2026-01-0\ud8001"}""", "[\"startDate\"]")]
    [InlineData("/v1/text_to_video", """{"model":"gen4.5","promptText":"ok","ratio":"1280:720","duration":2,"tags":[["x","\udfff"]]}""", "[\"tags\",0,1]")]
    public async Task A_lone_surrogate_on_any_runway_endpoint_is_a_400_at_its_path(string path, string body, string issuePath)
    {
        var tenant = await _api.NewTenantAsync();
        var reply = await _api.SendAsync(HttpMethod.Post, path, tenant.Key, rawBody: body);
        Assert.Equal(400, reply.Status);
        var issue = Assert.Single(reply.Body.GetProperty("issues").EnumerateArray());
        Assert.Equal(("invalid_string", issuePath), (issue.GetProperty("code").GetString(), issue.GetProperty("path").GetRawText()));
        Assert.StartsWith("Invalid string: contains an unpaired UTF-16 surrogate", issue.GetProperty("message").GetString());
        AssertNoServerError();
    }

    [Fact]
    public async Task A_lone_surrogate_in_a_property_name_is_an_invalid_key_at_the_repaired_name()
    {
        var tenant = await _api.NewTenantAsync();
        var reply = await _api.SendAsync(HttpMethod.Post, "/v1/text_to_video", tenant.Key,
            rawBody: """{"model":"gen4.5","promptText":"ok","ratio":"1280:720","duration":2,"extra\udc00":1}""");
        Assert.Equal(400, reply.Status);
        Assert.Equal(["invalid_key [\"extra\ufffd\"] Invalid key: contains an unpaired UTF-16 surrogate (\\udc00)"], Issues(reply.Body));
        AssertNoServerError();
    }

    [Fact]
    public async Task Raw_bytes_that_are_not_utf8_are_a_400_at_their_field()
    {
        var tenant = await _api.NewTenantAsync();
        var body = Encoding.ASCII.GetBytes("""{"model":"gen4.5","promptText":"a?b","ratio":"1280:720","duration":2}""");
        body[Array.IndexOf(body, (byte)'?')] = 0xFF;
        var reply = await _api.SendAsync(HttpMethod.Post, "/v1/text_to_video", tenant.Key, configure: r =>
            r.Content = new ByteArrayContent(body) { Headers = { ContentType = new("application/json") } });
        Assert.Equal(400, reply.Status);
        Assert.Equal(["invalid_string [\"promptText\"] Invalid string: is not valid UTF-8 (byte 0xFF)"], Issues(reply.Body));
    }

    [Fact]
    public async Task A_lone_surrogate_in_a_runblob_prompt_is_a_422_in_the_pydantic_shape()
    {
        var tenant = await _api.NewTenantAsync();
        var reply = await _api.SendAsync(HttpMethod.Post, "/v1/sora/generate", tenant.Key,
            rawBody: """{"prompt":"a red fox\ud800","orientation":"16:9","duration":10}""");
        Assert.Equal(422, reply.Status);
        var error = Assert.Single(reply.Body.GetProperty("detail").EnumerateArray());
        Assert.Equal("string_unicode", error.GetProperty("type").GetString());
        Assert.Equal("""["body","prompt"]""", error.GetProperty("loc").GetRawText());
        Assert.Equal("Input should be a valid string, unable to parse raw data as a unicode string", error.GetProperty("msg").GetString());
        Assert.Equal("a red fox\ufffd", error.GetProperty("input").GetString());
        AssertNoServerError();
    }

    private Task<RawHttp.Answer> PostChunkedAsync(string path, string? authorization, string contentType = "application/json")
    {
        List<string> headers = ["X-Runway-Version: 2024-11-06", $"Content-Type: {contentType}", "Transfer-Encoding: chunked", "X-Request-Id: chunk-test-1"];
        if (authorization is not null) headers.Add($"Authorization: {authorization}");
        return RawHttp.SendAsync(_api.BaseUrl, $"POST {path}", headers, "ffffffffffffffffff\r\nabc\r\n0\r\n\r\n");
    }

    [Fact]
    public async Task A_chunk_size_that_overflows_is_a_400_in_the_runway_and_runblob_shapes()
    {
        var tenant = await _api.NewTenantAsync();
        var runway = await PostChunkedAsync("/v1/text_to_video", "Bearer " + tenant.Key);
        Assert.Equal(400, runway.Status);
        Assert.Equal("The request body could not be read: Bad chunk size data.", JsonDocument.Parse(runway.Body).RootElement.GetProperty("error").GetString());
        var runBlob = await PostChunkedAsync("/v1/sora/generate", "Bearer " + tenant.Key);
        Assert.Equal(400, runBlob.Status);
        Assert.Equal("The request body could not be read: Bad chunk size data.", JsonDocument.Parse(runBlob.Body).RootElement.GetProperty("detail").GetString());
        var admin = await PostChunkedAsync("/admin/v1/organizations", "Bearer " + ServerProcess.AdminToken);
        Assert.Equal(400, admin.Status);
        Assert.True(JsonDocument.Parse(admin.Body).RootElement.TryGetProperty("error", out _));
        AssertNoServerError();
    }

    [Fact]
    public async Task Answers_of_the_error_handler_carry_the_request_id_in_the_surface_shape()
    {
        var tenant = await _api.NewTenantAsync();
        // ReadFormAsync and the multipart reader let Kestrel's error through to the app's error handler.
        var portal = await PostChunkedAsync("/portal/sign-in", null, "application/x-www-form-urlencoded");
        Assert.Equal((400, "chunk-test-1"), (portal.Status, portal.Headers["X-Request-Id"]));
        Assert.StartsWith("text/html", portal.Headers["Content-Type"]);
        Assert.Contains("The request could not be read: Bad chunk size data.", portal.Body);

        var upload = await _api.PostAsync("/v1/uploads", tenant.Key, new { filename = "a.png", type = "ephemeral" });
        var uploadPath = new Uri(upload.Body.GetProperty("uploadUrl").GetString()!).AbsolutePath;
        var form = await PostChunkedAsync(uploadPath, null, "multipart/form-data; boundary=B");
        Assert.Equal((400, "chunk-test-1"), (form.Status, form.Headers["X-Request-Id"]));
        Assert.Equal("The request could not be read: Bad chunk size data.", JsonDocument.Parse(form.Body).RootElement.GetProperty("error").GetString());
        AssertNoServerError();
    }

    [Fact]
    public async Task Null_limits_for_a_model_on_the_admin_api_are_a_400_saying_so()
    {
        var tenant = await _api.NewTenantAsync();
        var reply = await _api.SendAsync(HttpMethod.Put, $"/admin/v1/organizations/{tenant.OrgId}/limits", ServerProcess.AdminToken,
            rawBody: """{"models":{"gen4.5":null}}""");
        Assert.Equal(400, reply.Status);
        Assert.StartsWith("Limits for 'gen4.5' must be an object", reply.Error);
        AssertNoServerError();
    }
}
