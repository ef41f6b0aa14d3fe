using System.Net.Http.Headers;
using System.Text.Json;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Api;

/// <summary>
/// Audio inputs through POST /v1/assets/check on a real server: every reason text of assets.md as it applies to
/// audio arriving over https (a local HTTPS asset server), as a data URI and as a runway:// upload.
/// </summary>
public class AudioIntakeTests(PatientAssetFixture fixture) : IClassFixture<PatientAssetFixture>
{
    private readonly ReelayApi _api = fixture.Api;
    private readonly AssetServer _assets = fixture.Assets;

    private static readonly byte[] Wav = Media.Audio(3, "wav");
    private static readonly byte[] Mp3 = Media.Audio(3, "mp3", "-c:a", "libmp3lame");
    private static readonly byte[] Png = Media.Image(64, 64);

    private static string Unique(string name) => $"/{Guid.NewGuid():N}/{name}";

    private async Task<JsonElement> CheckAsync(string uri, string? key = null)
    {
        key ??= (await _api.NewTenantAsync()).Key;
        var reply = await _api.PostAsync("/v1/assets/check", key, new { uri, kind = "audio" });
        Assert.True(reply.Status == 200, $"{reply.Status}: {reply.Body}");
        Assert.Equal("audio", reply.Body.GetProperty("kind").GetString());
        return reply.Body;
    }

    private async Task<string?> ReasonAsync(string uri) => (await CheckAsync(uri)).GetProperty("reason").GetString();

    private string Serve(byte[] body, string? contentType, long? declaredLength = null)
    {
        var path = Unique("sound.mp3");
        _assets.MapFile(path, body, contentType, declaredLength);
        return fixture.Url(path);
    }

    private static string DataUri(string mediaType, byte[] bytes) => $"data:{mediaType};base64,{Convert.ToBase64String(bytes)}";

    private static void AssertAcceptedWithDuration(JsonElement report, string mediaType)
    {
        Assert.True(report.GetProperty("verdict").GetString() == "accepted", report.ToString());
        var observed = report.GetProperty("observed");
        Assert.Equal(mediaType, observed.GetProperty("mediaType").GetString());
        Assert.InRange(observed.GetProperty("durationSeconds").GetDouble(), 2.95, 3.1);
        Assert.False(observed.TryGetProperty("width", out _), "audio has no dimensions");
        Assert.DoesNotContain(report.GetProperty("checks").EnumerateArray(), c => c.GetProperty("name").GetString() == "dimensions");
    }

    [Fact]
    public async Task A_well_served_wav_passes_with_its_duration_and_no_dimensions() =>
        AssertAcceptedWithDuration(await CheckAsync(Serve(Wav, "audio/wav")), "audio/wav");

    [Fact]
    public async Task Aliases_of_approved_types_pass_under_their_canonical_type()
    {
        AssertAcceptedWithDuration(await CheckAsync(Serve(Mp3, "audio/mp3")), "audio/mpeg");
        AssertAcceptedWithDuration(await CheckAsync(Serve(Wav, "audio/x-wav")), "audio/wav");
    }

    [Fact]
    public async Task An_audio_url_with_a_generic_content_type_is_not_approved() =>
        Assert.Equal("Assets must use an approved Content-Type response header. We received \"application/octet-stream\", which is not allowed.",
            await ReasonAsync(Serve(Mp3, "application/octet-stream")));

    [Theory]
    [InlineData("text/html")]
    [InlineData("image/png")]
    [InlineData("video/mp4")]
    [InlineData("audio/wave")]
    [InlineData("audio/x-m4a")]
    public async Task An_audio_url_with_a_type_not_approved_for_audio_is_unsupported(string contentType) =>
        Assert.Equal($"Unsupported Content-Type response header: \"{contentType}\".", await ReasonAsync(Serve(Mp3, contentType)));

    [Fact]
    public async Task An_audio_url_without_content_length_is_refused() =>
        Assert.Equal("Content-Length not provided", await ReasonAsync(Serve(Mp3, "audio/mpeg", declaredLength: -1)));

    [Fact]
    public async Task An_audio_url_declaring_more_than_32_mb_exceeds_the_limit_before_any_body_byte()
    {
        var path = Unique("long.wav");
        _assets.MapHuge(path, 33L << 20, "audio/wav", 33L << 20);
        Assert.Equal("Asset size exceeds 32.0MB.", await ReasonAsync(fixture.Url(path)));
        Assert.Equal(0, _assets.BytesWritten(path));
    }

    [Fact]
    public async Task An_audio_url_over_the_image_limit_but_within_32_mb_is_downloaded_and_probed()
    {
        var path = Unique("zeros.wav");
        _assets.MapHuge(path, 17L << 20, "audio/wav", 17L << 20);
        var report = await CheckAsync(fixture.Url(path));
        Assert.Equal(17L << 20, report.GetProperty("observed").GetProperty("bytesRead").GetInt64());
        Assert.Equal("Invalid asset. The content could not be read as audio/wav.", report.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Bytes_that_are_not_the_declared_audio_type_cannot_be_read()
    {
        Assert.Equal("Invalid asset. The content could not be read as audio/mpeg.", await ReasonAsync(Serve(Png, "audio/mpeg")));
        Assert.Equal("Invalid asset. The content could not be read as audio/mpeg.", await ReasonAsync(Serve(Wav, "audio/mp3")));
        Assert.Equal("Invalid asset. The content could not be read as audio/flac.", await ReasonAsync(Serve(Mp3, "audio/flac")));
    }

    [Fact]
    public async Task A_valid_audio_data_uri_passes_with_its_duration() =>
        AssertAcceptedWithDuration(await CheckAsync(DataUri("audio/x-wav", Wav)), "audio/wav");

    [Theory]
    [InlineData("data:audio/wav,UklGRg==")]
    [InlineData("data:audio/wav;base64")]
    [InlineData("data:audio/wav;base64,")]
    [InlineData("data:audio/wav;base64,@@@not base64@@@")]
    public async Task A_malformed_audio_data_uri_is_invalid(string uri) => Assert.Equal("Invalid data URI.", await ReasonAsync(uri));

    [Theory]
    [InlineData("data:;base64,UklGRg==")]
    [InlineData("data:audio/wave;base64,UklGRg==")]
    [InlineData("data:image/png;base64,iVBORw0KGgo=")]
    [InlineData("data:video/ogg;base64,T2dnUw==")]
    public async Task A_data_uri_without_an_approved_audio_type_is_unsupported(string uri) =>
        Assert.Equal("Unsupported asset type. Data URIs must include the content type of the value they encode.", await ReasonAsync(uri));

    [Fact]
    public async Task An_audio_data_uri_over_16_mb_exceeds_the_limit()
    {
        // The create and check endpoints cap JSON bodies at 15 MB, so a longer data URI is refused as a body first;
        // the 16 MB rule itself is what the intake says when the URI does reach it (the portal's file check, in-process).
        var uri = "data:audio/wav;base64," + new string('A', 16 << 20);
        var tenant = await _api.NewTenantAsync();
        var reply = await _api.PostAsync("/v1/assets/check", tenant.Key, new { uri, kind = "audio" });
        Assert.Equal(413, reply.Status);
        var (_, report) = await TestIntake.Create().CheckAsync(uri, Reelay.Server.Features.Assets.AssetKind.Audio, null, "org_none", CancellationToken.None);
        Assert.Equal("Asset size exceeds 16.0MB.", report.Reason);
    }

    [Fact]
    public async Task An_audio_data_uri_whose_bytes_are_not_its_type_cannot_be_read()
    {
        Assert.Equal("Invalid asset. The content could not be read as audio/mpeg.", await ReasonAsync(DataUri("audio/mpeg", Png)));
        Assert.Equal("Invalid asset. The content could not be read as audio/ogg.", await ReasonAsync(DataUri("audio/ogg", Wav)));
    }

    [Theory]
    [InlineData("wav", "audio/wav")]
    [InlineData("mp3", "audio/mpeg")]
    [InlineData("ogg", "audio/ogg")]
    [InlineData("m4a", "audio/mp4")]
    public async Task An_uploaded_audio_file_passes_with_its_duration(string extension, string mediaType)
    {
        var bytes = extension switch
        {
            "wav" => Wav,
            "mp3" => Mp3,
            "ogg" => Media.Audio(3, "ogg", "-c:a", "libvorbis"),
            _ => Media.Audio(3, "m4a", "-c:a", "aac"),
        };
        var tenant = await _api.NewTenantAsync();
        var uri = await UploadAsync(tenant.Key, bytes, "sound." + extension);
        AssertAcceptedWithDuration(await CheckAsync(uri, tenant.Key), mediaType);
    }

    [Fact]
    public async Task An_uploaded_png_checked_as_audio_is_refused()
    {
        var tenant = await _api.NewTenantAsync();
        var uri = await UploadAsync(tenant.Key, Media.Image(640, 360), "sound.mp3");
        Assert.Equal("Invalid asset. The content could not be read as audio.", (await CheckAsync(uri, tenant.Key)).GetProperty("reason").GetString());
    }

    [Fact]
    public async Task The_check_names_audio_among_the_kinds_it_takes()
    {
        var tenant = await _api.NewTenantAsync();
        var reply = await _api.PostAsync("/v1/assets/check", tenant.Key, new { uri = Serve(Wav, "audio/wav"), kind = "speech" });
        Assert.Equal(400, reply.Status);
        Assert.Equal("Invalid enum value. Expected 'image' | 'video' | 'audio', received 'speech'", reply.Body.GetProperty("issues")[0].GetProperty("message").GetString());
    }

    /// <summary>POST /v1/uploads, then the multipart form as the SDK posts it; returns the runway:// URI.</summary>
    private async Task<string> UploadAsync(string key, byte[] file, string filename)
    {
        var created = await _api.PostAsync("/v1/uploads", key, new { filename, type = "ephemeral" });
        Assert.Equal(200, created.Status);
        using var form = new MultipartFormDataContent();
        foreach (var field in created.Body.GetProperty("fields").EnumerateObject()) form.Add(new StringContent(field.Value.GetString()!), field.Name);
        var part = new ByteArrayContent(file);
        // A wrong declared type on purpose: uploads are typed by their bytes.
        part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(part, "file", filename);
        using var response = await ReelayApi.Client.PostAsync(created.Body.GetProperty("uploadUrl").GetString()!, form);
        Assert.Equal(204, (int)response.StatusCode);
        return created.Body.GetProperty("runwayUri").GetString()!;
    }
}
