using System.Text.Json;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Operations;

/// <summary>/metrics scraped by a real Prometheus, read back through its query API; the dashboard from the same sample.</summary>
public class MonitoringTests
{
    private static Dictionary<string, string> Settings() => new() { ["Telemetry:SampleSeconds"] = "0.5" };

    [Fact]
    public async Task Prometheus_scrapes_task_counters_and_the_queue_depth_gauge_as_tasks_wait_and_finish()
    {
        await using var server = await ServerProcess.StartAsync(settings: Settings());
        var api = new ReelayApi(server);
        var tenant = await api.NewTenantAsync();
        await using var prometheus = await PrometheusProcess.StartAsync(server.BaseUrl, ServerProcess.AdminToken);
        await prometheus.WaitForAsync("up{job=\"reelay\"}", v => v == 1);

        // Three tasks held THROTTLED for a few seconds: the gauge shows them waiting, then drains to 0.
        var ids = new List<string>();
        for (var i = 0; i < 3; i++) ids.Add(await api.CreateTextTaskAsync(tenant.Key, simulate: "throttle=4"));
        await prometheus.WaitForAsync("reelay_tasks_created_total{model=\"gen4.5\",surface=\"runway\",endpoint=\"text_to_video\",engine=\"preview\",status=\"throttled\"}", v => v == 3);
        await prometheus.WaitForAsync("reelay_queue_depth{model=\"gen4.5\",state=\"throttled\"}", v => v == 3);
        foreach (var id in ids) await api.WaitForAsync(tenant.Key, id, ReelayApi.IsTerminal);
        await prometheus.WaitForAsync("reelay_tasks_finished_total{model=\"gen4.5\",status=\"succeeded\"}", v => v == 3);
        await prometheus.WaitForAsync("reelay_queue_depth{model=\"gen4.5\",state=\"throttled\"}", v => v == 0);

        var failed = await api.CreateTextTaskAsync(tenant.Key, simulate: "fail=INTERNAL");
        await api.WaitForAsync(tenant.Key, failed, ReelayApi.IsTerminal);
        await prometheus.WaitForAsync("reelay_tasks_finished_total{model=\"gen4.5\",status=\"failed\"}", v => v == 1);
        // The histograms and HTTP server metrics arrive too, the latter by route template and status.
        await prometheus.WaitForAsync("reelay_task_run_duration_seconds_count{model=\"gen4.5\"}", v => v == 4);
        await prometheus.WaitForAsync("reelay_task_queue_wait_duration_seconds_count{model=\"gen4.5\"}", v => v == 4);
        await prometheus.WaitForAsync("http_server_request_duration_seconds_count{http_route=\"/v1/tasks/{id}\",http_response_status_code=\"200\"}", v => v >= 4);
        await prometheus.WaitForAsync("reelay_credits_total{kind=\"held\"}", v => v > 0);
    }

    [Fact]
    public async Task Metrics_on_the_main_port_need_the_admin_token()
    {
        await using var server = await ServerProcess.StartAsync(settings: Settings());
        using var anonymous = await ReelayApi.Client.GetAsync(new Uri(server.BaseUrl, "/metrics"));
        Assert.Equal(401, (int)anonymous.StatusCode);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(server.BaseUrl, "/metrics"));
        request.Headers.Authorization = new("Bearer", ServerProcess.AdminToken);
        using var scraped = await ReelayApi.Client.SendAsync(request);
        Assert.Equal(200, (int)scraped.StatusCode);
        var text = await scraped.Content.ReadAsStringAsync();
        Assert.Contains("# TYPE reelay_queue_depth gauge", text);
    }

    [Fact]
    public async Task Metrics_can_be_served_on_a_separate_management_port_without_the_token()
    {
        var port = PrometheusProcess.FreePort();
        await using var server = await ServerProcess.StartAsync(settings: new Dictionary<string, string>
        {
            ["Metrics:Exposure"] = "port", ["Metrics:Port"] = port.ToString(), ["Telemetry:SampleSeconds"] = "0.5",
        });
        var api = new ReelayApi(server);
        var tenant = await api.NewTenantAsync();
        await api.WaitForAsync(tenant.Key, await api.CreateTextTaskAsync(tenant.Key), ReelayApi.IsTerminal);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        string text;
        while (!(text = await ReelayApi.Client.GetStringAsync($"http://127.0.0.1:{port}/metrics")).Contains("reelay_tasks_finished_total{"))
        {
            Assert.True(DateTime.UtcNow < deadline, text);
            await Task.Delay(200);
        }
        Assert.Contains("status=\"succeeded\"", text);
        // The main port then has no /metrics at all.
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(server.BaseUrl, "/metrics"));
        request.Headers.Authorization = new("Bearer", ServerProcess.AdminToken);
        using var main = await ReelayApi.Client.SendAsync(request);
        Assert.Equal(404, (int)main.StatusCode);
    }

    [Fact]
    public async Task Metrics_can_be_turned_off()
    {
        await using var server = await ServerProcess.StartAsync(settings: new Dictionary<string, string> { ["Metrics:Exposure"] = "off" });
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(server.BaseUrl, "/metrics"));
        request.Headers.Authorization = new("Bearer", ServerProcess.AdminToken);
        using var response = await ReelayApi.Client.SendAsync(request);
        Assert.Equal(404, (int)response.StatusCode);
    }

    [Fact]
    public async Task The_operator_dashboard_shows_queues_recent_work_and_the_webhook_backlog()
    {
        await using var server = await ServerProcess.StartAsync(settings: Settings());
        var api = new ReelayApi(server);
        var tenant = await api.NewTenantAsync();
        var waiting = await api.CreateTextTaskAsync(tenant.Key, simulate: "throttle=30");
        var done = await api.CreateTextTaskAsync(tenant.Key);
        var failed = await api.CreateTextTaskAsync(tenant.Key, simulate: "fail=INTERNAL");
        await api.WaitForAsync(tenant.Key, done, ReelayApi.IsTerminal);
        await api.WaitForAsync(tenant.Key, failed, ReelayApi.IsTerminal);

        var dashboard = await api.AdminAsync(HttpMethod.Get, "/admin/v1/dashboard?fresh=1");
        var queue = dashboard.GetProperty("queues").EnumerateArray().Single(q => q.GetProperty("model").GetString() == "gen4.5");
        Assert.Equal(1, queue.GetProperty("throttled").GetInt64());
        Assert.True(queue.GetProperty("oldestWaitingSeconds").GetDouble() > 0);
        var recent = dashboard.GetProperty("recent");
        Assert.Equal(1, recent.GetProperty("succeeded").GetInt64());
        Assert.Equal(1, recent.GetProperty("failed").GetInt64());
        Assert.Equal(0.5, recent.GetProperty("errorRate").GetDouble());
        Assert.True(recent.GetProperty("p95RunSeconds").GetDouble() > 0);
        Assert.Equal(0, dashboard.GetProperty("webhooks").GetProperty("backlog").GetInt64());
        Assert.Equal(0, dashboard.GetProperty("workers").GetProperty("seen").GetInt64());
        Assert.Equal(200, (await api.DeleteTaskAsync(tenant.Key, waiting)).Status is 204 or 200 ? 200 : 500);
    }
}
