using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Reliability;

/// <summary>What refused requests must leave as they were: balance, ledger, tasks, uploads and keys of one organization.</summary>
public sealed record OrganizationState(long Balance, string Ledger, string Tasks, string Uploads, string Keys)
{
    public static async Task<OrganizationState> ReadAsync(ServerProcess server, ReelayApi api, string orgId)
    {
        var org = await api.AdminAsync(HttpMethod.Get, $"/admin/v1/organizations/{orgId}");
        var ledger = await TestDatabase.QueryAsync<(long Id, string Kind, long Amount)>(server,
            "SELECT id, kind, amount FROM ledger_entries WHERE org_id = @orgId ORDER BY id", new { orgId });
        var tasks = await TestDatabase.QueryAsync<(string Id, string Status, long? DeletedAt)>(server,
            "SELECT id, status, deleted_at FROM tasks WHERE org_id = @orgId ORDER BY id", new { orgId });
        var uploads = await TestDatabase.QueryAsync<(string Id, long? CompletedAt)>(server,
            "SELECT id, completed_at FROM uploads WHERE org_id = @orgId ORDER BY id", new { orgId });
        var keys = await TestDatabase.QueryAsync<string>(server, "SELECT id FROM api_keys WHERE org_id = @orgId ORDER BY id", new { orgId });
        return new OrganizationState(org.GetProperty("creditBalance").GetInt64(), string.Join(";", ledger), string.Join(";", tasks),
            string.Join(";", uploads), string.Join(";", keys));
    }
}
