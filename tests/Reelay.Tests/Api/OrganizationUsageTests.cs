using System.Text.Json;
using Reelay.Server.Features.Tasks;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Api;

/// <summary>
/// GET /v1/organization's usage is read from the hourly counters plus the tasks of the hour that straddles the
/// window's start; it must equal the count of the organization's tasks created in the last 24 hours, per model.
/// </summary>
public class OrganizationUsageTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private const long HourMs = TaskCounts.HourMs;
    private readonly ReelayApi _api = fixture.Api;

    [Fact]
    public async Task The_days_usage_per_model_counts_exactly_the_tasks_created_in_the_last_24_hours()
    {
        var tenant = await _api.NewTenantAsync(credits: 100_000);
        var ids = new List<string>();
        foreach (var model in new[] { "gen4.5", "gen4.5", "gen4.5", "gen4.5", "gen4.5", "veo3.1_fast", "veo3.1_fast" })
            ids.Add(await _api.CreateTextTaskAsync(tenant.Key, duration: 4, simulate: "fail=INTERNAL", model: model));
        // Move tasks back in time: outside the window, just inside and just outside its start (often the same hour,
        // the one read from the tasks table), and two hours ago (a counter); the counters are rebuilt to match.
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        long[] ages = [25 * HourMs, 24 * HourMs - 300_000, 24 * HourMs + 300_000, 2 * HourMs, 0, 24 * HourMs - 300_000, 30 * HourMs];
        for (var i = 0; i < ids.Count; i++)
            await TestDatabase.ExecuteAsync(fixture.Server, "UPDATE tasks SET created_at = @at WHERE id = @id", new { at = now - ages[i], id = ids[i] });
        await TestDatabase.ExecuteAsync(fixture.Server, "DELETE FROM task_counts WHERE org_id = @orgId", new { orgId = tenant.OrgId });
        await TestDatabase.ExecuteAsync(fixture.Server,
            "INSERT INTO task_counts (org_id, model, hour, created) SELECT org_id, model, created_at / 3600000, COUNT(*) FROM tasks WHERE org_id = @orgId GROUP BY org_id, model, created_at / 3600000",
            new { orgId = tenant.OrgId });

        var organization = await _api.SendAsync(HttpMethod.Get, "/v1/organization", tenant.Key);
        Assert.Equal(200, organization.Status);
        var expected = (await TestDatabase.QueryAsync<(string Model, long Count)>(fixture.Server,
            "SELECT model, COUNT(*) FROM tasks WHERE org_id = @orgId AND created_at > @dayAgo GROUP BY model",
            new { orgId = tenant.OrgId, dayAgo = now - 24 * HourMs })).ToDictionary(r => r.Model, r => r.Count);
        Assert.Equal(3, expected["gen4.5"]);
        Assert.Equal(1, expected["veo3.1_fast"]);
        var usage = organization.Body.GetProperty("usage").GetProperty("models");
        foreach (var model in usage.EnumerateObject())
            Assert.True(expected.GetValueOrDefault(model.Name) == model.Value.GetProperty("dailyGenerations").GetInt64(), $"{model.Name}: {model.Value}");
    }

    [Fact]
    public async Task The_organization_read_lists_every_model_under_its_tier_and_its_usage_with_the_sdks_fields()
    {
        var tenant = await _api.NewTenantAsync(credits: 1234);
        var organization = await _api.SendAsync(HttpMethod.Get, "/v1/organization", tenant.Key);

        Assert.Equal(200, organization.Status);
        Assert.Equal("application/json; charset=utf-8", organization.Response.Content.Headers.ContentType?.ToString());
        var body = organization.Body;
        Assert.Equal(["creditBalance", "tier", "usage"], body.EnumerateObject().Select(p => p.Name));
        Assert.Equal(1234, body.GetProperty("creditBalance").GetInt64());
        Assert.Equal(JsonValueKind.Number, body.GetProperty("tier").GetProperty("maxMonthlyCreditSpend").ValueKind);
        var tier = body.GetProperty("tier").GetProperty("models").EnumerateObject().ToList();
        var usage = body.GetProperty("usage").GetProperty("models").EnumerateObject().ToList();
        Assert.Contains(tier, m => m.Name == "gen4.5");
        Assert.Equal(tier.Select(m => m.Name), usage.Select(m => m.Name));
        foreach (var model in tier)
            Assert.Equal(["maxConcurrentGenerations", "maxDailyGenerations"], model.Value.EnumerateObject().Select(p => p.Name));
        foreach (var model in usage)
            Assert.Equal(0, model.Value.GetProperty("dailyGenerations").GetInt64());
    }

    [Fact]
    [Trait("Database", "sqlite-only")]
    public async Task The_usage_query_reads_the_windows_counters_and_one_hours_tasks_by_index_not_the_organizations_history()
    {
        var (dayAgo, firstHour, firstHourEnd) = TaskCounts.Window(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var plan = await TestDatabase.SqlitePlanAsync(fixture.Server, TaskCounts.TodayByModelSql, new { orgId = "org", dayAgo, firstHour, firstHourEnd });

        Assert.Contains("task_counts USING INDEX ix_task_counts_org_hour (org_id=? AND hour>?)", plan);
        Assert.Contains("tasks USING INDEX ix_tasks_org_created (org_id=? AND created_at>? AND created_at<?)", plan);
    }
}
