using System.Net;
using System.Net.Sockets;
using Amazon.S3.Model;
using Microsoft.Extensions.Configuration;
using Reelay.Server.Features.Blobs;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Blobs;

/// <summary>What only the S3 store has: its settings, what its errors say, and listings longer than one page.</summary>
[Trait("Database", "independent")] // the blob store on its own: no server, no database
public class S3BlobStoreTests(S3Endpoint s3) : IClassFixture<S3Endpoint>
{
    private readonly string _temporaryDirectory = TestPaths.NewTempDirectory("reelay-blob-tmp");

    private S3BlobStore Store(string? bucket = null, string? endpoint = null, string accessKey = S3Endpoint.AccessKey, string? prefix = null) =>
        new(new S3BlobStoreOptions(endpoint ?? s3.Endpoint, bucket ?? s3.Bucket, accessKey, S3Endpoint.SecretKey, "us-east-1", prefix ?? $"s3-{Guid.NewGuid():N}/"), _temporaryDirectory);

    private static S3BlobStoreOptions Options(params (string Key, string Value)[] settings) =>
        S3BlobStoreOptions.From(new ConfigurationBuilder().AddInMemoryCollection(settings.ToDictionary(s => s.Key, s => (string?)s.Value)).Build());

    [Fact]
    public void The_settings_need_a_bucket_and_say_so()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Options(("Blobs:Provider", "s3"), ("Blobs:S3:Endpoint", "http://127.0.0.1:9000")));
        Assert.Contains("Blobs:S3:Bucket", error.Message);
    }

    [Fact]
    public void An_access_key_without_a_secret_key_is_refused()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Options(("Blobs:S3:Bucket", "b"), ("Blobs:S3:AccessKey", "AKIA")));
        Assert.Contains("Blobs:S3:SecretKey", error.Message);
    }

    [Fact]
    public void The_settings_default_to_us_east_1_and_make_the_prefix_a_folder()
    {
        var options = Options(("Blobs:S3:Bucket", "media"), ("Blobs:S3:Prefix", "/reelay"), ("Blobs:S3:AccessKey", "a"), ("Blobs:S3:SecretKey", "s"));
        Assert.Equal(new S3BlobStoreOptions(null, "media", "a", "s", "us-east-1", "reelay/"), options);
        Assert.Equal("", Options(("Blobs:S3:Bucket", "media")).Prefix);
    }

    [Fact]
    public async Task Blobs_are_stored_under_the_prefix_as_plain_objects()
    {
        var store = Store(prefix: "team-a/reelay/");
        await store.WriteAsync("outputs/t1/lease.mp4", [1, 2, 3]);
        using var client = s3.CreateClient();
        using var response = await client.GetObjectAsync(s3.Bucket, "team-a/reelay/outputs/t1/lease.mp4");
        var copy = new MemoryStream();
        await response.ResponseStream.CopyToAsync(copy);
        Assert.Equal(new byte[] { 1, 2, 3 }, copy.ToArray());
    }

    [Fact]
    public async Task Deleting_a_key_removes_more_objects_than_one_listing_page_holds()
    {
        var store = Store();
        var keys = Enumerable.Range(0, 1005).Select(i => $"outputs/many/{i:D4}.mp4").ToList();
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (key, token) => await store.WriteAsync(key, [7], token));
        await store.WriteAsync("outputs/many-more/kept.mp4", [8]);

        await store.DeleteAsync("outputs/many");
        foreach (var key in new[] { keys[0], keys[999], keys[1000], keys[^1] }) Assert.Null(await store.SizeAsync(key));
        Assert.Equal(1, await store.SizeAsync("outputs/many-more/kept.mp4"));
    }

    [Fact]
    public async Task The_probe_of_a_bucket_that_does_not_exist_fails_naming_the_bucket()
    {
        var store = Store(bucket: "no-such-bucket");
        var error = await Assert.ThrowsAsync<IOException>(() => store.ProbeAsync());
        Assert.Contains("'no-such-bucket'", error.Message);
        Assert.Contains("does not exist", error.Message);
        Assert.Contains(s3.Endpoint, error.Message);
    }

    [Fact]
    public async Task The_probe_with_an_unknown_access_key_fails_saying_the_credentials_were_refused()
    {
        // s3rver checks the access key but not V4 signatures, so a wrong access key is the refusal it can show.
        var store = Store(accessKey: "NOT-A-KEY");
        var error = await Assert.ThrowsAsync<IOException>(() => store.ProbeAsync());
        Assert.Contains("S3 refused", error.Message);
        Assert.Contains("InvalidAccessKeyId", error.Message);
        Assert.Contains("Blobs:S3:AccessKey", error.Message);
    }

    [Fact]
    public async Task The_probe_of_an_endpoint_that_is_not_there_fails_saying_it_could_not_be_reached()
    {
        // A port that was free a moment ago: nothing listens there, so connections are refused.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var store = Store(endpoint: $"http://127.0.0.1:{port}");
        var error = await Assert.ThrowsAsync<IOException>(() => store.ProbeAsync());
        Assert.StartsWith("Could not reach S3", error.Message);
        Assert.Contains($"127.0.0.1:{port}", error.Message);
    }

    [Fact]
    public async Task The_probe_of_an_endpoint_that_never_answers_gives_up_at_its_deadline()
    {
        // Accepts connections and says nothing: without the deadline the probe (and /readyz) would wait for minutes.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var accepted = new List<TcpClient>();
        var accepting = Task.Run(async () =>
        {
            try { while (true) accepted.Add(await silent.AcceptTcpClientAsync()); }
            catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
        });
        var store = Store(endpoint: $"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}");
        var error = await Assert.ThrowsAsync<TimeoutException>(() => store.ProbeAsync(TimeSpan.FromSeconds(1)));
        Assert.Equal("The s3 blob store did not answer within 1 s.", error.Message);
        silent.Stop();
        await accepting;
        foreach (var client in accepted) client.Dispose();
    }

    [Fact]
    public async Task Missing_objects_read_as_missing_but_a_missing_bucket_is_an_error_on_read()
    {
        var store = Store(bucket: "no-such-bucket");
        var error = await Assert.ThrowsAsync<IOException>(() => store.OpenReadAsync("outputs/x/lease.mp4"));
        Assert.Contains("does not exist", error.Message);
        await Assert.ThrowsAsync<IOException>(() => store.GetLocalFileAsync("inputs/x/first.png", _temporaryDirectory));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_temporaryDirectory));
    }

    [Fact]
    public async Task A_listing_of_the_bucket_shows_no_temporary_or_partial_objects_after_a_refused_write()
    {
        var prefix = $"s3-{Guid.NewGuid():N}/";
        var store = Store(prefix: prefix);
        await store.WriteCappedAsync("uploads/too-big", new MemoryStream(new byte[2000]), cap: 1000);
        using var client = s3.CreateClient();
        var listing = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = s3.Bucket, Prefix = prefix });
        Assert.Empty(listing.S3Objects);
    }
}
