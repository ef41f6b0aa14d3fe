using Reelay.Server.Features.RunBlob;
using Reelay.Server.Features.Runway;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Api;

/// <summary>The task lists page an organization's tasks newest first, by an index in that order, whatever its history.</summary>
public class TaskListTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly ReelayApi _api = fixture.Api;

    [Fact]
    public async Task Pages_of_the_task_list_follow_one_another_newest_first_and_show_only_the_callers_tasks()
    {
        var mine = await _api.NewTenantAsync();
        var theirs = await _api.NewTenantAsync();
        var created = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            created.Add(await _api.CreateTextTaskAsync(mine.Key, simulate: "fail=INTERNAL"));
            await _api.CreateTextTaskAsync(theirs.Key, simulate: "fail=INTERNAL");
        }

        var first = await _api.SendAsync(HttpMethod.Get, "/v1/tasks?limit=2", mine.Key);
        Assert.Equal(200, first.Status);
        var next = first.Body.GetProperty("next").GetString();
        var second = await _api.SendAsync(HttpMethod.Get, $"/v1/tasks?limit=2&before={next}", mine.Key);
        var listed = first.Body.GetProperty("tasks").EnumerateArray().Concat(second.Body.GetProperty("tasks").EnumerateArray())
            .Select(t => t.GetProperty("id").GetString()).ToList();

        Assert.Equal(Enumerable.Reverse(created), listed);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, second.Body.GetProperty("next").ValueKind);
    }

    [Theory]
    [Trait("Database", "sqlite-only")]
    [InlineData("runway")]
    [InlineData("runway by state")]
    [InlineData("runblob")]
    [InlineData("runblob scoped")]
    public async Task A_list_page_reads_an_index_in_list_order_without_sorting_the_organizations_tasks(string list)
    {
        var sql = list switch
        {
            "runway" => RunwayTaskList.PageSql(byState: false),
            "runway by state" => RunwayTaskList.PageSql(byState: true),
            "runblob" => RunBlobRoutes.ListSql(scopedToSurface: false),
            _ => RunBlobRoutes.ListSql(scopedToSurface: true),
        };
        var plan = await TestDatabase.SqlitePlanAsync(fixture.Server, sql, new { orgId = "org", cursor = long.MaxValue, state = "failed", fetch = 21, surface = "sora", take = 20, skip = 0 });

        Assert.Matches("USING INDEX (ix_tasks_org_seq|ix_tasks_status_seq)", plan);
        Assert.DoesNotContain("TEMP B-TREE", plan);
    }
}
