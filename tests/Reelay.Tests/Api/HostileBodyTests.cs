using System.Text;
using System.Text.Json;
using Reelay.Server.Features.RequestLog;
using Reelay.Server.Features.RunBlob;
using Reelay.Server.Infrastructure;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Api;

/// <summary>
/// Bodies built to cost memory (issue 15): every surface answers a small, bounded 4xx in its own shape. bench/memory
/// measures what they cost; these check the answers.
/// </summary>
public class HostileBodyTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly ReelayApi _api = fixture.Api;

    private static string UnknownKeys(string fields, int count) =>
        "{" + fields + "," + string.Join(",", Enumerable.Range(0, count).Select(i => $"\"k{i}\":0")) + "}";

    private void AssertNoServerError() => Assert.DoesNotContain("An unhandled exception has occurred", fixture.Server.Output);

    [Fact]
    public async Task A_body_with_more_keys_than_any_request_has_is_refused_before_it_is_parsed_on_both_surfaces()
    {
        var tenant = await _api.NewTenantAsync();
        var runway = await _api.SendAsync(HttpMethod.Post, "/v1/text_to_video", tenant.Key,
            rawBody: UnknownKeys("\"model\":\"gen4.5\",\"promptText\":\"x\",\"ratio\":\"1280:720\"", JsonBody.MaxTokens));
        Assert.Equal((400, JsonBody.TooManyTokens), (runway.Status, runway.Error));
        Assert.EndsWith("/docs/errors#request-body", runway.Body.GetProperty("docUrl").GetString());

        var runBlob = await _api.SendAsync(HttpMethod.Post, "/v1/gemini/generate", tenant.Key, rawBody: UnknownKeys("\"prompt\":\"x\"", JsonBody.MaxTokens));
        Assert.Equal((422, JsonBody.TooManyTokens), (runBlob.Status, runBlob.Body.GetProperty("detail").GetString()));
        AssertNoServerError();
    }

    [Fact]
    public async Task Many_unknown_keys_below_the_cap_are_still_one_bounded_unrecognized_keys_issue()
    {
        var tenant = await _api.NewTenantAsync();
        var reply = await _api.SendAsync(HttpMethod.Post, "/v1/text_to_video", tenant.Key,
            rawBody: UnknownKeys("\"model\":\"gen4.5\",\"promptText\":\"x\",\"ratio\":\"1280:720\",\"duration\":2", 3000));
        Assert.Equal(400, reply.Status);
        var issue = Assert.Single(reply.Body.GetProperty("issues").EnumerateArray());
        Assert.Equal("unrecognized_keys", issue.GetProperty("code").GetString());
        Assert.EndsWith("and 2900 more", issue.GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_runblob_list_of_thousands_of_wrong_items_lists_the_first_errors_and_counts_the_rest()
    {
        var tenant = await _api.NewTenantAsync();
        var body = "{\"prompt\":\"a fox\",\"images\":[" + string.Join(",", Enumerable.Repeat("12345", 3000)) + "]}";
        var reply = await _api.SendAsync(HttpMethod.Post, "/v1/gemini/generate", tenant.Key, rawBody: body);
        Assert.Equal(422, reply.Status);
        var errors = reply.Body.GetProperty("detail").EnumerateArray().ToList();
        Assert.Equal(PydanticBody.MaxErrors, errors.Count);
        Assert.Equal("""["body","images",0]""", errors[0].GetProperty("loc").GetRawText());
        Assert.Equal("string_type", errors[0].GetProperty("type").GetString());
        Assert.Equal("too_many_errors", errors[^1].GetProperty("type").GetString());
        Assert.StartsWith($"{3000 - (PydanticBody.MaxErrors - 1)} more error(s)", errors[^1].GetProperty("msg").GetString());
        AssertNoServerError();
    }

    [Fact]
    public async Task A_runblob_error_echoes_a_huge_input_cut_short_not_whole()
    {
        var tenant = await _api.NewTenantAsync();
        var reply = await _api.SendAsync(HttpMethod.Post, "/v1/gemini/generate", tenant.Key, rawBody: $"{{\"prompt\":\"{new string('a', 200_000)}\"}}");
        Assert.Equal(422, reply.Status);
        var error = Assert.Single(reply.Body.GetProperty("detail").EnumerateArray());
        Assert.Equal("string_too_long", error.GetProperty("type").GetString());
        Assert.Equal(new string('a', PydanticEcho.MaxStringLength) + "…", error.GetProperty("input").GetString());
        Assert.True(reply.Body.GetRawText().Length < 2000, reply.Body.GetRawText()[..300]);

        // "missing" echoes the body: a large one keeps its first entries.
        var missing = await _api.SendAsync(HttpMethod.Post, "/v1/gemini/generate", tenant.Key, rawBody: UnknownKeys("\"aspect_ratio\":\"1:1\"", 500));
        var input = Assert.Single(missing.Body.GetProperty("detail").EnumerateArray()).GetProperty("input");
        Assert.Equal(PydanticEcho.MaxEntries, input.EnumerateObject().Count());
        Assert.Equal("1:1", input.GetProperty("aspect_ratio").GetString());
    }

    [Fact]
    public async Task A_small_runblob_input_is_still_echoed_exactly_as_sent()
    {
        var tenant = await _api.NewTenantAsync();
        var reply = await _api.SendAsync(HttpMethod.Post, "/v1/gemini/generate", tenant.Key, rawBody: """{"prompt":"x","images":[1,"https://example.com/a.png"]}""");
        var error = Assert.Single(reply.Body.GetProperty("detail").EnumerateArray());
        Assert.Equal(("""["body","images",0]""", "1"), (error.GetProperty("loc").GetRawText(), error.GetProperty("input").GetRawText()));
    }

    [Fact]
    public async Task An_admin_body_over_a_megabyte_is_a_413_and_an_overlong_organization_name_a_400()
    {
        var big = await _api.SendAsync(HttpMethod.Post, "/admin/v1/organizations", ServerProcess.AdminToken,
            rawBody: $"{{\"name\":\"{new string('a', (int)BodyLimit.SmallJson)}\"}}", configure: r => r.Headers.ExpectContinue = true);
        Assert.Equal(413, big.Status);
        Assert.True(big.Body.GetRawText().Length < 200);

        var longName = await _api.SendAsync(HttpMethod.Post, "/admin/v1/organizations", ServerProcess.AdminToken, new { name = new string('n', 101) });
        Assert.Equal((400, "'name' must be at most 100 characters."), (longName.Status, longName.Error));
        var fits = await _api.SendAsync(HttpMethod.Post, "/admin/v1/organizations", ServerProcess.AdminToken, new { name = new string('n', 100) });
        Assert.Equal(201, fits.Status);
        AssertNoServerError();
    }

    [Fact]
    public void The_request_log_summarises_a_body_over_the_token_cap_instead_of_parsing_it()
    {
        var body = Encoding.UTF8.GetBytes(UnknownKeys("\"promptText\":\"x\"", JsonBody.MaxTokens));
        using var stored = JsonDocument.Parse(BodyRedaction.Redact(body, "application/json", 65536)!);
        Assert.True(stored.RootElement.GetProperty("redacted").GetBoolean());
        Assert.Equal(body.Length, stored.RootElement.GetProperty("bytes").GetInt64());
    }

    [Theory]
    [InlineData("data:image/png;base64,")]
    [InlineData("")]
    public void A_long_payload_read_from_its_bytes_is_summarised_exactly_as_from_its_text(string prefix)
    {
        // URL-safe base64 without padding: both paths must normalise it the same way before hashing.
        var bytes = Enumerable.Range(0, 5000).Select(i => (byte)(i * 7)).ToArray();
        var payload = prefix + Convert.ToBase64String(bytes).Replace('+', '-').Replace('/', '_').TrimEnd('=');
        var stored = BodyRedaction.Redact(Encoding.UTF8.GetBytes($"{{\"image\":\"{payload}\"}}"), "application/json", 65536)!;
        Assert.Equal($"{{\"image\":{BodyRedaction.RedactString(payload)}}}", stored);
        Assert.Contains(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), stored);
    }
}
