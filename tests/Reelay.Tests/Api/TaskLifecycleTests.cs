using System.Text.Json;
using Reelay.Server.Features.Outputs;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Api;

public class TaskLifecycleTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly ReelayApi _api = fixture.Api;

    private async Task<long> BalanceAsync(string orgId) =>
        (await _api.AdminAsync(HttpMethod.Get, $"/admin/v1/organizations/{orgId}")).GetProperty("creditBalance").GetInt64();

    [Fact]
    public async Task An_image_to_video_task_renders_a_real_mp4_at_the_ratio_size_and_charges_its_price()
    {
        var tenant = await _api.NewTenantAsync(credits: 1000);
        var created = await _api.PostAsync("/v1/image_to_video", tenant.Key,
            new { model = "gen4_turbo", promptImage = Media.DataUri(640, 480), ratio = "960:960", duration = 2, seed = 7 });
        Assert.Equal(200, created.Status);
        Assert.StartsWith("application/json", created.Response.Content.Headers.ContentType!.ToString());
        Assert.Equal(10, created.Body.GetProperty("estimatedCost").GetProperty("credits").GetInt32());
        var id = created.Body.GetProperty("id").GetString()!;
        Assert.True(Guid.TryParse(id, out _));

        var task = await _api.WaitForAsync(tenant.Key, id, ReelayApi.IsTerminal);
        Assert.Equal("SUCCEEDED", task.GetProperty("status").GetString());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", task.GetProperty("createdAt").GetString());
        var url = task.GetProperty("output")[0].GetString()!;
        var file = Path.Combine(TestPaths.NewTempDirectory("reelay-out"), "out.mp4");
        await File.WriteAllBytesAsync(file, await ReelayApi.DownloadAsync(url));
        var facts = Media.Probe(file);
        Assert.Equal(("h264", "yuv420p", 960, 960), (facts.Codec, facts.PixelFormat, facts.Width, facts.Height));
        Assert.InRange(facts.Duration, 1.9, 2.1);
        Assert.Equal(990, await BalanceAsync(tenant.OrgId));
    }

    [Fact]
    public async Task A_task_read_writes_its_signed_output_url_unescaped_as_every_other_answer_does()
    {
        var tenant = await _api.NewTenantAsync();
        var id = await _api.CreateTextTaskAsync(tenant.Key);
        await _api.WaitForAsync(tenant.Key, id, ReelayApi.IsTerminal);
        var read = await _api.GetTaskAsync(tenant.Key, id);
        var url = read.Body.GetProperty("output")[0].GetString()!;
        Assert.Contains('&', url);
        // The raw body, not the parsed one: a strict encoder would write the query's '&' as \u0026.
        var raw = await read.Response.Content.ReadAsStringAsync();
        Assert.Contains($"\"output\":[\"{url}\"]", raw);
    }

    [Fact]
    public async Task Output_urls_support_range_requests_and_each_read_signs_a_fresh_url()
    {
        var tenant = await _api.NewTenantAsync();
        var id = await _api.CreateTextTaskAsync(tenant.Key);
        var task = await _api.WaitForAsync(tenant.Key, id, ReelayApi.IsTerminal);
        var url = task.GetProperty("output")[0].GetString()!;
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(0, 99);
        using var ranged = await ReelayApi.Client.SendAsync(request);
        Assert.Equal(206, (int)ranged.StatusCode);
        Assert.Equal("video/mp4", ranged.Content.Headers.ContentType!.MediaType);
        Assert.Equal(100, (await ranged.Content.ReadAsByteArrayAsync()).Length);
    }

    [Fact]
    public async Task A_range_past_the_end_of_an_output_is_a_416_with_the_size_and_a_json_error()
    {
        var tenant = await _api.NewTenantAsync();
        var id = await _api.CreateTextTaskAsync(tenant.Key);
        var url = (await _api.WaitForAsync(tenant.Key, id, ReelayApi.IsTerminal)).GetProperty("output")[0].GetString()!;
        var size = (await ReelayApi.DownloadAsync(url)).Length;
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.TryAddWithoutValidation("Range", "bytes=999999999-");
        using var response = await ReelayApi.Client.SendAsync(request);
        Assert.Equal(416, (int)response.StatusCode);
        Assert.Equal($"bytes */{size}", response.Content.Headers.GetValues("Content-Range").Single());
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString();
        Assert.StartsWith($"The requested range is not satisfiable: this file is {size} bytes.", error);
        Assert.True(response.Headers.Contains("X-Request-Id"));
    }

    [Fact]
    public async Task Tampered_or_expired_output_urls_are_refused()
    {
        var tenant = await _api.NewTenantAsync();
        var id = await _api.CreateTextTaskAsync(tenant.Key);
        var url = (await _api.WaitForAsync(tenant.Key, id, ReelayApi.IsTerminal)).GetProperty("output")[0].GetString()!;

        var tampered = url.Replace("expires=", "expires=1");
        using var forged = await ReelayApi.Client.GetAsync(tampered);
        Assert.Equal(403, (int)forged.StatusCode);
        Assert.Contains("signature", await forged.Content.ReadAsStringAsync());

        // Sign an already-expired URL with the server's own key, read from its database.
        var key = await TestDatabase.ScalarAsync<string>(fixture.Server, "SELECT value FROM settings WHERE key = 'output_signing_key'");
        var signer = new OutputSigner(Convert.FromBase64String(key!));
        var expiredAt = DateTimeOffset.UtcNow.AddSeconds(-5).ToUnixTimeSeconds();
        using var expired = await ReelayApi.Client.GetAsync(new Uri(_api.BaseUrl, signer.PathAndQuery(id, expiredAt)));
        Assert.Equal(403, (int)expired.StatusCode);
        Assert.Contains("expired", await expired.Content.ReadAsStringAsync());
        using var valid = await ReelayApi.Client.GetAsync(new Uri(_api.BaseUrl, signer.PathAndQuery(id, expiredAt + 3600)));
        Assert.Equal(200, (int)valid.StatusCode);
    }

    [Theory]
    [InlineData("SAFETY.INPUT.IMAGE", true)]
    [InlineData("INTERNAL", false)]
    public async Task A_simulated_failure_ends_failed_with_its_code_and_moderation_failures_are_charged(string code, bool charged)
    {
        var tenant = await _api.NewTenantAsync(credits: 100);
        var id = await _api.CreateTextTaskAsync(tenant.Key, simulate: "fail=" + code);
        var task = await _api.WaitForAsync(tenant.Key, id, ReelayApi.IsTerminal);
        Assert.Equal("FAILED", task.GetProperty("status").GetString());
        Assert.Equal(code, task.GetProperty("failureCode").GetString());
        Assert.False(string.IsNullOrWhiteSpace(task.GetProperty("failure").GetString()));
        Assert.False(task.TryGetProperty("output", out _));
        Assert.Equal(charged ? 76 : 100, await BalanceAsync(tenant.OrgId));
    }

    [Fact]
    public async Task A_delayed_task_stays_running_with_advancing_progress()
    {
        var tenant = await _api.NewTenantAsync();
        var id = await _api.CreateTextTaskAsync(tenant.Key, simulate: "delay=4");
        var first = await _api.WaitForAsync(tenant.Key, id, s => s == "RUNNING");
        await Task.Delay(1500);
        var later = (await _api.GetTaskAsync(tenant.Key, id)).Body;
        Assert.Equal("RUNNING", later.GetProperty("status").GetString());
        Assert.True(later.GetProperty("progress").GetDouble() > first.GetProperty("progress").GetDouble());
        Assert.InRange(later.GetProperty("progress").GetDouble(), 0, 1);
        Assert.Equal("SUCCEEDED", (await _api.WaitForAsync(tenant.Key, id, ReelayApi.IsTerminal)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Delete_cancels_pending_throttled_and_running_tasks_then_deletes_them()
    {
        var tenant = await _api.NewTenantAsync(credits: 1000);
        await _api.AdminAsync(HttpMethod.Put, $"/admin/v1/organizations/{tenant.OrgId}/limits", new { models = new Dictionary<string, object> { ["gen4.5"] = new { maxConcurrentGenerations = 1 } } });
        // Both workers of the fixture busy, so the next task of a free model stays PENDING.
        var running = await _api.CreateTextTaskAsync(tenant.Key, simulate: "delay=60");
        var runningVeo = await _api.CreateTextTaskAsync(tenant.Key, model: "veo3.1", duration: 4, simulate: "delay=60");
        await _api.WaitForAsync(tenant.Key, running, s => s == "RUNNING");
        await _api.WaitForAsync(tenant.Key, runningVeo, s => s == "RUNNING");
        var throttled = await _api.CreateTextTaskAsync(tenant.Key);
        var pending = await _api.CreateTextTaskAsync(tenant.Key, model: "veo3.1_fast", duration: 4);
        Assert.Equal("THROTTLED", (await _api.GetTaskAsync(tenant.Key, throttled)).Body.GetProperty("status").GetString());
        Assert.Equal("PENDING", (await _api.GetTaskAsync(tenant.Key, pending)).Body.GetProperty("status").GetString());
        Assert.Equal(1000 - 24 - 160 - 24 - 60, await BalanceAsync(tenant.OrgId));

        // Pending first: cancelling a running task frees a worker that would otherwise claim it. As the SDK documents,
        // an aborted task is gone afterwards ("aborted and deleted tasks will not be able to be fetched again").
        foreach (var id in new[] { pending, throttled, running, runningVeo })
        {
            Assert.Equal(204, (await _api.DeleteTaskAsync(tenant.Key, id)).Status);
            Assert.Equal(404, (await _api.GetTaskAsync(tenant.Key, id)).Status);
            Assert.Equal(404, (await _api.DeleteTaskAsync(tenant.Key, id)).Status);
        }
        Assert.Equal(1000, await BalanceAsync(tenant.OrgId));
        // The cancelled renders stopped: both workers are free for the next task, which runs at once.
        var next = await _api.CreateTextTaskAsync(tenant.Key);
        Assert.Equal("SUCCEEDED", (await _api.WaitForAsync(tenant.Key, next, ReelayApi.IsTerminal)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Deleting_a_finished_task_removes_it_and_its_output()
    {
        var tenant = await _api.NewTenantAsync();
        var id = await _api.CreateTextTaskAsync(tenant.Key);
        var url = (await _api.WaitForAsync(tenant.Key, id, ReelayApi.IsTerminal)).GetProperty("output")[0].GetString()!;
        var deleted = await _api.DeleteTaskAsync(tenant.Key, id);
        Assert.Equal(204, deleted.Status);
        Assert.Equal(JsonValueKind.Undefined, deleted.Body.ValueKind);
        Assert.Equal(404, (await _api.GetTaskAsync(tenant.Key, id)).Status);
        using var gone = await ReelayApi.Client.GetAsync(url);
        Assert.Equal(404, (int)gone.StatusCode);
        Assert.False(File.Exists(Path.Combine(fixture.Server.DataDirectory, "blobs", "outputs", id + ".mp4")));
    }

    [Fact]
    public async Task Without_enough_credits_a_create_is_refused_and_nothing_is_held()
    {
        var tenant = await _api.NewTenantAsync(credits: 23);
        var reply = await _api.PostAsync("/v1/text_to_video", tenant.Key, new { model = "gen4.5", promptText = "x", ratio = "1280:720", duration = 2 });
        Assert.Equal(400, reply.Status);
        Assert.Equal("You do not have enough credits to run this task.", reply.Error);
        Assert.Equal(23, await BalanceAsync(tenant.OrgId));
    }

    [Fact]
    public async Task The_daily_generation_cap_answers_429_with_retry_after()
    {
        var tenant = await _api.NewTenantAsync();
        await _api.AdminAsync(HttpMethod.Put, $"/admin/v1/organizations/{tenant.OrgId}/limits", new { models = new Dictionary<string, object> { ["gen4.5"] = new { maxDailyGenerations = 1 } } });
        await _api.CreateTextTaskAsync(tenant.Key, simulate: "fail=INTERNAL");
        var reply = await _api.PostAsync("/v1/text_to_video", tenant.Key, new { model = "gen4.5", promptText = "x", ratio = "1280:720", duration = 2 });
        Assert.Equal(429, reply.Status);
        Assert.Contains("daily generation limit", reply.Error);
        Assert.InRange(int.Parse(reply.Response.Headers.GetValues("Retry-After").Single()), 86_000, 86_400);
        Assert.Equal(200, (await _api.PostAsync("/v1/text_to_video", tenant.Key, new { model = "veo3.1_fast", promptText = "x", ratio = "1280:720", duration = 4 }, "fail=INTERNAL")).Status);
    }
}
