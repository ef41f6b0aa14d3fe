using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Reelay.Server.Features.RequestLog;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Portal;

/// <summary>
/// One huge string (issue 15): the request log redacts it from the body's bytes without a parsed document, and a
/// create's JSON reader shares the request log's copy of the body. What is stored, and what the surfaces answer.
/// </summary>
public class RequestLogLongStringTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly ReelayApi _api = fixture.Api;

    private static string RequestId(ReelayApi.Reply reply) => reply.Response.Headers.GetValues("X-Request-Id").Single();

    [Fact]
    public async Task A_13_mb_base64_prompt_is_refused_by_field_and_logged_as_its_summary()
    {
        var tenant = await _api.NewTenantAsync();
        var prompt = new string('a', 13_000_000); // every character is base64: the log hashes what it decodes to
        var reply = await _api.SendAsync(HttpMethod.Post, "/v1/text_to_image", tenant.Key,
            rawBody: $"{{\"model\":\"gen4_image\",\"ratio\":\"1280:720\",\"promptText\":\"{prompt}\"}}");
        Assert.Equal(400, reply.Status);
        var issue = Assert.Single(reply.Body.GetProperty("issues").EnumerateArray());
        Assert.Equal("""["promptText"]""", issue.GetProperty("path").GetRawText());

        var entry = await RequestLogDb.WaitForAsync(fixture.Server, RequestId(reply));
        Assert.True(entry.RequestBody!.Length < 1000, $"stored body is {entry.RequestBody.Length} characters");
        using var stored = JsonDocument.Parse(entry.RequestBody);
        Assert.Equal("gen4_image", stored.RootElement.GetProperty("model").GetString());
        var summary = stored.RootElement.GetProperty("promptText");
        var decoded = Convert.FromBase64String(prompt);
        Assert.Equal(decoded.Length, summary.GetProperty("bytes").GetInt64());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(decoded)), summary.GetProperty("sha256").GetString());
    }

    [Fact]
    public async Task A_13_mb_text_prompt_is_refused_by_field_and_logged_cut_with_a_marker()
    {
        var tenant = await _api.NewTenantAsync();
        var prompt = string.Concat(Enumerable.Repeat("a red fox in snow ", 13_000_000 / 18));
        var reply = await _api.SendAsync(HttpMethod.Post, "/v1/gemini/generate", tenant.Key,
            rawBody: $"{{\"prompt\":\"{prompt}\",\"aspect_ratio\":\"1:1\"}}");
        Assert.Equal(422, reply.Status);
        var error = Assert.Single(reply.Body.GetProperty("detail").EnumerateArray());
        Assert.Equal(("string_too_long", """["body","prompt"]"""), (error.GetProperty("type").GetString(), error.GetProperty("loc").GetRawText()));

        var entry = await RequestLogDb.WaitForAsync(fixture.Server, RequestId(reply));
        Assert.StartsWith("{\"prompt\":\"a red fox in snow a red fox", entry.RequestBody);
        Assert.Contains("…", entry.RequestBody);
        Assert.Contains("\n… (truncated: ", entry.RequestBody);
        Assert.InRange(entry.RequestBody!.Length, 65_536, 65_700);
    }

    [Fact]
    public async Task A_create_read_from_the_request_logs_copy_of_the_body_works_with_and_without_a_content_length()
    {
        var tenant = await _api.NewTenantAsync();
        var body = new { model = "gen4.5", promptText = "a lighthouse at dusk", ratio = "1280:720", duration = 2 };
        var chunked = await _api.PostAsync("/v1/text_to_video", tenant.Key, body); // JsonContent: no Content-Length
        var sized = await _api.SendAsync(HttpMethod.Post, "/v1/text_to_video", tenant.Key, rawBody: JsonSerializer.Serialize(body));
        foreach (var reply in new[] { chunked, sized })
        {
            Assert.Equal(200, reply.Status);
            var entry = await RequestLogDb.WaitForAsync(fixture.Server, RequestId(reply));
            Assert.Equal("a lighthouse at dusk", JsonDocument.Parse(entry.RequestBody!).RootElement.GetProperty("promptText").GetString());
        }
    }

    [Fact]
    public void Escaped_and_undecodable_long_strings_are_summarised_as_from_their_text()
    {
        var bytes = Enumerable.Range(0, 5000).Select(i => (byte)(i * 7)).ToArray();
        var base64 = Convert.ToBase64String(bytes);
        // "\/" is how some encoders (PHP's) write every slash; the hash is still of the decoded bytes.
        var escaped = BodyRedaction.Redact(Encoding.UTF8.GetBytes($"{{\"image\":\"{base64.Replace("/", "\\/")}\"}}"), "application/json", 65536);
        Assert.Equal($"{{\"image\":{BodyRedaction.RedactString(base64)}}}", escaped);

        var paddedInside = new string('a', 3000) + "==" + new string('a', 3000);
        var undecodable = BodyRedaction.Redact(Encoding.UTF8.GetBytes($"{{\"image\":\"{paddedInside}\"}}"), "application/json", 65536);
        Assert.Equal($"{{\"image\":{BodyRedaction.RedactString(paddedInside)}}}", undecodable);
        Assert.Contains("application/octet-stream", undecodable);

        var notBase64 = "data:image/png;base64," + new string('!', 3000);
        var uri = BodyRedaction.Redact(Encoding.UTF8.GetBytes($"{{\"image\":\"{notBase64}\"}}"), "application/json", 65536);
        Assert.Equal($"{{\"image\":{BodyRedaction.RedactString(notBase64)}}}", uri);
    }

    [Fact]
    public void A_huge_property_name_is_cut_and_multibyte_text_is_cut_by_characters()
    {
        var name = new string('k', 200_000);
        var stored = BodyRedaction.Redact(Encoding.UTF8.GetBytes($"{{\"{name}\":1}}"), "application/json", 1_000_000)!;
        Assert.Equal($"{{\"{name[..BodyRedaction.LongTextBytes]}…\":1}}", stored);

        var text = string.Concat(Enumerable.Repeat("żółw 🐢 ", 100));
        Assert.Equal(BodyRedaction.Truncate(text, 101), BodyRedaction.TruncateUtf8(Encoding.UTF8.GetBytes(text), 101));
        Assert.Equal(text, BodyRedaction.TruncateUtf8(Encoding.UTF8.GetBytes(text), text.Length));
    }
}
