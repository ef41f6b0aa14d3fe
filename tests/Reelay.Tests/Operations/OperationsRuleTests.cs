using Reelay.Server.Features.Runway;
using Reelay.Server.Features.Tasks;
using Reelay.Server.Features.Telemetry;
using Reelay.Server.Features.Webhooks;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Operations;

/// <summary>The small pure decisions of monitoring and task webhooks, called directly.</summary>
public class OperationsRuleTests
{
    [Fact]
    public void The_readme_metric_table_is_the_one_generated_from_the_meter_definitions()
    {
        var readme = File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "README.md"));
        const string start = "<!-- metrics:start -->\n", end = "<!-- metrics:end -->";
        var from = readme.IndexOf(start, StringComparison.Ordinal);
        Assert.True(from >= 0, "README has no metrics table markers");
        var to = readme.IndexOf(end, from, StringComparison.Ordinal);
        var table = readme[(from + start.Length)..to];
        // REELAY_REGENERATE_DOCS=1 writes the generated table into the README instead of comparing.
        if (Environment.GetEnvironmentVariable("REELAY_REGENERATE_DOCS") == "1")
            File.WriteAllText(Path.Combine(TestPaths.RepositoryRoot, "README.md"), readme[..(from + start.Length)] + ReelayMetrics.MarkdownTable() + readme[to..]);
        else
            Assert.Equal(ReelayMetrics.MarkdownTable(), table);
    }

    [Fact]
    public void Prometheus_names_get_the_unit_and_total_suffixes_the_exporter_adds()
    {
        Assert.Equal("reelay_tasks_created_total", new MetricInfo("reelay.tasks.created", "counter", "{task}", "").PrometheusName);
        Assert.Equal("reelay_task_run_duration_seconds", new MetricInfo("reelay.task.run.duration", "histogram", "s", "").PrometheusName);
        Assert.Equal("reelay_queue_depth", new MetricInfo("reelay.queue.depth", "gauge", "{task}", "").PrometheusName);
    }

    [Fact]
    public void An_endpoint_hears_an_event_only_when_enabled_subscribed_and_inside_its_filters()
    {
        var endpoint = new WebhookEndpoint { Enabled = true, Events = "task.succeeded,task.failed", Models = "gen4.5", Endpoints = null };
        Assert.True(TaskEvents.Matches(endpoint, "task.succeeded", "gen4.5", "text_to_video"));
        Assert.False(TaskEvents.Matches(endpoint, "task.created", "gen4.5", "text_to_video"));
        Assert.False(TaskEvents.Matches(endpoint, "task.succeeded", "veo3.1", "text_to_video"));
        Assert.False(TaskEvents.Matches(new WebhookEndpoint { Enabled = false, Events = "task.succeeded" }, "task.succeeded", "gen4.5", "text_to_video"));
        var byEndpoint = new WebhookEndpoint { Enabled = true, Events = "task.succeeded", Endpoints = "image_to_video" };
        Assert.False(TaskEvents.Matches(byEndpoint, "task.succeeded", "gen4.5", "text_to_video"));
        Assert.True(TaskEvents.Matches(byEndpoint, "task.succeeded", "gen4.5", "image_to_video"));
    }

    [Fact]
    public void Each_core_state_announces_its_event_and_queued_announces_none()
    {
        Assert.Equal("task.throttled", TaskEvents.ForStatus(TaskStates.Throttled));
        Assert.Equal("task.running", TaskEvents.ForStatus(TaskStates.Running));
        Assert.Equal("task.cancelled", TaskEvents.ForStatus(TaskStates.Cancelled));
        Assert.Null(TaskEvents.ForStatus(TaskStates.Queued));
    }

    [Fact]
    public void The_p95_is_the_nearest_rank_and_absent_without_runs()
    {
        Assert.Null(OperationsState.Percentile([], 0.95));
        Assert.Equal(95, OperationsState.Percentile([.. Enumerable.Range(1, 100).Select(i => (long)i)], 0.95));
        Assert.Equal(7, OperationsState.Percentile([7], 0.95));
    }

    [Fact]
    public void The_error_rate_counts_failures_among_tasks_that_ran_to_an_end_not_cancels()
    {
        Assert.Equal(0.25, new RecentWork(300, 3, 1, 10, null).ErrorRate);
        Assert.Equal(0, new RecentWork(300, 0, 0, 4, null).ErrorRate);
        Assert.Equal(2.8, new RecentWork(300, 3, 1, 10, null).TasksPerMinute);
    }

    [Fact]
    public void A_runway_event_body_gets_a_freshly_signed_url_for_every_output_at_each_attempt()
    {
        var row = new TaskRow { Id = "t1", Status = TaskStates.Succeeded, CreatedAt = 0, PriceCredits = 5, Outputs = "[\"outputs/t1/a.png\",\"outputs/t1/a-1.png\"]" };
        var body = new RunwayWebhookBody();
        var snapshot = body.Snapshot(row);
        Assert.DoesNotContain("https://", snapshot);
        var attempt = body.ForAttempt(snapshot, (extension, index) => $"https://x/{index}{extension}");
        Assert.Contains("\"output\":[\"https://x/0.png\",\"https://x/1.png\"]", attempt);
        Assert.Contains("\"status\":\"SUCCEEDED\"", attempt);
    }
}
