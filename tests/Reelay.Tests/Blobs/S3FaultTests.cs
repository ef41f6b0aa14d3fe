using System.Text.Json;
using Reelay.Server.Features.Tasks;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Blobs;

/// <summary>
/// The S3 endpoint stops mid-load and comes back: while it is gone, creates that must store an input are a 503 with
/// Retry-After and cost nothing, a task that cannot store its output fails with INTERNAL and gets its credits back,
/// nothing answers a 500; once it is back the same requests work again and older outputs download as before.
/// </summary>
public class S3FaultTests
{
    private static object ImageToVideo() => new { model = "gen4_turbo", promptImage = Media.DataUri(640, 360), ratio = "1280:720", duration = 2 };

    [Fact]
    public async Task Stopping_the_s3_endpoint_mid_load_fails_running_tasks_with_internal_refunds_them_and_work_resumes_when_it_returns()
    {
        await using var s3 = await S3Endpoint.StartAsync();
        await using var server = await ServerProcess.StartAsync(settings: s3.ServerSettings("fault/"));
        var api = new ReelayApi(server);
        var tenant = await api.NewTenantAsync(credits: 10_000);
        await api.AdminAsync(HttpMethod.Put, $"/admin/v1/organizations/{tenant.OrgId}/limits",
            new { models = new Dictionary<string, object> { ["gen4.5"] = new { maxConcurrentGenerations = 10 }, ["gen4_turbo"] = new { maxConcurrentGenerations = 10 } } });

        // Before: one finished task whose output lives in the bucket, and one still rendering when the endpoint goes.
        var before = await api.CreateTextTaskAsync(tenant.Key);
        var beforeUrl = (await api.WaitForAsync(tenant.Key, before, ReelayApi.IsTerminal)).GetProperty("output")[0].GetString()!;
        var beforeBytes = await ReelayApi.DownloadAsync(beforeUrl);
        var running = await api.CreateTextTaskAsync(tenant.Key, simulate: "delay=3");
        await api.WaitForAsync(tenant.Key, running, s => s == "RUNNING");
        var balanceWhileRunning = await BalanceAsync(api, tenant.OrgId);

        await s3.KillAsync();
        var refused = await api.PostAsync("/v1/image_to_video", tenant.Key, ImageToVideo());
        Assert.True(refused.Status == 503, refused.Body.ToString());
        Assert.Equal(Submission.StorageUnavailableMessage, refused.Error);
        Assert.NotNull(refused.Response.Headers.RetryAfter);
        var runBlob = await api.SendAsync(HttpMethod.Post, "/v1/sora/generate", tenant.Key,
            new { prompt = "a red fox in snow", orientation = "16:9", duration = 10, image_base64 = Convert.ToBase64String(Media.Image(1280, 720)) });
        Assert.True(runBlob.Status == 503, runBlob.Body.ToString());
        Assert.True(runBlob.Response.Headers.RetryAfter is not null, "RunBlob's 503 carries Retry-After");
        Assert.Equal(JsonValueKind.String, runBlob.Body.GetProperty("detail").ValueKind);

        var failed = await api.WaitForAsync(tenant.Key, running, ReelayApi.IsTerminal);
        Assert.Equal(("FAILED", "INTERNAL"), (failed.GetProperty("status").GetString(), failed.GetProperty("failureCode").GetString()));
        // The hold is released and nothing charged: the balance is what it was before the task was created.
        Assert.Equal(balanceWhileRunning + 24, await BalanceAsync(api, tenant.OrgId));
        // Reads of what the bucket holds are a 503 too, never a 500.
        using (var output = await ReelayApi.Client.GetAsync(beforeUrl))
            Assert.True((int)output.StatusCode == 503, $"an output with the store down answered {(int)output.StatusCode}");
        Assert.Equal(503, (await api.SendAsync(HttpMethod.Get, "/readyz", key: null)).Status);
        Assert.Equal(200, (await api.GetTaskAsync(tenant.Key, before)).Status);

        await s3.RestartAsync();
        await WaitForAsync(async () => (await api.SendAsync(HttpMethod.Get, "/readyz", key: null)).Status == 200);
        Assert.Equal(beforeBytes, await ReelayApi.DownloadAsync(beforeUrl));
        var resumed = await api.PostAsync("/v1/image_to_video", tenant.Key, ImageToVideo());
        Assert.True(resumed.Status == 200, resumed.Body.ToString());
        var after = await api.WaitForAsync(tenant.Key, resumed.Body.GetProperty("id").GetString()!, ReelayApi.IsTerminal);
        Assert.Equal("SUCCEEDED", after.GetProperty("status").GetString());
        Assert.DoesNotContain("An unhandled exception has occurred", server.Output);
    }

    private static async Task<long> BalanceAsync(ReelayApi api, string orgId) =>
        (await api.AdminAsync(HttpMethod.Get, $"/admin/v1/organizations/{orgId}")).GetProperty("creditBalance").GetInt64();

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold within 30 s");
            await Task.Delay(200);
        }
    }
}
