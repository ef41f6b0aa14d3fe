using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Api;

public class TenantIsolationTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly ReelayApi _api = fixture.Api;

    [Fact]
    public async Task Organization_b_can_neither_read_nor_delete_organization_as_task()
    {
        var a = await _api.NewTenantAsync(name: "a");
        var b = await _api.NewTenantAsync(name: "b");
        var id = await _api.CreateTextTaskAsync(a.Key);
        var read = await _api.GetTaskAsync(b.Key, id);
        Assert.Equal((404, "Could not find Task"), (read.Status, read.Error));
        var delete = await _api.DeleteTaskAsync(b.Key, id);
        Assert.Equal((404, "Could not find Task"), (delete.Status, delete.Error));

        var task = await _api.WaitForAsync(a.Key, id, ReelayApi.IsTerminal);
        Assert.Equal("SUCCEEDED", task.GetProperty("status").GetString());
        Assert.Equal(404, (await _api.DeleteTaskAsync(b.Key, id)).Status);
        Assert.Equal(200, (await _api.GetTaskAsync(a.Key, id)).Status);
        // A's credits paid for A's task only.
        var bOrg = await _api.AdminAsync(HttpMethod.Get, $"/admin/v1/organizations/{b.OrgId}");
        Assert.Equal(10_000, bOrg.GetProperty("creditBalance").GetInt64());
    }
}
