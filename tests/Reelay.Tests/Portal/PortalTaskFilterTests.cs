using Reelay.Server.Features.Portal;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Portal;

/// <summary>The task page's model filter lists the models of the organization's own tasks, found seek by seek.</summary>
public class PortalTaskFilterTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly ReelayApi _api = fixture.Api;

    [Fact]
    public async Task The_model_filter_lists_each_model_of_the_organizations_tasks_once_in_order()
    {
        var mine = await _api.NewTenantAsync();
        var theirs = await _api.NewTenantAsync();
        foreach (var model in new[] { "veo3.1_fast", "gen4.5", "veo3.1_fast", "gen4.5" })
            await _api.CreateTextTaskAsync(mine.Key, duration: 4, simulate: "fail=INTERNAL", model: model);
        await _api.CreateTextTaskAsync(theirs.Key, duration: 4, simulate: "fail=INTERNAL", model: "veo3.1");

        var models = await TestDatabase.QueryAsync<string>(fixture.Server, TaskPages.ModelsSql, new { orgid = mine.OrgId });
        var none = await TestDatabase.QueryAsync<string>(fixture.Server, TaskPages.ModelsSql, new { orgid = "org_without_tasks" });

        Assert.Equal(["gen4.5", "veo3.1_fast"], models);
        Assert.Empty(none);
    }

    [Fact]
    [Trait("Database", "sqlite-only")]
    public async Task The_model_filter_seeks_an_index_instead_of_reading_the_organizations_tasks()
    {
        var plan = await TestDatabase.SqlitePlanAsync(fixture.Server, TaskPages.ModelsSql, new { orgid = "org" });

        Assert.Contains("COVERING INDEX", plan);
        Assert.Contains("(org_id=? AND model>?)", plan);
    }
}
