using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Api;

public class CreditLedgerTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly ReelayApi _api = fixture.Api;

    private Task<List<(string Kind, long Amount, string? TaskId)>> LedgerAsync(string orgId) =>
        TestDatabase.QueryAsync<(string Kind, long Amount, string? TaskId)>(fixture.Server,
            "SELECT kind, amount, task_id FROM ledger_entries WHERE org_id = @org ORDER BY id", new { org = orgId });

    /// <summary>The running total (org_balances) against its definition, the sum over the append-only ledger.</summary>
    private async Task AssertRunningBalanceIsTheLedgerSumAsync(string orgId, string context)
    {
        var running = (await TestDatabase.QueryAsync<long>(fixture.Server, "SELECT balance FROM org_balances WHERE org_id = @org", new { org = orgId })).Single();
        var summed = (await TestDatabase.QueryAsync<long>(fixture.Server,
            "SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM ledger_entries WHERE org_id = @org", new { org = orgId })).Single();
        Assert.True(running == summed, $"{context}: running balance {running} != ledger sum {summed}");
    }

    [Fact]
    public async Task After_a_randomized_run_the_balance_is_grants_minus_charges_with_no_hold_left_and_nothing_charged_twice()
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        var tenant = await _api.NewTenantAsync(credits: 5000);
        await _api.AdminAsync(HttpMethod.Post, $"/admin/v1/organizations/{tenant.OrgId}/credits", new { credits = 300, reason = "top-up" });
        await _api.AdminAsync(HttpMethod.Put, $"/admin/v1/organizations/{tenant.OrgId}/limits", new { models = new Dictionary<string, object> { ["gen4.5"] = new { maxConcurrentGenerations = 3 } } });
        string[] kinds = ["success", "internal", "moderation", "cancel-running", "cancel-waiting"];
        var expectedCharged = new Dictionary<string, bool>();
        var toCancel = new List<string>();
        for (var i = 0; i < 14; i++)
        {
            var kind = kinds[random.Next(kinds.Length)];
            var simulate = kind switch
            {
                "internal" => "fail=INTERNAL",
                "moderation" => random.Next(2) == 0 ? "fail=SAFETY.INPUT.TEXT" : "delay=0.5, fail=SAFETY.OUTPUT.VIDEO",
                "cancel-running" => "delay=20",
                "cancel-waiting" => "throttle=30",
                _ => null,
            };
            var id = await _api.CreateTextTaskAsync(tenant.Key, simulate: simulate);
            expectedCharged[id] = kind is "success" or "moderation";
            if (kind.StartsWith("cancel", StringComparison.Ordinal)) toCancel.Add(id);
        }
        foreach (var id in toCancel) Assert.Equal(204, (await _api.DeleteTaskAsync(tenant.Key, id)).Status);
        // Cancelled tasks are settled (and deleted) by the DELETE itself; the others are awaited.
        foreach (var id in expectedCharged.Keys.Except(toCancel)) await _api.WaitForAsync(tenant.Key, id, ReelayApi.IsTerminal, TimeSpan.FromSeconds(120));

        var ledger = await LedgerAsync(tenant.OrgId);
        var grants = ledger.Where(e => e.Kind == "grant").Sum(e => e.Amount);
        var charges = ledger.Where(e => e.Kind == "charge").Sum(e => -e.Amount);
        var balance = (await _api.AdminAsync(HttpMethod.Get, $"/admin/v1/organizations/{tenant.OrgId}")).GetProperty("creditBalance").GetInt64();
        Assert.True(balance == grants - charges, $"seed {seed}: balance {balance} != {grants} - {charges}");
        foreach (var (id, charged) in expectedCharged)
        {
            var entries = ledger.Where(e => e.TaskId == id).ToList();
            Assert.Equal(1, entries.Count(e => e.Kind == "hold"));
            Assert.Equal(1, entries.Count(e => e.Kind == "release"));
            Assert.True(entries.Count(e => e.Kind == "charge") == (charged ? 1 : 0), $"seed {seed}: task {id} charged wrongly");
        }
        Assert.Equal(grants - charges, 5300 - expectedCharged.Count(p => p.Value) * 24);
        await AssertRunningBalanceIsTheLedgerSumAsync(tenant.OrgId, $"seed {seed}");
        // The hourly create counters the daily cap reads, too (and, after a crash, TaskCounterTests).
        await TaskCounterTests.AssertCountersMatchAsync(fixture.Server, tenant.OrgId, $"seed {seed}");
    }

    [Fact]
    public async Task Fifty_concurrent_creates_against_a_balance_for_ten_accept_exactly_ten()
    {
        var tenant = await _api.NewTenantAsync(credits: 10 * 24 + 5);
        var body = new { model = "gen4.5", promptText = "race", ratio = "1280:720", duration = 2 };
        // Held tasks stay THROTTLED, so no hold is settled while the race runs.
        var replies = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => _api.PostAsync("/v1/text_to_video", tenant.Key, body, simulate: "throttle=120")));
        Assert.Equal(10, replies.Count(r => r.Status == 200));
        Assert.Equal(40, replies.Count(r => r.Status == 400 && r.Error == "You do not have enough credits to run this task."));
        var balance = (await _api.AdminAsync(HttpMethod.Get, $"/admin/v1/organizations/{tenant.OrgId}")).GetProperty("creditBalance").GetInt64();
        Assert.Equal(5, balance);
        await AssertRunningBalanceIsTheLedgerSumAsync(tenant.OrgId, "after the race");
        await Task.WhenAll(replies.Where(r => r.Status == 200).Select(r => _api.DeleteTaskAsync(tenant.Key, r.Body.GetProperty("id").GetString()!)));
        await AssertRunningBalanceIsTheLedgerSumAsync(tenant.OrgId, "after concurrent cancels");
        Assert.Equal(10 * 24 + 5, (await _api.AdminAsync(HttpMethod.Get, $"/admin/v1/organizations/{tenant.OrgId}")).GetProperty("creditBalance").GetInt64());
    }

    [Fact]
    public async Task The_organization_endpoints_report_balance_limits_usage_and_daily_credits_per_model()
    {
        var tenant = await _api.NewTenantAsync(credits: 1000);
        var id = await _api.CreateTextTaskAsync(tenant.Key);
        await _api.WaitForAsync(tenant.Key, id, ReelayApi.IsTerminal);
        var org = await _api.SendAsync(HttpMethod.Get, "/v1/organization", tenant.Key);
        Assert.Equal(200, org.Status);
        Assert.Equal(976, org.Body.GetProperty("creditBalance").GetInt64());
        Assert.Equal(2, org.Body.GetProperty("tier").GetProperty("models").GetProperty("gen4.5").GetProperty("maxConcurrentGenerations").GetInt32());
        Assert.True(org.Body.GetProperty("tier").GetProperty("maxMonthlyCreditSpend").GetInt64() > 0);
        Assert.Equal(1, org.Body.GetProperty("usage").GetProperty("models").GetProperty("gen4.5").GetProperty("dailyGenerations").GetInt32());

        var usage = await _api.SendAsync(HttpMethod.Post, "/v1/organization/usage", tenant.Key, new { });
        Assert.Equal(200, usage.Status);
        var results = usage.Body.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(30, results.Count);
        var today = results.Single(r => r.GetProperty("date").GetString() == DateTime.UtcNow.ToString("yyyy-MM-dd"));
        Assert.Equal(24, today.GetProperty("usedCredits").EnumerateArray().Single(u => u.GetProperty("model").GetString() == "gen4.5").GetProperty("amount").GetInt64());
        Assert.Equal(["gen4.5"], usage.Body.GetProperty("models").EnumerateArray().Select(m => m.GetString()).ToList());

        var tooLong = await _api.SendAsync(HttpMethod.Post, "/v1/organization/usage", tenant.Key, new { startDate = "2026-01-01", beforeDate = "2026-06-01" });
        Assert.Equal(400, tooLong.Status);
        var badDate = await _api.SendAsync(HttpMethod.Post, "/v1/organization/usage", tenant.Key, new { startDate = "yesterday" });
        Assert.Equal("startDate", badDate.Body.GetProperty("issues")[0].GetProperty("path")[0].GetString());
    }

    [Fact]
    public async Task Usage_of_an_organization_whose_only_task_was_cancelled_is_empty_not_an_error()
    {
        var tenant = await _api.NewTenantAsync();
        var id = await _api.CreateTextTaskAsync(tenant.Key, simulate: "throttle=30");
        Assert.Equal(204, (await _api.DeleteTaskAsync(tenant.Key, id)).Status);
        var usage = await _api.PostAsync("/v1/organization/usage", tenant.Key, new { });
        Assert.True(usage.Status == 200, usage.Body.ToString());
        Assert.All(usage.Body.GetProperty("results").EnumerateArray(), day => Assert.Empty(day.GetProperty("usedCredits").EnumerateArray()));
    }

    [Fact]
    public async Task Usage_is_net_of_refunds_per_model_and_per_api_key()
    {
        var tenant = await _api.NewTenantAsync(credits: 1000);
        var second = await _api.AdminAsync(HttpMethod.Post, $"/admin/v1/organizations/{tenant.OrgId}/keys", new { name = "second" });
        var (secondKey, secondKeyId) = (second.GetProperty("key").GetString()!, second.GetProperty("id").GetString()!);
        var refunded = await _api.CreateTextTaskAsync(tenant.Key);
        var kept = await _api.CreateTextTaskAsync(secondKey);
        await _api.WaitForAsync(tenant.Key, refunded, ReelayApi.IsTerminal);
        await _api.WaitForAsync(secondKey, kept, ReelayApi.IsTerminal);

        var refund = await _api.AdminAsync(HttpMethod.Post, $"/admin/v1/organizations/{tenant.OrgId}/credits", new { credits = 24, reason = "bad render", taskId = refunded });
        Assert.Equal(1000 - 24 - 24 + 24, refund.GetProperty("creditBalance").GetInt64());
        var again = await _api.SendAsync(HttpMethod.Post, $"/admin/v1/organizations/{tenant.OrgId}/credits", ServerProcess.AdminToken, new { credits = 1, taskId = refunded });
        Assert.Equal(400, again.Status);
        Assert.StartsWith($"At most 0 credits of task '{refunded}' can still be refunded", again.Error);

        var usage = await _api.SendAsync(HttpMethod.Post, "/v1/organization/usage", tenant.Key, new { });
        Assert.Equal(200, usage.Status);
        var date = DateTime.UtcNow.ToString("yyyy-MM-dd");
        var today = usage.Body.GetProperty("results").EnumerateArray().Single(r => r.GetProperty("date").GetString() == date);
        Assert.Equal("""[{"model":"gen4.5","amount":24}]""", today.GetProperty("usedCredits").GetRawText());
        Assert.Equal(["gen4.5"], usage.Body.GetProperty("models").EnumerateArray().Select(m => m.GetString()));
        var keys = new[] { tenant.KeyId, secondKeyId }.Order(StringComparer.Ordinal).ToList();
        Assert.Equal(keys, usage.Body.GetProperty("apiKeys").EnumerateArray().Select(k => k.GetString()));
        var byKey = usage.Body.GetProperty("resultsByApiKey").EnumerateArray().ToList();
        Assert.Equal(30, byKey.Count);
        var todayByKey = byKey.Single(r => r.GetProperty("date").GetString() == date).GetProperty("usedCredits").EnumerateArray()
            .ToDictionary(u => u.GetProperty("apiKeyId").GetString()!, u => u.GetProperty("amount").GetInt64());
        Assert.Equal(new Dictionary<string, long> { [tenant.KeyId] = 0, [secondKeyId] = 24 }, todayByKey);
    }
}
