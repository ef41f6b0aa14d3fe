using Reelay.Server.Features.Queue;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Api;

/// <summary>X-Reelay-Queue-Position on a waiting task's read: its place among its own organization's waiting tasks.</summary>
public class QueuePositionTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly ReelayApi _api = fixture.Api;

    [Fact]
    public async Task A_waiting_tasks_position_counts_only_its_own_organizations_earlier_waiting_tasks()
    {
        var mine = await _api.NewTenantAsync();
        var theirs = await _api.NewTenantAsync();
        var first = await _api.CreateTextTaskAsync(mine.Key, simulate: "throttle=60");
        var other = await _api.CreateTextTaskAsync(theirs.Key, simulate: "throttle=60");
        var second = await _api.CreateTextTaskAsync(mine.Key, simulate: "throttle=60");
        try
        {
            Assert.Equal("1", await PositionAsync(mine.Key, first));
            Assert.Equal("2", await PositionAsync(mine.Key, second));
            Assert.Equal("1", await PositionAsync(theirs.Key, other));
        }
        finally
        {
            foreach (var (key, id) in new[] { (mine.Key, first), (theirs.Key, other), (mine.Key, second) }) await _api.DeleteTaskAsync(key, id);
        }
    }

    [Fact]
    [Trait("Database", "sqlite-only")]
    public async Task The_position_query_walks_the_waiting_tasks_not_the_organizations_history()
    {
        var plan = await TestDatabase.SqlitePlanAsync(fixture.Server, QueuePosition.AheadSql, new { orgId = "org", seq = 10 });

        Assert.Contains("USING INDEX ix_tasks_status_seq (status=? AND seq<?)", plan);
    }

    private async Task<string?> PositionAsync(string key, string id)
    {
        var reply = await _api.GetTaskAsync(key, id);
        Assert.Equal(200, reply.Status);
        return reply.Response.Headers.TryGetValues(QueuePosition.Header, out var values) ? values.Single() : null;
    }
}
