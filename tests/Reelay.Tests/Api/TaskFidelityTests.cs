using System.Text.Json;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Api;

/// <summary>Behaviour the SDK's types and documentation promise, checked over real HTTP.</summary>
public class TaskFidelityTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly ReelayApi _api = fixture.Api;

    [Fact]
    public async Task An_integer_field_sent_as_two_point_zero_is_the_integer_two()
    {
        // Python's SDK sends 2.0 for a float; JavaScript and Python treat it as the integer 2, so must we.
        var tenant = await _api.NewTenantAsync();
        var reply = await _api.SendAsync(HttpMethod.Post, "/v1/text_to_video", tenant.Key,
            rawBody: """{"model":"gen4.5","promptText":"a quiet bay","ratio":"1280:720","duration":2.0}""");
        Assert.True(reply.Status == 200, reply.Body.ToString());
        Assert.Equal(24, reply.Body.GetProperty("estimatedCost").GetProperty("credits").GetInt32());
        var fraction = await _api.SendAsync(HttpMethod.Post, "/v1/text_to_video", tenant.Key,
            rawBody: """{"model":"gen4.5","promptText":"a quiet bay","ratio":"1280:720","duration":2.5}""");
        Assert.Equal("Expected integer, received float", fraction.Body.GetProperty("issues")[0].GetProperty("message").GetString());
    }

    [Fact]
    public async Task Every_waiting_or_running_task_has_an_estimated_cost_and_every_finished_one_a_cost()
    {
        var tenant = await _api.NewTenantAsync();
        var throttled = await _api.CreateTextTaskAsync(tenant.Key, simulate: "throttle=30");
        var running = await _api.CreateTextTaskAsync(tenant.Key, simulate: "delay=30");
        var failed = await _api.CreateTextTaskAsync(tenant.Key, simulate: "fail=INTERNAL");
        var moderated = await _api.CreateTextTaskAsync(tenant.Key, simulate: "fail=SAFETY.INPUT.TEXT");
        var succeeded = await _api.CreateTextTaskAsync(tenant.Key);

        Assert.Equal(24, Credits(await Task(tenant.Key, throttled, "THROTTLED"), "estimatedCost"));
        Assert.Equal(24, Credits(await Task(tenant.Key, running, "RUNNING"), "estimatedCost"));
        Assert.Equal(0, Credits(await Task(tenant.Key, failed, "FAILED"), "cost"));
        Assert.Equal(24, Credits(await Task(tenant.Key, moderated, "FAILED"), "cost")); // moderation is charged, as Runway does
        Assert.Equal(24, Credits(await Task(tenant.Key, succeeded, "SUCCEEDED"), "cost"));
        foreach (var id in new[] { throttled, running }) await _api.DeleteTaskAsync(tenant.Key, id);
    }

    private async Task<JsonElement> Task(string key, string id, string status) =>
        await _api.WaitForAsync(key, id, s => s == status);

    private static int Credits(JsonElement task, string field) => task.GetProperty(field).GetProperty("credits").GetInt32();
}
