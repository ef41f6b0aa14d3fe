using System.Net;
using Reelay.Tests.Api;
using Reelay.Tests.Infrastructure;
using Reelay.Tests.Portal;

namespace Reelay.Tests.Operations;

/// <summary>The portal's Webhooks page (an organization) and operator dashboard (the admin token), through real forms.</summary>
public class OperationsPortalTests
{
    [Fact]
    public async Task An_organization_registers_tests_and_disables_an_endpoint_in_the_portal()
    {
        await using var receivers = await AssetServer.StartAsync();
        await using var server = await ServerProcess.StartAsync(settings: TaskWebhooks.Settings());
        var api = new ReelayApi(server);
        var tenant = await api.NewTenantAsync();
        var receiver = WebhookReceiver.Map(receivers, TaskWebhooks.Host);
        using var portal = await PortalClient.SignInAsync(server.BaseUrl, tenant.Key);

        var (status, page) = await portal.GetAsync("/portal/webhooks");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("whsec_", page);
        var refused = await portal.PostAsync("/portal/webhooks", new() { ["url"] = "http://example.com/hook" });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("url:", await refused.Content.ReadAsStringAsync());

        var created = await portal.PostAsync("/portal/webhooks", new() { ["url"] = receiver.Url, ["events"] = "task.succeeded", ["models"] = "gen4.5" });
        Assert.Equal(HttpStatusCode.SeeOther, created.StatusCode);
        var listed = (await api.SendAsync(HttpMethod.Get, "/reelay/v1/webhooks", tenant.Key)).Body.GetProperty("webhooks")[0];
        Assert.Equal(["task.succeeded"], listed.GetProperty("events").EnumerateArray().Select(e => e.GetString()));
        var id = listed.GetProperty("id").GetString()!;

        await portal.GetAsync("/portal/webhooks");
        var tested = await portal.PostAsync($"/portal/webhooks/{id}/test", new());
        Assert.Equal(HttpStatusCode.OK, tested.StatusCode);
        var secret = await TaskWebhooks.SecretAsync(api, tenant.Key);
        Assert.Equal("webhook.test", (await TaskWebhooks.WaitForEventAsync(receiver, secret, e => e.Count == 1))[0].Type);
        (_, page) = await portal.GetAsync("/portal/webhooks");
        Assert.Contains("webhook.test", page);

        Assert.Equal(HttpStatusCode.SeeOther, (await portal.PostAsync($"/portal/webhooks/{id}/disable", new())).StatusCode);
        var endpoint = await TaskWebhooks.EndpointAsync(api, tenant.Key, id, _ => true);
        Assert.False(endpoint.GetProperty("enabled").GetBoolean());
        Assert.Equal("Disabled by the organization.", endpoint.GetProperty("disabledReason").GetString());

        // Another organization's session cannot act on it.
        var stranger = await api.NewTenantAsync();
        using var other = await PortalClient.SignInAsync(server.BaseUrl, stranger.Key);
        await other.GetAsync("/portal/webhooks");
        Assert.Equal(HttpStatusCode.NotFound, (await other.PostAsync($"/portal/webhooks/{id}/delete", new())).StatusCode);
    }

    [Fact]
    public async Task The_operator_dashboard_page_renders_the_sample_and_loads_its_refresh_script_from_a_file()
    {
        await using var server = await ServerProcess.StartAsync(settings: new Dictionary<string, string> { ["Telemetry:SampleSeconds"] = "0.5" });
        var api = new ReelayApi(server);
        var tenant = await api.NewTenantAsync();
        await api.CreateTextTaskAsync(tenant.Key, simulate: "throttle=30");
        using var operatorPortal = await PortalClient.SignInAsync(server.BaseUrl, ServerProcess.AdminToken);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        string page;
        while (!(page = (await operatorPortal.GetAsync("/portal/operator")).Html).Contains("<td>gen4.5</td>"))
        {
            Assert.True(DateTime.UtcNow < deadline, page);
            await Task.Delay(200);
        }
        Assert.Contains("<script src=\"/portal/operator/dashboard.js\" defer></script>", page);
        Assert.DoesNotContain("<script>", page);
        var (jsStatus, js) = await operatorPortal.GetAsync("/portal/operator/dashboard.js");
        Assert.Equal(HttpStatusCode.OK, jsStatus);
        Assert.Contains("/portal/operator/dashboard.json", js);
        var (jsonStatus, json) = await operatorPortal.GetAsync("/portal/operator/dashboard.json");
        Assert.Equal(HttpStatusCode.OK, jsonStatus);
        Assert.Contains("\"throttled\":1", json);

        using var organization = await PortalClient.SignInAsync(server.BaseUrl, tenant.Key);
        Assert.Equal(HttpStatusCode.Forbidden, (await organization.GetAsync("/portal/operator")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await organization.GetAsync("/portal/operator/dashboard.json")).Status);
    }
}
