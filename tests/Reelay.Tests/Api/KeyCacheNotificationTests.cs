using Reelay.Server.Features.Auth;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Api;

/// <summary>Two nodes on one database; node B keeps key lookups for 10 minutes, so only a notification can clear it in time.</summary>
public sealed class LongKeyCacheNodesFixture : IAsyncLifetime
{
    public ServerProcess NodeA { get; private set; } = null!;
    public ServerProcess NodeB { get; private set; } = null!;
    public ReelayApi A { get; private set; } = null!;
    public ReelayApi B { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var dataDirectory = TestPaths.NewTempDirectory("reelay-keycache");
        NodeA = await ServerProcess.StartAsync(dataDirectory);
        NodeB = await ServerProcess.StartAsync(dataDirectory, new Dictionary<string, string> { ["Auth:KeyCacheSeconds"] = "600" });
        (A, B) = (new ReelayApi(NodeA), new ReelayApi(NodeB));
    }

    public async Task DisposeAsync()
    {
        if (NodeB is not null) await NodeB.DisposeAsync();
        if (NodeA is not null) await NodeA.DisposeAsync();
    }
}

/// <summary>
/// On PostgreSQL a change made on one node reaches the other nodes' key caches through NOTIFY (KeyCache.Channel), long
/// before any entry would expire; on SQLite (one node by design) the entry's lifetime stays the only bound.
/// </summary>
public class KeyCacheNotificationTests(LongKeyCacheNodesFixture nodes) : IClassFixture<LongKeyCacheNodesFixture>
{
    // Far below B's 600 s lifetime, far above a notification's milliseconds even on a loaded machine.
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private static async Task<string?> OrganizationErrorAsync(ReelayApi api, string key)
    {
        var reply = await api.SendAsync(HttpMethod.Get, "/v1/organization", key);
        return reply.Status == 200 ? null : reply.Error;
    }

    private static async Task<string?> ErrorOnceChangedAsync(ReelayApi api, string key)
    {
        var until = DateTime.UtcNow + Deadline;
        string? error;
        while ((error = await OrganizationErrorAsync(api, key)) is null && DateTime.UtcNow < until) await Task.Delay(50);
        return error;
    }

    [Fact]
    public async Task A_key_disabled_on_one_node_is_refused_by_a_node_with_a_ten_minute_cache_on_PostgreSQL_and_kept_until_expiry_on_SQLite()
    {
        var tenant = await nodes.A.NewTenantAsync();
        Assert.Null(await OrganizationErrorAsync(nodes.B, tenant.Key)); // cached as valid on B

        await nodes.A.AdminAsync(HttpMethod.Post, $"/admin/v1/keys/{tenant.KeyId}/disable");

        if (TestDatabase.IsPostgres)
            Assert.Equal(AuthFailureMessages.For(AuthFailure.DisabledKey), await ErrorOnceChangedAsync(nodes.B, tenant.Key));
        else
            Assert.Null(await OrganizationErrorAsync(nodes.B, tenant.Key)); // no cross-node notification: the lifetime bounds it
    }

    [Fact]
    public async Task An_organization_suspended_on_one_node_is_refused_by_a_node_with_a_ten_minute_cache_on_PostgreSQL()
    {
        var tenant = await nodes.A.NewTenantAsync();
        Assert.Null(await OrganizationErrorAsync(nodes.B, tenant.Key));

        await nodes.A.AdminAsync(HttpMethod.Post, $"/admin/v1/organizations/{tenant.OrgId}/suspend");

        if (TestDatabase.IsPostgres)
            Assert.Equal(AuthFailureMessages.For(AuthFailure.SuspendedOrganization), await ErrorOnceChangedAsync(nodes.B, tenant.Key));
        else
            Assert.Null(await OrganizationErrorAsync(nodes.B, tenant.Key));
    }
}
