using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Operations;

/// <summary>Traces exported over OTLP/HTTP from a real server process to a collector in the test.</summary>
public class TracingTests
{
    [Fact]
    public async Task One_create_and_run_is_one_trace_from_the_request_through_queue_run_upload_and_webhook()
    {
        await using var collector = await OtlpReceiver.StartAsync();
        await using var receivers = await AssetServer.StartAsync();
        var settings = new Dictionary<string, string>(TaskWebhooks.Settings())
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
        };
        await using var server = await ServerProcess.StartAsync(settings: settings);
        var api = new ReelayApi(server);
        var tenant = await api.NewTenantAsync();
        var receiver = Api.WebhookReceiver.Map(receivers, TaskWebhooks.Host);
        await TaskWebhooks.RegisterAsync(api, tenant.Key, new { url = receiver.Url, events = new[] { "task.succeeded" } });

        var reply = await api.PostAsync("/v1/text_to_video", tenant.Key, new { model = "gen4.5", promptText = "a lighthouse", ratio = "1280:720", duration = 2 });
        Assert.Equal(200, reply.Status);
        var id = reply.Body.GetProperty("id").GetString()!;
        var requestId = reply.Response.Headers.GetValues("X-Request-Id").Single();
        await api.WaitForAsync(tenant.Key, id, ReelayApi.IsTerminal);

        var spans = await collector.WaitForAsync(s => s.Any(x => x.Name == "webhook.deliver" && x.Attributes.GetValueOrDefault("reelay.task.id") == id));
        var request = spans.Single(s => s.Name == "POST /v1/text_to_video");
        var trace = spans.Where(s => s.TraceId == request.TraceId).ToList();
        foreach (var name in new[] { "task.intake", "task.queue", "task.run", "task.upload", "webhook.deliver" })
            Assert.Contains(trace, s => s.Name == name);
        Assert.Equal(id, trace.Single(s => s.Name == "task.run").Attributes["reelay.task.id"]);
        Assert.Equal(tenant.OrgId, trace.Single(s => s.Name == "task.run").Attributes["reelay.organization.id"]);
        Assert.Equal(tenant.OrgId, request.Attributes["reelay.organization.id"]);
        // The request id a client sees is the trace id.
        Assert.Equal("req_" + request.TraceId, requestId);
        // Every span of the trace hangs from another span of it, up to the request.
        var ids = trace.Select(s => s.SpanId).ToHashSet();
        Assert.All(trace.Where(s => s != request), s => Assert.Contains(s.ParentSpanId, ids));
    }
}
