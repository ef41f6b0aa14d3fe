using System.Net.Http.Headers;
using System.Text.Json;
using Amazon.S3.Model;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Blobs;

/// <summary>An S3 endpoint and a real server whose blobs live in its bucket, under the prefix "reelay/".</summary>
public sealed class S3ServerFixture : IAsyncLifetime
{
    public const string Prefix = "reelay/";
    public S3Endpoint S3 { get; } = new();
    public ServerProcess Server { get; private set; } = null!;
    public ReelayApi Api { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await S3.InitializeAsync();
        Server = await ServerProcess.StartAsync(settings: S3.ServerSettings(Prefix));
        Api = new ReelayApi(Server);
    }

    public async Task DisposeAsync()
    {
        if (Server is not null) await Server.DisposeAsync();
        await S3.DisposeAsync();
    }
}

public class S3ServerTests(S3ServerFixture fixture) : IClassFixture<S3ServerFixture>
{
    private readonly ReelayApi _api = fixture.Api;
    private S3Endpoint S3 => fixture.S3;

    /// <summary>The keys in the bucket under a prefix, with their sizes.</summary>
    private static async Task<Dictionary<string, long>> ObjectsAsync(S3Endpoint s3, string prefix)
    {
        using var client = s3.CreateClient();
        var listing = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = s3.Bucket, Prefix = prefix });
        return listing.S3Objects.ToDictionary(o => o.Key, o => o.Size);
    }

    /// <summary>Files in a server's own blob directory: with the S3 store there must be none.</summary>
    private static List<string> LocalBlobFiles(ServerProcess server)
    {
        var blobs = Path.Combine(server.DataDirectory, "blobs");
        return Directory.Exists(blobs) ? [.. Directory.EnumerateFiles(blobs, "*", SearchOption.AllDirectories)] : [];
    }

    private static async Task<(int Status, byte[] Body, string? ContentRange)> GetRangeAsync(string url, string range)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("Range", range);
        using var response = await ReelayApi.Client.SendAsync(request);
        var contentRange = response.Content.Headers.TryGetValues("Content-Range", out var values) ? values.Single() : null;
        return ((int)response.StatusCode, await response.Content.ReadAsByteArrayAsync(), contentRange);
    }

    private static async Task<JsonElement> SucceededAsync(ReelayApi api, string key, string id)
    {
        var task = await api.WaitForAsync(key, id, ReelayApi.IsTerminal);
        Assert.True(task.GetProperty("status").GetString() == "SUCCEEDED", task.ToString());
        return task;
    }

    private static void AssertMp4(byte[] bytes)
    {
        var file = Path.Combine(TestPaths.NewTempDirectory("reelay-out"), "out.mp4");
        File.WriteAllBytes(file, bytes);
        Assert.Equal("h264", Media.Probe(file).Codec);
    }

    [Fact]
    public async Task A_task_output_is_stored_in_the_bucket_and_served_from_it_with_ranges()
    {
        var tenant = await _api.NewTenantAsync();
        var id = await _api.CreateTextTaskAsync(tenant.Key);
        var url = (await SucceededAsync(_api, tenant.Key, id)).GetProperty("output")[0].GetString()!;
        var video = await ReelayApi.DownloadAsync(url);
        AssertMp4(video);

        var stored = await ObjectsAsync(S3, $"{S3ServerFixture.Prefix}outputs/{id}/");
        Assert.Equal(video.Length, Assert.Single(stored).Value);
        Assert.Empty(LocalBlobFiles(fixture.Server));

        var (status, body, contentRange) = await GetRangeAsync(url, "bytes=10-99");
        Assert.Equal((206, $"bytes 10-99/{video.Length}"), (status, contentRange));
        Assert.Equal(video[10..100], body);
        (status, body, contentRange) = await GetRangeAsync(url, "bytes=-100");
        Assert.Equal((206, $"bytes {video.Length - 100}-{video.Length - 1}/{video.Length}"), (status, contentRange));
        Assert.Equal(video[^100..], body);
        (status, _, contentRange) = await GetRangeAsync(url, $"bytes={video.Length}-");
        Assert.Equal((416, $"bytes */{video.Length}"), (status, contentRange));
    }

    [Fact]
    public async Task An_uploaded_image_goes_to_the_bucket_and_renders_as_an_image_to_video_prompt()
    {
        var tenant = await _api.NewTenantAsync();
        var upload = await _api.PostAsync("/v1/uploads", tenant.Key, new { filename = "photo.png", type = "ephemeral" });
        Assert.Equal(200, upload.Status);
        using var form = new MultipartFormDataContent();
        foreach (var field in upload.Body.GetProperty("fields").EnumerateObject()) form.Add(new StringContent(field.Value.GetString()!), field.Name);
        var file = new ByteArrayContent(Media.Image(640, 360));
        file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        form.Add(file, "file", "photo.png");
        using (var posted = await ReelayApi.Client.PostAsync(upload.Body.GetProperty("uploadUrl").GetString(), form))
            Assert.Equal(204, (int)posted.StatusCode);
        var uploadId = upload.Body.GetProperty("fields").GetProperty("key").GetString()!;
        Assert.Equal(Media.Image(640, 360).Length, Assert.Single(await ObjectsAsync(S3, $"{S3ServerFixture.Prefix}uploads/{uploadId}")).Value);

        var created = await _api.PostAsync("/v1/image_to_video", tenant.Key,
            new { model = "gen4_turbo", promptImage = upload.Body.GetProperty("runwayUri").GetString(), ratio = "1280:720", duration = 2 });
        Assert.True(created.Status == 200, created.Body.ToString());
        var id = created.Body.GetProperty("id").GetString()!;
        var task = await SucceededAsync(_api, tenant.Key, id);
        AssertMp4(await ReelayApi.DownloadAsync(task.GetProperty("output")[0].GetString()!));
        Assert.NotEmpty(await ObjectsAsync(S3, $"{S3ServerFixture.Prefix}inputs/{id}/"));
        Assert.Empty(LocalBlobFiles(fixture.Server));
    }

    [Fact]
    public async Task Deleting_a_task_removes_its_inputs_and_outputs_from_the_bucket()
    {
        var tenant = await _api.NewTenantAsync();
        var created = await _api.PostAsync("/v1/image_to_video", tenant.Key,
            new { model = "gen4_turbo", promptImage = Media.DataUri(640, 360), ratio = "1280:720", duration = 2 });
        Assert.Equal(200, created.Status);
        var id = created.Body.GetProperty("id").GetString()!;
        await SucceededAsync(_api, tenant.Key, id);
        Assert.NotEmpty(await ObjectsAsync(S3, $"{S3ServerFixture.Prefix}inputs/{id}/"));
        Assert.NotEmpty(await ObjectsAsync(S3, $"{S3ServerFixture.Prefix}outputs/{id}/"));

        Assert.Equal(204, (await _api.DeleteTaskAsync(tenant.Key, id)).Status);
        Assert.Equal(404, (await _api.GetTaskAsync(tenant.Key, id)).Status);
        Assert.Empty(await ObjectsAsync(S3, $"{S3ServerFixture.Prefix}inputs/{id}/"));
        Assert.Empty(await ObjectsAsync(S3, $"{S3ServerFixture.Prefix}outputs/{id}/"));
    }

    [Fact]
    public async Task Readyz_checks_the_s3_blob_store()
    {
        var ready = await _api.SendAsync(HttpMethod.Get, "/readyz", key: null);
        Assert.True(ready.Status == 200, ready.Body.ToString());
        var blobStore = ready.Body.GetProperty("checks").GetProperty("blobStore");
        Assert.True(blobStore.GetProperty("ok").GetBoolean());
        Assert.Equal("s3", blobStore.GetProperty("kind").GetString());
        Assert.Empty(await ObjectsAsync(S3, $"{S3ServerFixture.Prefix}tmp/")); // the probe cleans up after itself
    }

    [Fact]
    public async Task Readyz_is_503_with_a_clear_error_once_the_s3_endpoint_is_gone()
    {
        await using var s3 = await S3Endpoint.StartAsync();
        await using var server = await ServerProcess.StartAsync(settings: s3.ServerSettings());
        var api = new ReelayApi(server);
        Assert.Equal(200, (await api.SendAsync(HttpMethod.Get, "/readyz", key: null)).Status);

        await s3.KillAsync();
        var down = await api.SendAsync(HttpMethod.Get, "/readyz", key: null);
        Assert.True(down.Status == 503, down.Body.ToString());
        var checks = down.Body.GetProperty("checks");
        Assert.True(checks.GetProperty("database").GetProperty("ok").GetBoolean());
        var blobStore = checks.GetProperty("blobStore");
        Assert.False(blobStore.GetProperty("ok").GetBoolean());
        Assert.Equal("s3", blobStore.GetProperty("kind").GetString());
        Assert.StartsWith("Could not reach S3", blobStore.GetProperty("error").GetString());
        Assert.Contains(s3.Endpoint, blobStore.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_create_whose_inputs_cannot_be_stored_is_a_503_with_retry_after_and_charges_nothing()
    {
        await using var s3 = await S3Endpoint.StartAsync();
        await using var server = await ServerProcess.StartAsync(settings: s3.ServerSettings());
        var api = new ReelayApi(server);
        var tenant = await api.NewTenantAsync(credits: 1000);
        await s3.KillAsync();
        var body = new { model = "gen4_turbo", promptImage = Media.DataUri(640, 360), ratio = "1280:720", duration = 2 };
        var refused = await api.PostAsync("/v1/image_to_video", tenant.Key, body);
        Assert.True(refused.Status == 503, refused.Body.ToString());
        Assert.Equal(Reelay.Server.Features.Tasks.Submission.StorageUnavailableMessage, refused.Error);
        Assert.Equal(TimeSpan.FromSeconds(5), refused.Response.Headers.RetryAfter?.Delta);
        var org = await api.AdminAsync(HttpMethod.Get, $"/admin/v1/organizations/{tenant.OrgId}");
        Assert.Equal(1000, org.GetProperty("creditBalance").GetInt64());
    }

    [Fact]
    public async Task Readyz_names_a_bucket_that_does_not_exist()
    {
        var settings = S3.ServerSettings();
        settings["Blobs:S3:Bucket"] = "no-such-bucket";
        await using var server = await ServerProcess.StartAsync(settings: settings);
        var down = await new ReelayApi(server).SendAsync(HttpMethod.Get, "/readyz", key: null);
        Assert.Equal(503, down.Status);
        var error = down.Body.GetProperty("checks").GetProperty("blobStore").GetProperty("error").GetString();
        Assert.Contains("'no-such-bucket'", error);
        Assert.Contains("does not exist", error);
    }

    [Fact]
    public async Task The_server_refuses_to_start_on_s3_without_a_bucket()
    {
        var settings = S3.ServerSettings();
        settings.Remove("Blobs:S3:Bucket");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ServerProcess.StartAsync(settings: settings));
        Assert.Contains("Blobs:S3:Bucket is not set", error.Message);
    }

    [Fact]
    public async Task An_output_url_signed_by_one_node_downloads_from_another_that_shares_only_the_bucket_and_database()
    {
        // One database (the shared data directory holds the SQLite file) and one bucket; no blob is on either node's disk.
        var dataDirectory = TestPaths.NewTempDirectory("reelay-nodes");
        var settings = S3.ServerSettings("two-nodes/");
        await using var nodeA = await ServerProcess.StartAsync(dataDirectory, settings);
        await using var nodeB = await ServerProcess.StartAsync(dataDirectory, settings);
        var (a, b) = (new ReelayApi(nodeA), new ReelayApi(nodeB));
        var tenant = await a.NewTenantAsync();
        var id = await a.CreateTextTaskAsync(tenant.Key);
        var signedByA = new Uri((await SucceededAsync(a, tenant.Key, id)).GetProperty("output")[0].GetString()!);
        Assert.Equal(nodeA.BaseUrl.Port, signedByA.Port);

        var onB = new UriBuilder(signedByA) { Port = nodeB.BaseUrl.Port }.Uri.ToString();
        var video = await ReelayApi.DownloadAsync(onB);
        AssertMp4(video);
        Assert.Equal(video, await ReelayApi.DownloadAsync(signedByA.ToString()));
        var (status, body, _) = await GetRangeAsync(onB, "bytes=0-9");
        Assert.Equal(206, status);
        Assert.Equal(video[..10], body);
        Assert.Empty(LocalBlobFiles(nodeA));
        Assert.Single(await ObjectsAsync(S3, $"two-nodes/outputs/{id}/"));
    }
}
