using System.Net.Http.Headers;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Api;

public class UploadTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly ReelayApi _api = fixture.Api;

    private async Task<(string Uri, string UploadUrl, Dictionary<string, string> Fields)> CreateUploadAsync(string key)
    {
        var reply = await _api.PostAsync("/v1/uploads", key, new { filename = "photo.png", type = "ephemeral" });
        Assert.Equal(200, reply.Status);
        var fields = reply.Body.GetProperty("fields").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        return (reply.Body.GetProperty("runwayUri").GetString()!, reply.Body.GetProperty("uploadUrl").GetString()!, fields);
    }

    private static async Task<int> PostFileAsync(string uploadUrl, Dictionary<string, string> fields, byte[] file)
    {
        using var form = new MultipartFormDataContent();
        foreach (var (name, value) in fields) form.Add(new StringContent(value), name);
        var part = new ByteArrayContent(file);
        part.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        form.Add(part, "file", "photo.png");
        using var response = await ReelayApi.Client.PostAsync(uploadUrl, form);
        return (int)response.StatusCode;
    }

    [Fact]
    public async Task An_uploaded_image_is_usable_by_its_organization_only()
    {
        var a = await _api.NewTenantAsync();
        var b = await _api.NewTenantAsync();
        var (uri, url, fields) = await CreateUploadAsync(a.Key);
        Assert.Equal(204, await PostFileAsync(url, fields, Media.Image(640, 360)));
        Assert.Equal(409, await PostFileAsync(url, fields, Media.Image(640, 360)));

        var ok = await _api.PostAsync("/v1/image_to_video", a.Key, new { model = "gen4_turbo", promptImage = uri, ratio = "1280:720", duration = 2 });
        Assert.Equal(200, ok.Status);
        var foreign = await _api.PostAsync("/v1/image_to_video", b.Key, new { model = "gen4_turbo", promptImage = uri, ratio = "1280:720", duration = 2 });
        Assert.Equal(400, foreign.Status);
        Assert.StartsWith("Unknown upload URI.", foreign.Body.GetProperty("issues")[0].GetProperty("message").GetString());
    }

    [Fact]
    public async Task Unknown_unfinished_and_expired_upload_uris_are_clear_400s()
    {
        var tenant = await _api.NewTenantAsync();
        async Task<string> MessageAsync(string uri) =>
            (await _api.PostAsync("/v1/image_to_video", tenant.Key, new { model = "gen4_turbo", promptImage = uri, ratio = "1280:720" }))
                .Body.GetProperty("issues")[0].GetProperty("message").GetString()!;

        Assert.StartsWith("Unknown upload URI.", await MessageAsync("runway://uploads/0123456789abcdef0123456789abcdef"));
        var (pendingUri, _, _) = await CreateUploadAsync(tenant.Key);
        Assert.StartsWith("Nothing has been uploaded to this URI yet.", await MessageAsync(pendingUri));

        var (uri, url, fields) = await CreateUploadAsync(tenant.Key);
        Assert.Equal(204, await PostFileAsync(url, fields, Media.Image(640, 360)));
        Assert.Equal(1, await TestDatabase.ExecuteAsync(fixture.Server, "UPDATE uploads SET expires_at = 1 WHERE id = @id", new { id = uri.Split('/').Last() }));
        Assert.StartsWith("This upload has expired", await MessageAsync(uri));
    }

    [Fact]
    public async Task The_upload_form_needs_its_token_and_a_file_of_at_least_512_bytes()
    {
        var tenant = await _api.NewTenantAsync();
        var (_, url, fields) = await CreateUploadAsync(tenant.Key);
        Assert.Equal(403, await PostFileAsync(url, new Dictionary<string, string> { ["key"] = fields["key"], ["token"] = new string('0', 64) }, Media.Image(640, 360)));
        Assert.Equal(400, await PostFileAsync(url, fields, new byte[100]));
        var bad = await _api.PostAsync("/v1/uploads", tenant.Key, new { filename = "", type = "permanent" });
        Assert.Equal(400, bad.Status);
        Assert.Equal(2, bad.Body.GetProperty("issues").GetArrayLength());
    }
}
