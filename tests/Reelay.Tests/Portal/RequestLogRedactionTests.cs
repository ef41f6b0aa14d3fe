using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Reelay.Server.Features.RequestLog;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Portal;

public class RequestLogRedactionTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly ReelayApi _api = fixture.Api;

    private static byte[] FakePng(int size)
    {
        var bytes = RandomNumberGenerator.GetBytes(size);
        new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }.CopyTo(bytes, 0);
        return bytes;
    }

    [Fact]
    public async Task A_request_with_a_3_mb_data_uri_is_stored_as_media_type_size_and_hash_only()
    {
        var tenant = await _api.NewTenantAsync();
        var image = FakePng(2_300_000); // base64: about 3 MB
        var dataUri = "data:image/png;base64," + Convert.ToBase64String(image);
        Assert.InRange(dataUri.Length, 3_000_000, 3_200_000);
        var reply = await _api.PostAsync("/v1/image_to_video", tenant.Key, new { model = "gen4_turbo", promptImage = dataUri, ratio = "1280:720", duration = 5 });
        Assert.Equal(400, reply.Status); // random bytes are no image: the request fails, and is logged all the same

        var entry = await RequestLogDb.WaitForAsync(fixture.Server, reply.Response.Headers.GetValues("X-Request-Id").Single());
        Assert.Equal(tenant.OrgId, entry.OrgId);
        Assert.Equal("POST /v1/image_to_video", entry.Endpoint);
        Assert.True(entry.RequestBytes > 3_000_000);
        Assert.True(entry.RequestBody!.Length < 1000, $"stored body is {entry.RequestBody.Length} characters");
        using var body = JsonDocument.Parse(entry.RequestBody);
        var stored = body.RootElement.GetProperty("promptImage");
        Assert.True(stored.GetProperty("redacted").GetBoolean());
        Assert.Equal("image/png", stored.GetProperty("mediaType").GetString());
        Assert.Equal(image.Length, stored.GetProperty("bytes").GetInt64());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(image)), stored.GetProperty("sha256").GetString());
        Assert.Equal("gen4_turbo", body.RootElement.GetProperty("model").GetString());
        Assert.Contains("\"error\"", entry.ResponseBody);
    }

    [Fact]
    public void Data_uris_anywhere_in_the_body_become_their_summary_and_other_values_stay()
    {
        var png = FakePng(5000);
        var json = JsonSerializer.Serialize(new
        {
            model = "gen4.5",
            promptText = "a lighthouse at dusk",
            promptImage = new[] { new { uri = "data:image/png;base64," + Convert.ToBase64String(png), position = "first" } },
            duration = 5,
        });
        var stored = BodyRedaction.Redact(Encoding.UTF8.GetBytes(json), "application/json", 65536)!;
        using var document = JsonDocument.Parse(stored);
        var root = document.RootElement;
        Assert.Equal("a lighthouse at dusk", root.GetProperty("promptText").GetString());
        Assert.Equal(5, root.GetProperty("duration").GetInt32());
        var uri = root.GetProperty("promptImage")[0].GetProperty("uri");
        Assert.Equal(5000, uri.GetProperty("bytes").GetInt64());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(png)), uri.GetProperty("sha256").GetString());
        Assert.Equal("first", root.GetProperty("promptImage")[0].GetProperty("position").GetString());
    }

    [Fact]
    public void Long_raw_base64_is_summarised_with_a_sniffed_media_type_and_short_strings_are_kept()
    {
        var png = FakePng(2000);
        var json = JsonSerializer.Serialize(new { image_base64 = Convert.ToBase64String(png), prompt = "short", token = "QUJD" });
        using var document = JsonDocument.Parse(BodyRedaction.Redact(Encoding.UTF8.GetBytes(json), "application/json; charset=utf-8", 65536)!);
        var image = document.RootElement.GetProperty("image_base64");
        Assert.Equal("image/png", image.GetProperty("mediaType").GetString());
        Assert.Equal(2000, image.GetProperty("bytes").GetInt64());
        Assert.Equal("QUJD", document.RootElement.GetProperty("token").GetString());
        Assert.Equal("short", document.RootElement.GetProperty("prompt").GetString());
    }

    [Fact]
    public void Api_keys_in_bodies_are_cut_to_their_prefix()
    {
        var key = "key_" + new string('a', 128);
        var stored = BodyRedaction.Redact(Encoding.UTF8.GetBytes($"{{\"note\":\"my key is {key}\"}}"), "application/json", 65536)!;
        Assert.DoesNotContain(key, stored);
        Assert.Contains("key_aaaaaaaa…", stored);
    }

    [Fact]
    public void A_small_broken_json_body_is_kept_as_text_and_a_large_binary_body_only_as_its_summary()
    {
        Assert.Equal("{\"model\": ", BodyRedaction.Redact(Encoding.UTF8.GetBytes("{\"model\": "), "application/json", 65536));
        var binary = RandomNumberGenerator.GetBytes(100_000);
        using var summary = JsonDocument.Parse(BodyRedaction.Redact(binary, "multipart/form-data; boundary=x", 65536)!);
        Assert.Equal("multipart/form-data", summary.RootElement.GetProperty("mediaType").GetString());
        Assert.Equal(100_000, summary.RootElement.GetProperty("bytes").GetInt64());
    }

    [Fact]
    public void A_stored_body_is_cut_at_the_limit_and_says_so()
    {
        var json = JsonSerializer.Serialize(new { promptText = new string('x', 900) });
        var stored = BodyRedaction.Redact(Encoding.UTF8.GetBytes(json), "application/json", 100)!;
        Assert.StartsWith(json[..100], stored);
        Assert.Contains("truncated", stored);
    }
}
