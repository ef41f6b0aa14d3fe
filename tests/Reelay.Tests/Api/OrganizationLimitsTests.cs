using System.Text.Json;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Api;

/// <summary>GET /v1/organization reads every model's limits in one query: an override shows for its model and organization only.</summary>
public class OrganizationLimitsTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly ReelayApi _api = fixture.Api;

    private async Task<JsonElement> TierModelsAsync(string key)
    {
        var org = await _api.SendAsync(HttpMethod.Get, "/v1/organization", key);
        Assert.Equal(200, org.Status);
        return org.Body.GetProperty("tier").GetProperty("models");
    }

    [Fact]
    public async Task An_organizations_own_limits_replace_the_default_tier_for_that_model_and_that_organization_only()
    {
        var tenant = await _api.NewTenantAsync();
        var other = await _api.NewTenantAsync();
        await _api.AdminAsync(HttpMethod.Put, $"/admin/v1/organizations/{tenant.OrgId}/limits",
            new { models = new Dictionary<string, object> { ["gen4.5"] = new { maxConcurrentGenerations = 3, maxDailyGenerations = 7 } } });

        var mine = await TierModelsAsync(tenant.Key);
        var theirs = await TierModelsAsync(other.Key);

        Assert.Equal(3, mine.GetProperty("gen4.5").GetProperty("maxConcurrentGenerations").GetInt32());
        Assert.Equal(7, mine.GetProperty("gen4.5").GetProperty("maxDailyGenerations").GetInt32());
        Assert.NotEqual(7, theirs.GetProperty("gen4.5").GetProperty("maxDailyGenerations").GetInt32());
        // Every other model keeps the default tier, the same as the organization without overrides.
        var others = mine.EnumerateObject().Where(m => m.Name != "gen4.5").ToList();
        Assert.NotEmpty(others);
        foreach (var model in others) Assert.Equal(theirs.GetProperty(model.Name).GetRawText(), model.Value.GetRawText());
        Assert.Equal(theirs.EnumerateObject().Count(), mine.EnumerateObject().Count());
    }
}
