using System.Net.Http.Headers;
using System.Net.Http.Json;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Api;

public class OverloadTests
{
    [Fact]
    public async Task Past_the_queued_task_ceiling_both_surfaces_answer_503_with_retry_after()
    {
        await using var server = await ServerProcess.StartAsync(settings: new Dictionary<string, string> { ["Limits:MaxQueuedTasks"] = "2" });
        var api = new ReelayApi(server);
        var tenant = await api.NewTenantAsync();
        await api.CreateTextTaskAsync(tenant.Key, simulate: "throttle=60");
        await api.CreateTextTaskAsync(tenant.Key, simulate: "throttle=60");

        var runway = await api.PostAsync("/v1/text_to_video", tenant.Key, new { model = "gen4.5", promptText = "x", ratio = "1280:720", duration = 2 });
        Assert.Equal(503, runway.Status);
        Assert.NotNull(runway.Error);
        Assert.Equal(TimeSpan.FromSeconds(30), runway.Response.Headers.RetryAfter?.Delta);

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(api.BaseUrl, "/v1/sora/generate")) { Content = JsonContent.Create(new { prompt = "x" }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tenant.Key);
        using var runblob = await ReelayApi.Client.SendAsync(request);
        Assert.Equal(503, (int)runblob.StatusCode);
        Assert.Contains("\"detail\"", await runblob.Content.ReadAsStringAsync());
        Assert.True(runblob.Headers.RetryAfter?.Delta > TimeSpan.Zero);
    }
}
