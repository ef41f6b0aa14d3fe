using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Workers;

/// <summary>The worker protocol's answers to requests that make no sense: a 4xx with a code, never a 500.</summary>
public class WorkerInputTests(WorkerServerFixture fixture) : IClassFixture<WorkerServerFixture>
{
    private WorkerClient Worker => fixture.Worker;

    [Fact]
    public async Task A_lease_listing_null_as_a_model_is_a_400_invalid_request()
    {
        var reply = await Worker.LeaseAsync(new { models = new string?[] { null }, workerId = "gpu-1", waitSeconds = 0 });
        Assert.Equal((400, "invalid_request"), (reply.Status, reply.Code));
        Assert.Contains("'models'", reply.Body.GetProperty("error").GetString());
        Assert.DoesNotContain("An unhandled exception has occurred", fixture.Server.Output);
    }

    [Fact]
    public async Task Calls_for_a_task_that_does_not_exist_are_a_404_not_found()
    {
        var id = Guid.NewGuid().ToString();
        var heartbeat = await Worker.HeartbeatAsync(id, "no-such-lease");
        Assert.Equal((404, "not_found"), (heartbeat.Status, heartbeat.Code));
        Assert.Contains(id, heartbeat.Body.GetProperty("error").GetString());
        var complete = await Worker.CompleteAsync(id, "no-such-lease");
        Assert.Equal((404, "not_found"), (complete.Status, complete.Code));
        Assert.Equal(404, (await Worker.FailAsync(id, "no-such-lease", "INTERNAL")).Status);
        Assert.Equal(404, (await Worker.ReleaseAsync(id, "no-such-lease")).Status);
    }

    [Fact]
    public async Task A_heartbeat_for_a_cancelled_task_still_says_cancelled()
    {
        var tenant = await fixture.Api.NewTenantAsync();
        var id = await fixture.Api.CreateTextTaskAsync(tenant.Key);
        var task = await Worker.LeaseTaskAsync("gen4.5", id);
        Assert.Equal(204, (await fixture.Api.DeleteTaskAsync(tenant.Key, id)).Status);
        var heartbeat = await Worker.HeartbeatAsync(id, task.GetProperty("leaseToken").GetString()!);
        Assert.Equal(200, heartbeat.Status);
        Assert.True(heartbeat.Body.GetProperty("cancelled").GetBoolean());
    }

    [Fact]
    public async Task Unknown_worker_routes_and_unreadable_bodies_answer_in_the_worker_error_shape()
    {
        var unknown = await Worker.SendAsync(HttpMethod.Get, "/worker/v1/nothing-here", null);
        Assert.Equal((404, "unknown_route"), (unknown.Status, unknown.Code));
        var chunked = await RawHttp.SendAsync(fixture.Server.BaseUrl, "POST /worker/v1/lease",
            [$"Authorization: Bearer {WorkerProcess.Token}", "Content-Type: application/json", "Transfer-Encoding: chunked"], "ffffffffffffffffff\r\nabc\r\n0\r\n\r\n");
        Assert.Equal(400, chunked.Status);
        Assert.Equal("invalid_request", System.Text.Json.JsonDocument.Parse(chunked.Body).RootElement.GetProperty("code").GetString());
    }
}
