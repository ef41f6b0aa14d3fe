using System.Text.Json;
using System.Text.RegularExpressions;
using Reelay.Tests.Api;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Operations;

/// <summary>A server with JSON logs at Information runs a representative workload; its whole output is searched for every secret made.</summary>
public partial class SecretsInLogsTests
{
    [Fact]
    public async Task No_key_webhook_secret_signature_or_admin_token_appears_in_the_logs_and_log_lines_carry_request_task_and_organization_ids()
    {
        await using var receivers = await AssetServer.StartAsync();
        var settings = new Dictionary<string, string>(TaskWebhooks.Settings())
        {
            ["Logging:Console:FormatterName"] = "json",
            ["Logging:LogLevel:Default"] = "Information",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Information",
        };
        await using var server = await ServerProcess.StartAsync(settings: settings);
        var api = new ReelayApi(server);
        var tenant = await api.NewTenantAsync();
        var receiver = WebhookReceiver.Map(receivers, TaskWebhooks.Host);
        var failing = WebhookReceiver.Map(receivers, TaskWebhooks.Host, 500);
        var callback = WebhookReceiver.Map(receivers, TaskWebhooks.Host);
        await TaskWebhooks.RegisterAsync(api, tenant.Key, new { url = receiver.Url });
        await TaskWebhooks.RegisterAsync(api, tenant.Key, new { url = failing.Url, events = new[] { "task.succeeded" } });
        var secret = await TaskWebhooks.SecretAsync(api, tenant.Key);
        var rotated = (await api.SendAsync(HttpMethod.Post, "/reelay/v1/webhook-secret/rotate", tenant.Key)).Body
            .GetProperty("secrets").EnumerateArray().Select(s => s.GetProperty("secret").GetString()!).ToList();

        // Tasks on both surfaces, a failure, a bad key, a callback, an output download through its signed URL.
        var id = await api.CreateTextTaskAsync(tenant.Key);
        var task = await api.WaitForAsync(tenant.Key, id, ReelayApi.IsTerminal);
        var outputUrl = task.GetProperty("output")[0].GetString()!;
        await ReelayApi.DownloadAsync(outputUrl);
        await ReelayApi.DownloadAsync(outputUrl + "x", HttpStatusCodeExpectation.Any);
        var failed = await api.CreateTextTaskAsync(tenant.Key, simulate: "fail=INTERNAL");
        await api.WaitForAsync(tenant.Key, failed, ReelayApi.IsTerminal);
        var generation = await Webhooks.CreateGenerationAsync(api, tenant.Key, callback.Url);
        await TaskWebhooks.WaitForEventAsync(receiver, rotated[0], e => e.Any(x => x.Type == "task.succeeded" && x.Data.TryGetProperty("generation_id", out var g) && g.GetString() == generation));
        await failing.WaitForAsync(2);
        await callback.WaitForAsync(1);
        Assert.Equal(401, (await api.SendAsync(HttpMethod.Get, "/v1/organization", tenant.Key + "0")).Status);
        var sentSignatures = receiver.Requests.Concat(callback.Requests).SelectMany(r => r.Signature.Split(' ')).Select(s => s.Split(',')[1]).ToList();
        await server.TerminateAsync();

        var output = server.Output;
        var secrets = new List<string> { tenant.Key, tenant.Key[4..40], ServerProcess.AdminToken, secret, secret["whsec_".Length..] };
        secrets.AddRange(rotated);
        secrets.AddRange(sentSignatures);
        secrets.Add(SignatureParameter().Match(outputUrl).Groups[1].Value);
        // The first-start banner prints the default organization's key once, on purpose: it is no log line.
        var lines = output.Split('\n').Where(l => !l.Contains("default", StringComparison.Ordinal) || l.TrimStart().StartsWith('{')).ToList();
        foreach (var value in secrets.Where(s => s.Length >= 8))
            Assert.DoesNotContain(lines, l => l.Contains(value, StringComparison.Ordinal));

        var json = lines.Where(l => l.TrimStart().StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        Assert.NotEmpty(json);
        bool Scoped(JsonElement line, string field, string value) =>
            line.TryGetProperty("Scopes", out var scopes) && scopes.EnumerateArray().Any(s => s.ValueKind == JsonValueKind.Object && s.TryGetProperty(field, out var v) && v.GetString() == value);
        Assert.Contains(json, l => Scoped(l, "TaskId", id) && Scoped(l, "OrganizationId", tenant.OrgId));
        Assert.Contains(json, l => json.Any(_ => l.TryGetProperty("Scopes", out var s) && s.EnumerateArray().Any(x => x.ValueKind == JsonValueKind.Object && x.TryGetProperty("RequestId", out _))));
    }

    [GeneratedRegex("[?&]sig(?:nature)?=([^&]+)")]
    private static partial Regex SignatureParameter();
}
