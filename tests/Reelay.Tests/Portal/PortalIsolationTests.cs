using System.Net;
using System.Text.RegularExpressions;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Portal;

/// <summary>Organization B's portal session never shows or touches A's requests, tasks or keys — by page or by guessed URL.</summary>
public partial class PortalIsolationTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly ReelayApi _api = fixture.Api;

    [GeneratedRegex("/portal/history/(\\d+)")]
    private static partial Regex HistoryLink();

    [Fact]
    public async Task Organization_b_sees_none_of_organization_a_requests_tasks_or_keys_even_by_id()
    {
        var a = await _api.NewTenantAsync(name: "tenant a");
        var b = await _api.NewTenantAsync(name: "tenant b");
        var failed = await _api.PostAsync("/v1/text_to_video", a.Key, new { model = "gen4.5", promptText = "a", ratio = "1:1", duration = 5 });
        Assert.Equal(400, failed.Status);
        var aRequestId = failed.Response.Headers.GetValues("X-Request-Id").Single();
        var aTask = await _api.CreateTextTaskAsync(a.Key, simulate: "delay=60");
        var aEntry = await RequestLogDb.WaitForAsync(fixture.Server, aRequestId);
        var bRequest = await _api.GetTaskAsync(b.Key, Guid.NewGuid().ToString());
        await RequestLogDb.WaitForAsync(fixture.Server, bRequest.Response.Headers.GetValues("X-Request-Id").Single());

        using var portalA = await PortalClient.SignInAsync(_api.BaseUrl, a.Key);
        using var portalB = await PortalClient.SignInAsync(_api.BaseUrl, b.Key);

        // A sees its own entry (so the pages below would show it if they leaked).
        var (_, aHistory) = await portalA.GetAsync("/portal/history");
        Assert.Contains(aRequestId, aHistory);
        Assert.Contains($"/portal/history/{aEntry.Id}", aHistory);

        var (_, bHistory) = await portalB.GetAsync("/portal/history");
        Assert.DoesNotContain(aRequestId, bHistory);
        Assert.DoesNotContain($"/portal/history/{aEntry.Id}\"", bHistory);
        foreach (Match link in HistoryLink().Matches(bHistory)) Assert.NotEqual(aEntry.Id.ToString(), link.Groups[1].Value);
        var (bFiltered, bFilteredHtml) = await portalB.GetAsync($"/portal/history?errors=1&key={Uri.EscapeDataString(a.KeyId)}");
        Assert.Equal(HttpStatusCode.OK, bFiltered);
        Assert.DoesNotContain(aRequestId, bFilteredHtml);
        var (detailStatus, detailHtml) = await portalB.GetAsync($"/portal/history/{aEntry.Id}");
        Assert.Equal(HttpStatusCode.NotFound, detailStatus);
        Assert.DoesNotContain(aRequestId, detailHtml);

        var (_, bTasks) = await portalB.GetAsync("/portal/tasks");
        Assert.DoesNotContain(aTask, bTasks);
        Assert.Equal(HttpStatusCode.NotFound, (await portalB.GetAsync($"/portal/tasks/{aTask}")).Status);
        await portalB.GetAsync("/portal/tasks");
        var cancel = await portalB.PostAsync($"/portal/tasks/{aTask}/cancel", []);
        Assert.Equal(HttpStatusCode.NotFound, cancel.StatusCode);
        var stillRunning = await _api.GetTaskAsync(a.Key, aTask);
        Assert.NotEqual("CANCELLED", stillRunning.Body.GetProperty("status").GetString());

        var (_, bKeys) = await portalB.GetAsync("/portal/keys");
        Assert.DoesNotContain(a.KeyId, bKeys);
        Assert.DoesNotContain(a.Key[..12], bKeys);
        var disable = await portalB.PostAsync($"/portal/keys/{a.KeyId}/disable", []);
        Assert.Equal(HttpStatusCode.NotFound, disable.StatusCode);
        Assert.Equal(200, (await _api.SendAsync(HttpMethod.Get, "/v1/organization", a.Key)).Status);

        // And A can cancel its own task from the portal.
        await portalA.GetAsync($"/portal/tasks/{aTask}");
        var own = await portalA.PostAsync($"/portal/tasks/{aTask}/cancel", []);
        Assert.Equal(HttpStatusCode.SeeOther, own.StatusCode);
        Assert.Equal("CANCELLED", (await _api.GetTaskAsync(a.Key, aTask)).Body.GetProperty("status").GetString());
    }

    [Fact]
    public async Task The_operator_signed_in_with_the_admin_token_sees_every_organization_history_and_no_organization_pages()
    {
        var a = await _api.NewTenantAsync(name: "operator a");
        var b = await _api.NewTenantAsync(name: "operator b");
        var ra = await _api.GetTaskAsync(a.Key, Guid.NewGuid().ToString());
        var rb = await _api.GetTaskAsync(b.Key, Guid.NewGuid().ToString());
        var idA = ra.Response.Headers.GetValues("X-Request-Id").Single();
        var idB = rb.Response.Headers.GetValues("X-Request-Id").Single();
        var entryA = await RequestLogDb.WaitForAsync(fixture.Server, idA);
        await RequestLogDb.WaitForAsync(fixture.Server, idB);

        using var operatorPortal = await PortalClient.SignInAsync(_api.BaseUrl, ServerProcess.AdminToken);
        var (_, all) = await operatorPortal.GetAsync("/portal/history");
        Assert.Contains(idA, all);
        Assert.Contains(idB, all);
        var (_, onlyB) = await operatorPortal.GetAsync($"/portal/history?org={Uri.EscapeDataString(b.OrgId)}");
        Assert.Contains(idB, onlyB);
        Assert.DoesNotContain(idA, onlyB);
        Assert.Equal(HttpStatusCode.OK, (await operatorPortal.GetAsync($"/portal/history/{entryA.Id}")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await operatorPortal.GetAsync("/portal/keys")).Status);
    }
}
