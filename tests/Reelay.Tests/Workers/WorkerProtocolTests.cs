using System.Text.Json;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Workers;

/// <summary>A server that runs nothing itself (Workers:Concurrency 0) and lets remote workers lease with a short lease.</summary>
public sealed class WorkerServerFixture : IAsyncLifetime
{
    public ServerProcess Server { get; private set; } = null!;
    public ReelayApi Api { get; private set; } = null!;
    public WorkerClient Worker { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await ServerProcess.StartAsync(settings: new Dictionary<string, string>
        {
            ["Workers:Concurrency"] = "0",
            ["Workers:Token"] = WorkerProcess.Token,
            ["Workers:LeaseSeconds"] = "2",
        });
        (Api, Worker) = (new ReelayApi(Server), new WorkerClient(Server));
    }

    public async Task DisposeAsync()
    {
        if (Server is not null) await Server.DisposeAsync();
    }
}

public class WorkerProtocolTests(WorkerServerFixture fixture) : IClassFixture<WorkerServerFixture>
{
    private ReelayApi Api => fixture.Api;
    private WorkerClient Worker => fixture.Worker;

    private static string Lease(JsonElement task) => task.GetProperty("leaseToken").GetString()!;

    private async Task<long> BalanceAsync(string orgId) =>
        (await Api.AdminAsync(HttpMethod.Get, $"/admin/v1/organizations/{orgId}")).GetProperty("creditBalance").GetInt64();

    [Fact]
    public async Task Leasing_needs_the_worker_token()
    {
        foreach (var token in new[] { "", "wrong-token-wrong-token", ServerProcess.AdminToken })
        {
            var reply = await new WorkerClient(fixture.Server, token).LeaseAsync("gen4.5");
            Assert.Equal(401, reply.Status);
            Assert.Equal("unauthorized", reply.Code);
        }
    }

    [Fact]
    public async Task A_lease_for_unknown_or_no_models_is_refused_with_the_models_this_server_has()
    {
        var unknown = await Worker.LeaseAsync(new { models = new[] { "gen4.5", "gen9" } });
        Assert.Equal(400, unknown.Status);
        Assert.Equal("unknown_model", unknown.Code);
        Assert.Contains("gen9", unknown.Body.GetProperty("error").GetString());
        Assert.Contains("gen4_turbo", unknown.Body.GetProperty("error").GetString());

        foreach (var body in new object[] { new { models = Array.Empty<string>() }, new { workerId = "x" }, new { models = new[] { "gen4.5" }, waitSeconds = 61 },
                                            new { models = new[] { "gen4.5" }, workerId = "bad id with spaces" } })
            Assert.Equal((400, "invalid_request"), ((await Worker.LeaseAsync(body)).Status, (await Worker.LeaseAsync(body)).Code));
    }

    [Fact]
    public async Task A_lease_that_finds_nothing_answers_204_when_its_wait_is_over()
    {
        var reply = await Worker.LeaseAsync("veo3.1", waitSeconds: 0.3);
        Assert.Equal(204, reply.Status);
    }

    [Fact]
    public async Task A_waiting_lease_receives_a_task_created_while_it_waits()
    {
        var tenant = await Api.NewTenantAsync();
        var waiting = Worker.LeaseAsync("veo3.1_fast", waitSeconds: 30);
        await Task.Delay(300);
        Assert.False(waiting.IsCompleted, "the lease answered before any task existed");
        var id = await Api.CreateTextTaskAsync(tenant.Key, duration: 4, model: "veo3.1_fast");

        var leased = await waiting;
        Assert.Equal(200, leased.Status);
        Assert.Equal(id, leased.Body.GetProperty("id").GetString());
        Assert.Equal(1, leased.Body.GetProperty("attempt").GetInt64());
        Assert.Equal("RUNNING", (await Api.GetTaskAsync(tenant.Key, id)).Body.GetProperty("status").GetString());
        Assert.Equal(200, (await Worker.FailAsync(id, Lease(leased.Body), "INTERNAL")).Status);
    }

    [Fact]
    public async Task A_leased_task_carries_its_parameters_sandbox_instructions_and_signed_input_urls()
    {
        var tenant = await Api.NewTenantAsync();
        var image = Media.Image(640, 360);
        var created = await Api.PostAsync("/v1/image_to_video", tenant.Key,
            new { model = "gen4_turbo", promptImage = $"data:image/png;base64,{Convert.ToBase64String(image)}", promptText = "waves", ratio = "1280:720", duration = 3, seed = 42 },
            simulate: "delay=0.5");
        Assert.Equal(200, created.Status);
        var id = created.Body.GetProperty("id").GetString()!;

        var task = await Worker.LeaseTaskAsync("gen4_turbo", id);
        Assert.Equal(("gen4_turbo", "image_to_video", "preview"),
            (task.GetProperty("model").GetString(), task.GetProperty("endpoint").GetString(), task.GetProperty("engine").GetString()));
        // The one generation record: the options as validated, the media by role, the planned output.
        var request = task.GetProperty("request");
        var output = request.GetProperty("output");
        Assert.Equal((1280, 720, 3.0, 42L, "waves", "mp4"), (output.GetProperty("width").GetInt32(), output.GetProperty("height").GetInt32(),
            output.GetProperty("seconds").GetDouble(), output.GetProperty("seed").GetInt64(), request.GetProperty("options").GetProperty("promptText").GetString(),
            output.GetProperty("format").GetString()));
        Assert.Equal("input:0", request.GetProperty("options").GetProperty("promptImage").GetString());
        Assert.Equal(".mp4", task.GetProperty("outputExtension").GetString());
        Assert.Equal(0.5, task.GetProperty("simulate").GetProperty("delaySeconds").GetDouble());
        Assert.True(task.GetProperty("heartbeatIntervalSeconds").GetDouble() < task.GetProperty("leaseSeconds").GetDouble());

        var input = task.GetProperty("inputs").EnumerateArray().Single();
        Assert.Equal((0, "first", "image", "image/png", 640, 360), (input.GetProperty("index").GetInt32(), input.GetProperty("role").GetString(),
            input.GetProperty("kind").GetString(), input.GetProperty("mediaType").GetString(), input.GetProperty("width").GetInt32(), input.GetProperty("height").GetInt32()));
        var url = input.GetProperty("url").GetString()!;
        Assert.Equal(image, await ReelayApi.DownloadAsync(url)); // no token needed: the signature authorizes
        var tampered = url.Replace("/0?", "/1?");
        using (var refused = await ReelayApi.Client.GetAsync(tampered)) Assert.Equal(403, (int)refused.StatusCode);
        using (var forged = await ReelayApi.Client.GetAsync(url[..^4] + "0000")) Assert.Equal(403, (int)forged.StatusCode);
        Assert.Equal(200, (await Worker.FailAsync(id, Lease(task), "INTERNAL")).Status);
    }

    [Fact]
    public async Task Heartbeats_publish_progress_and_tell_the_worker_when_the_owner_cancels()
    {
        var tenant = await Api.NewTenantAsync();
        var id = await Api.CreateTextTaskAsync(tenant.Key);
        var task = await Worker.LeaseTaskAsync("gen4.5", id);

        var beat = await Worker.HeartbeatAsync(id, Lease(task), 0.4);
        Assert.Equal(200, beat.Status);
        Assert.False(beat.Body.GetProperty("cancelled").GetBoolean());
        var running = (await Api.GetTaskAsync(tenant.Key, id)).Body;
        Assert.Equal(("RUNNING", 0.4), (running.GetProperty("status").GetString(), running.GetProperty("progress").GetDouble()));
        Assert.Equal(400, (await Worker.HeartbeatAsync(id, Lease(task), 1.5)).Status);

        Assert.Equal(204, (await Api.DeleteTaskAsync(tenant.Key, id)).Status);
        var afterCancel = await Worker.HeartbeatAsync(id, Lease(task), 0.6);
        Assert.Equal(200, afterCancel.Status);
        Assert.True(afterCancel.Body.GetProperty("cancelled").GetBoolean());
        var complete = await Worker.CompleteAsync(id, Lease(task));
        Assert.Equal((409, "cancelled"), (complete.Status, complete.Code));
        Assert.Equal(404, (await Api.GetTaskAsync(tenant.Key, id)).Status);
    }

    [Fact]
    public async Task An_uploaded_mp4_completes_the_task_and_the_client_downloads_exactly_those_bytes()
    {
        var tenant = await Api.NewTenantAsync(credits: 1000);
        var id = await Api.CreateTextTaskAsync(tenant.Key);
        var task = await Worker.LeaseTaskAsync("gen4.5", id);
        var video = Media.Video(160, 90, 2);

        Assert.Equal(204, (await Worker.UploadAsync(id, Lease(task), video)).Status);
        var done = await Worker.CompleteAsync(id, Lease(task));
        Assert.Equal(200, done.Status);
        Assert.Equal("SUCCEEDED", done.Body.GetProperty("status").GetString());

        var finished = (await Api.GetTaskAsync(tenant.Key, id)).Body;
        Assert.Equal("SUCCEEDED", finished.GetProperty("status").GetString());
        Assert.Equal(video, await ReelayApi.DownloadAsync(finished.GetProperty("output")[0].GetString()!));
        Assert.Equal(1000 - 24, await BalanceAsync(tenant.OrgId));
    }

    [Fact]
    public async Task A_complete_repeated_with_the_same_lease_answers_as_the_first_did_and_charges_nothing_more()
    {
        var tenant = await Api.NewTenantAsync(credits: 1000);
        var id = await Api.CreateTextTaskAsync(tenant.Key);
        var task = await Worker.LeaseTaskAsync("gen4.5", id);
        Assert.Equal(204, (await Worker.UploadAsync(id, Lease(task), Media.Video(160, 90, 1))).Status);
        Assert.Equal(200, (await Worker.CompleteAsync(id, Lease(task))).Status);

        // The worker's retry of a complete whose answer was lost, then a fail after it: the result stands.
        var again = await Worker.CompleteAsync(id, Lease(task));
        Assert.Equal((200, "SUCCEEDED"), (again.Status, again.Body.GetProperty("status").GetString()));
        var fail = await Worker.FailAsync(id, Lease(task), "INTERNAL");
        Assert.Equal((409, "lease_lost"), (fail.Status, fail.Code));
        var otherLease = await Worker.CompleteAsync(id, "another-lease");
        Assert.Equal((409, "lease_lost"), (otherLease.Status, otherLease.Code));
        Assert.Equal("SUCCEEDED", (await Api.GetTaskAsync(tenant.Key, id)).Body.GetProperty("status").GetString());
        Assert.Equal(1000 - 24, await BalanceAsync(tenant.OrgId));
    }

    [Fact]
    public async Task An_output_that_is_not_an_mp4_is_refused_and_completing_without_an_output_is_a_conflict()
    {
        var tenant = await Api.NewTenantAsync();
        var id = await Api.CreateTextTaskAsync(tenant.Key);
        var task = await Worker.LeaseTaskAsync("gen4.5", id);

        var png = await Worker.UploadAsync(id, Lease(task), Media.Image(64, 64));
        Assert.Equal((415, "output_invalid"), (png.Status, png.Code));
        var empty = await Worker.UploadAsync(id, Lease(task), []);
        Assert.Equal(415, empty.Status);
        var complete = await Worker.CompleteAsync(id, Lease(task));
        Assert.Equal((409, "output_missing"), (complete.Status, complete.Code));
        Assert.Equal("RUNNING", (await Api.GetTaskAsync(tenant.Key, id)).Body.GetProperty("status").GetString());
        Assert.Equal(200, (await Worker.FailAsync(id, Lease(task), "INTERNAL")).Status);
    }

    [Fact]
    public async Task A_failure_reported_by_a_worker_reaches_the_client_with_its_code_and_an_outage_costs_nothing()
    {
        var tenant = await Api.NewTenantAsync(credits: 500);
        var id = await Api.CreateTextTaskAsync(tenant.Key);
        var task = await Worker.LeaseTaskAsync("gen4.5", id);

        Assert.Equal(400, (await Worker.FailAsync(id, Lease(task), "not a code")).Status);
        Assert.Equal(400, (await Worker.FailAsync(id, Lease(task), "THIRD_PARTY.UNAVAILABLE", new string('x', 2001))).Status);
        var failed = await Worker.FailAsync(id, Lease(task), "THIRD_PARTY.UNAVAILABLE", "The model's GPU host is down.");
        Assert.Equal(200, failed.Status);

        var body = (await Api.GetTaskAsync(tenant.Key, id)).Body;
        Assert.Equal(("FAILED", "THIRD_PARTY.UNAVAILABLE", "The model's GPU host is down."),
            (body.GetProperty("status").GetString(), body.GetProperty("failureCode").GetString(), body.GetProperty("failure").GetString()));
        Assert.Equal(500, await BalanceAsync(tenant.OrgId));
    }

    [Fact]
    public async Task A_worker_whose_lease_expired_cannot_heartbeat_upload_or_complete_once_another_worker_took_the_task()
    {
        var tenant = await Api.NewTenantAsync(credits: 1000);
        var id = await Api.CreateTextTaskAsync(tenant.Key);
        var stale = await Worker.LeaseTaskAsync("gen4.5", id, workerId: "stale");

        // The stale worker goes quiet; its 2 s lease runs out, the task returns to the queue and the next worker takes it.
        var fresh = await Worker.LeaseTaskAsync("gen4.5", id, workerId: "fresh");
        Assert.Equal(2, fresh.GetProperty("attempt").GetInt64());
        Assert.NotEqual(Lease(stale), Lease(fresh));

        var video = Media.Video(160, 90, 2);
        Assert.Equal((409, "lease_lost"), ((await Worker.HeartbeatAsync(id, Lease(stale))).Status, (await Worker.HeartbeatAsync(id, Lease(stale))).Code));
        Assert.Equal(409, (await Worker.UploadAsync(id, Lease(stale), video)).Status);
        Assert.Equal((409, "lease_lost"), ((await Worker.CompleteAsync(id, Lease(stale))).Status, (await Worker.CompleteAsync(id, Lease(stale))).Code));
        Assert.Equal(409, (await Worker.FailAsync(id, Lease(stale), "INTERNAL")).Status);

        Assert.Equal(204, (await Worker.UploadAsync(id, Lease(fresh), video)).Status);
        Assert.Equal(200, (await Worker.CompleteAsync(id, Lease(fresh))).Status);
        Assert.Equal(409, (await Worker.CompleteAsync(id, Lease(stale))).Status);
        Assert.Equal("SUCCEEDED", (await Api.GetTaskAsync(tenant.Key, id)).Body.GetProperty("status").GetString());
        Assert.Equal(1000 - 24, await BalanceAsync(tenant.OrgId));
    }

    [Fact]
    public async Task A_released_task_goes_back_to_the_queue_without_using_up_an_attempt()
    {
        var tenant = await Api.NewTenantAsync();
        var id = await Api.CreateTextTaskAsync(tenant.Key);
        var first = await Worker.LeaseTaskAsync("gen4.5", id);
        Assert.Equal(204, (await Worker.ReleaseAsync(id, Lease(first))).Status);
        Assert.Equal("PENDING", (await Api.GetTaskAsync(tenant.Key, id)).Body.GetProperty("status").GetString());
        Assert.Equal(409, (await Worker.ReleaseAsync(id, Lease(first))).Status);

        var again = await Worker.LeaseTaskAsync("gen4.5", id);
        Assert.Equal(1, again.GetProperty("attempt").GetInt64());
        Assert.Equal(200, (await Worker.FailAsync(id, Lease(again), "INTERNAL")).Status);
    }

    [Fact]
    public async Task The_admin_api_lists_the_workers_that_asked_for_work_and_what_each_model_is_waiting_for()
    {
        var tenant = await Api.NewTenantAsync();
        var id = await Api.CreateTextTaskAsync(tenant.Key, duration: 4, model: "veo3.1");
        var task = await Worker.LeaseTaskAsync("veo3.1", id, workerId: "gpu-eu-7/0");
        var waiting = await Api.CreateTextTaskAsync(tenant.Key, duration: 4, model: "veo3.1");

        var view = await Api.AdminAsync(HttpMethod.Get, "/admin/v1/workers");
        var worker = view.GetProperty("workers").EnumerateArray().Single(w => w.GetProperty("id").GetString() == "gpu-eu-7/0");
        Assert.Equal(["veo3.1"], worker.GetProperty("models").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(1, worker.GetProperty("runningTasks").GetInt64());
        Assert.Equal("127.0.0.1", worker.GetProperty("address").GetString());
        var model = view.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("id").GetString() == "veo3.1");
        Assert.Equal((1L, 1L), (model.GetProperty("queuedTasks").GetInt64(), model.GetProperty("runningTasks").GetInt64()));
        Assert.True(model.GetProperty("recentWorkers").GetInt32() >= 1);
        var unserved = view.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("id").GetString() == "gen4_aleph");
        Assert.Equal(0, unserved.GetProperty("recentWorkers").GetInt32());

        Assert.Equal(400, (await Api.SendAsync(HttpMethod.Get, "/admin/v1/workers?sinceSeconds=0", ServerProcess.AdminToken)).Status);
        Assert.Equal(401, (await Api.SendAsync(HttpMethod.Get, "/admin/v1/workers", WorkerProcess.Token)).Status);
        Assert.Equal(200, (await Worker.FailAsync(id, Lease(task), "INTERNAL")).Status);
        Assert.Equal(200, (await Worker.FailAsync(waiting, Lease(await Worker.LeaseTaskAsync("veo3.1", waiting)), "INTERNAL")).Status);
    }

    [Fact]
    public async Task The_worker_protocol_is_described_in_the_openapi_document()
    {
        using var response = await ReelayApi.Client.GetAsync(new Uri(fixture.Server.BaseUrl, "/openapi/v1.json"));
        var paths = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("paths");
        foreach (var path in new[] { "/worker/v1/lease", "/worker/v1/tasks/{id}/heartbeat", "/worker/v1/tasks/{id}/output",
                                     "/worker/v1/tasks/{id}/complete", "/worker/v1/tasks/{id}/fail", "/worker/v1/tasks/{id}/release" })
            Assert.True(paths.TryGetProperty(path, out _), $"{path} is missing from the OpenAPI document");
    }
}
