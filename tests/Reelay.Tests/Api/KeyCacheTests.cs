using Reelay.Server.Features.Auth;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Api;

/// <summary>
/// Key lookups are cached per node for <see cref="KeyCache.Lifetime"/>: a change is refused at once on the node that
/// made it and, on the other node, by the first request after that bound (two nodes on one database, SQLite or PostgreSQL).
/// </summary>
public class KeyCacheTests(TwoNodeFixture nodes) : IClassFixture<TwoNodeFixture>
{
    private static readonly TimeSpan PastTheBound = KeyCache.Lifetime + TimeSpan.FromSeconds(1);

    private static async Task<string?> OrganizationErrorAsync(ReelayApi api, string key)
    {
        var reply = await api.SendAsync(HttpMethod.Get, "/v1/organization", key);
        return reply.Status == 200 ? null : reply.Error;
    }

    [Fact]
    public async Task A_key_disabled_on_one_node_is_refused_there_at_once_and_on_the_other_node_once_the_cache_bound_has_passed()
    {
        var tenant = await nodes.A.NewTenantAsync();
        // Both nodes have the key cached as valid.
        Assert.Null(await OrganizationErrorAsync(nodes.A, tenant.Key));
        Assert.Null(await OrganizationErrorAsync(nodes.B, tenant.Key));

        await nodes.A.AdminAsync(HttpMethod.Post, $"/admin/v1/keys/{tenant.KeyId}/disable");
        Assert.Equal(AuthFailureMessages.For(AuthFailure.DisabledKey), await OrganizationErrorAsync(nodes.A, tenant.Key));
        await Task.Delay(PastTheBound);
        Assert.Equal(AuthFailureMessages.For(AuthFailure.DisabledKey), await OrganizationErrorAsync(nodes.B, tenant.Key));
    }

    [Fact]
    public async Task An_organization_suspended_on_one_node_is_refused_on_both_within_the_bound_and_unsuspending_restores_access()
    {
        var tenant = await nodes.A.NewTenantAsync();
        Assert.Null(await OrganizationErrorAsync(nodes.B, tenant.Key));

        await nodes.A.AdminAsync(HttpMethod.Post, $"/admin/v1/organizations/{tenant.OrgId}/suspend");
        Assert.Equal(AuthFailureMessages.For(AuthFailure.SuspendedOrganization), await OrganizationErrorAsync(nodes.A, tenant.Key));
        await Task.Delay(PastTheBound);
        Assert.Equal(AuthFailureMessages.For(AuthFailure.SuspendedOrganization), await OrganizationErrorAsync(nodes.B, tenant.Key));

        await nodes.B.AdminAsync(HttpMethod.Post, $"/admin/v1/organizations/{tenant.OrgId}/unsuspend");
        Assert.Null(await OrganizationErrorAsync(nodes.B, tenant.Key));
        await Task.Delay(PastTheBound);
        Assert.Null(await OrganizationErrorAsync(nodes.A, tenant.Key));
    }
}
