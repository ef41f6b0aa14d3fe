using System.Net.Http.Headers;
using System.Text.Json;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Api;

/// <summary>
/// Audio inputs of the audio endpoints on a real server, as a create sees them: each reason text of assets.md for
/// audio over https (a local HTTPS asset server), as a data URI and as an upload, at the path of the field that
/// carried it; voice_isolation's 4.6 s–3600 s bound; and the reference-audio totals.
/// </summary>
public class AudioInputTests(PatientAssetFixture fixture) : IClassFixture<PatientAssetFixture>
{
    private readonly ReelayApi _api = fixture.Api;
    private readonly AssetServer _assets = fixture.Assets;

    private static readonly byte[] Wav6 = Media.Audio(6, "wav");

    private static string Unique(string name) => $"/{Guid.NewGuid():N}/{name}";

    private string Serve(byte[] body, string? contentType, long? declaredLength = null, int status = 200)
    {
        var path = Unique("voice.wav");
        _assets.MapFile(path, body, contentType, declaredLength, status: status);
        return fixture.Url(path);
    }

    /// <summary>A voice_isolation create with the URI; the single issue's path and message.</summary>
    private async Task<(string Path, string Message)> IsolationIssueAsync(string uri, string? key = null)
    {
        key ??= (await _api.NewTenantAsync()).Key;
        var reply = await _api.PostAsync("/v1/voice_isolation", key, new { model = "eleven_voice_isolation", audioUri = uri });
        Assert.True(reply.Status == 400, $"{reply.Status}: {reply.Body}");
        Assert.Equal("Validation of body failed", reply.Error);
        var issue = Assert.Single(reply.Body.GetProperty("issues").EnumerateArray());
        Assert.Equal("custom", issue.GetProperty("code").GetString());
        return (issue.GetProperty("path").GetRawText(), issue.GetProperty("message").GetString()!);
    }

    private async Task<string> IsolationReasonAsync(string uri)
    {
        var (path, message) = await IsolationIssueAsync(uri);
        Assert.Equal("""["audioUri"]""", path);
        return message;
    }

    public static TheoryData<string, string> UrlCases => new()
    {
        { "https://exa mple.com/voice.wav", "Invalid URL" },
        { "http://good.assets.test/voice.wav", "Only HTTPS URLs are allowed." },
        { "https://127.0.0.1/voice.wav", "URLs must be hosted on a domain." },
        { "https://loopback.evil.test/voice.wav", "URL resolves to an address that is not public." },
    };

    [Theory]
    [MemberData(nameof(UrlCases))]
    public async Task An_audio_url_refused_before_any_fetch_says_why(string uri, string reason) =>
        Assert.Equal(reason, await IsolationReasonAsync(uri));

    [Fact]
    public async Task An_audio_host_that_does_not_answer_is_a_failed_fetch() =>
        Assert.Equal("Failed to fetch asset. The URL may be incorrect or the server hosting the asset may be down.",
            await IsolationReasonAsync($"https://{AssetFixture.Closed}:{fixture.ClosedPort}/voice.wav"));

    [Fact]
    public async Task An_audio_url_answering_404_reports_the_status() =>
        Assert.Equal("Failed to fetch asset. Received HTTP response code \"404\".", await IsolationReasonAsync(Serve(Wav6, "audio/wav", status: 404)));

    [Fact]
    public async Task A_slow_audio_server_times_out()
    {
        var path = Unique("slow.wav");
        _assets.MapHangHeaders(path, TimeSpan.FromSeconds(PatientAssetFixture.TimeoutSeconds + 4));
        Assert.Equal("Timeout while fetching asset.", await IsolationReasonAsync(fixture.Url(path)));
    }

    [Fact]
    public async Task Audio_content_types_sizes_and_contents_are_checked_in_the_documented_order()
    {
        Assert.Equal("Assets must use an approved Content-Type response header. We received \"application/octet-stream\", which is not allowed.",
            await IsolationReasonAsync(Serve(Wav6, "application/octet-stream")));
        Assert.Equal("Unsupported Content-Type response header: \"image/png\".", await IsolationReasonAsync(Serve(Wav6, "image/png")));
        Assert.Equal("Content-Length not provided", await IsolationReasonAsync(Serve(Wav6, "audio/wav", declaredLength: -1)));
        Assert.Equal("Asset size exceeds 32.0MB.", await IsolationReasonAsync(Serve(Wav6, "audio/wav", declaredLength: Wav6.Length + 100)));
        Assert.Equal("Invalid asset. The content could not be read as audio/mpeg.", await IsolationReasonAsync(Serve(Media.Image(64, 64), "audio/mpeg")));
    }

    [Fact]
    public async Task Audio_data_uris_are_checked_like_urls()
    {
        Assert.Equal("Invalid data URI.", await IsolationReasonAsync("data:audio/wav;base64,@@@"));
        Assert.Equal("Unsupported asset type. Data URIs must include the content type of the value they encode.", await IsolationReasonAsync("data:image/png;base64,iVBORw0KGgo="));
        Assert.Equal("Invalid asset. The content could not be read as audio/wav.", await IsolationReasonAsync($"data:audio/wav;base64,{Convert.ToBase64String(Media.Image(64, 64))}"));
    }

    [Fact]
    public async Task An_unknown_upload_uri_is_refused_with_the_upload_reason() =>
        Assert.Equal("Unknown upload URI. Create an upload with POST /v1/uploads and use the runwayUri it returns.",
            await IsolationReasonAsync("runway://uploads/00000000-0000-0000-0000-000000000000"));

    [Theory]
    [InlineData(3, "Invalid asset duration. Audio duration must be between 4.6 and 3600 seconds. Got 3.")]
    [InlineData(4.5, "Invalid asset duration. Audio duration must be between 4.6 and 3600 seconds. Got 4.5.")]
    public async Task Voice_isolation_refuses_audio_shorter_than_4_6_seconds(double seconds, string reason) =>
        Assert.Equal(reason, await IsolationReasonAsync(Serve(Media.Audio(seconds, "wav"), "audio/wav")));

    [Fact]
    public async Task Voice_isolation_refuses_audio_longer_than_an_hour()
    {
        // An hour and a second of 8 kHz mono PCM is 58 MB: too big for a URL, so it goes up as an upload (200 MB).
        var tenant = await _api.NewTenantAsync();
        var uri = await UploadAsync(tenant.Key, Media.Audio(3601, "wav", "-ar", "8000", "-ac", "1"), "long.wav");
        var (path, message) = await IsolationIssueAsync(uri, tenant.Key);
        Assert.Equal("""["audioUri"]""", path);
        Assert.Equal("Invalid asset duration. Audio duration must be between 4.6 and 3600 seconds. Got 3601.", message);
    }

    [Fact]
    public async Task An_uploaded_audio_file_isolates_with_the_price_of_its_length()
    {
        var tenant = await _api.NewTenantAsync();
        var uri = await UploadAsync(tenant.Key, Media.Audio(12, "mp3", "-c:a", "libmp3lame"), "voice.mp3");
        var reply = await _api.PostAsync("/v1/voice_isolation", tenant.Key, new { model = "eleven_voice_isolation", audioUri = uri });
        Assert.True(reply.Status == 200, reply.Body.ToString());
        // 1 credit per 6 s of input: 12 s (and the MP3's few ms of padding) is 3 credits, rounded up.
        Assert.InRange(reply.Body.GetProperty("estimatedCost").GetProperty("credits").GetInt64(), 2, 3);
        var task = await _api.WaitForAsync(tenant.Key, reply.Body.GetProperty("id").GetString()!, ReelayApi.IsTerminal, TimeSpan.FromMinutes(2));
        Assert.Equal("SUCCEEDED", task.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Issues_of_nested_audio_fields_name_their_whole_path()
    {
        var tenant = await _api.NewTenantAsync();
        var sts = await _api.PostAsync("/v1/speech_to_speech", tenant.Key,
            new { model = "eleven_multilingual_sts_v2", media = new { type = "audio", uri = "data:audio/wav;base64,@@@" }, voice = new { type = "runway-preset", presetId = "Maya" } });
        Assert.Equal(400, sts.Status);
        Assert.Equal("""["media","uri"]""", sts.Body.GetProperty("issues")[0].GetProperty("path").GetRawText());
        var effect = await _api.PostAsync("/v1/sound_effect", tenant.Key,
            new { model = "seed_audio", promptText = "@Audio1 in the rain", referenceAudios = new[] { Serve(Wav6, "audio/wav"), Serve(Wav6, "text/plain") } });
        Assert.Equal(400, effect.Status);
        var issue = Assert.Single(effect.Body.GetProperty("issues").EnumerateArray());
        Assert.Equal("""["referenceAudios",1]""", issue.GetProperty("path").GetRawText());
        Assert.Equal("Unsupported Content-Type response header: \"text/plain\".", issue.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Reference_audio_over_the_models_total_is_refused_at_the_list()
    {
        var tenant = await _api.NewTenantAsync(credits: 100_000);
        var clip = Media.Audio(9, "wav");
        var reply = await _api.PostAsync("/v1/text_to_video", tenant.Key, new
        {
            model = "seedance2", promptText = "a drummer", ratio = "1280:720", duration = 4,
            referenceAudio = new[] { new { type = "audio", uri = Serve(clip, "audio/wav") }, new { type = "audio", uri = Serve(clip, "audio/x-wav") } },
        });
        Assert.Equal(400, reply.Status);
        var issue = Assert.Single(reply.Body.GetProperty("issues").EnumerateArray());
        Assert.Equal("""["referenceAudio"]""", issue.GetProperty("path").GetRawText());
        Assert.Equal("Invalid asset duration. The total duration of referenceAudio must be at most 15 seconds. Got 18.", issue.GetProperty("message").GetString());
    }

    /// <summary>POST /v1/uploads, then the multipart form as the SDK posts it; returns the runway:// URI.</summary>
    private async Task<string> UploadAsync(string key, byte[] file, string filename)
    {
        var created = await _api.PostAsync("/v1/uploads", key, new { filename, type = "ephemeral" });
        Assert.Equal(200, created.Status);
        using var form = new MultipartFormDataContent();
        foreach (var field in created.Body.GetProperty("fields").EnumerateObject()) form.Add(new StringContent(field.Value.GetString()!), field.Name);
        var part = new ByteArrayContent(file);
        part.Headers.ContentType = new MediaTypeHeaderValue("audio/wav");
        form.Add(part, "file", filename);
        using var response = await ReelayApi.Client.PostAsync(created.Body.GetProperty("uploadUrl").GetString()!, form);
        Assert.True((int)response.StatusCode == 204, await response.Content.ReadAsStringAsync());
        return created.Body.GetProperty("runwayUri").GetString()!;
    }
}
