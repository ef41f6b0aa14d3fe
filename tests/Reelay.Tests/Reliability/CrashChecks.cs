using Reelay.Tests.Api;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Reliability;

/// <summary>What must hold after the crash rounds, read from the database the nodes shared.</summary>
public static class CrashChecks
{
    /// <summary>Adds what does not hold to <paramref name="problems"/>; returns how many tasks ran more than once (re-leased after a crash).</summary>
    public static async Task<int> VerifyAsync(ServerProcess server, ReelayApi api, string orgId, CrashLoad load, WebhookReceiver receiver,
        List<string> runBlob, List<string> problems)
    {
        var tasks = await TestDatabase.QueryAsync<(string Id, string Status, long Attempts)>(server,
            "SELECT id, status, attempts FROM tasks WHERE org_id = @orgId", new { orgId });
        // No task the clients were not told of (a retried create that made a second task), none they were told of missing.
        var stored = tasks.Select(t => t.Id).ToHashSet();
        foreach (var id in stored.Except(load.Tasks.Keys)) problems.Add($"task {id} exists but no client was given its id (a duplicate create?)");
        foreach (var id in load.Tasks.Keys.Except(stored)) problems.Add($"task {id} was given to a client but is not stored");

        var ledger = await TestDatabase.QueryAsync<(string? TaskId, string Kind, long Amount)>(server,
            "SELECT task_id, kind, amount FROM ledger_entries WHERE org_id = @orgId", new { orgId });
        foreach (var task in tasks)
        {
            var entries = ledger.Where(e => e.TaskId == task.Id).ToList();
            var (holds, releases, charges) = (entries.Count(e => e.Kind == "hold"), entries.Count(e => e.Kind == "release"), entries.Count(e => e.Kind == "charge"));
            if (holds != 1 || releases != 1 || charges != (task.Status == "succeeded" ? 1 : 0))
                problems.Add($"task {task.Id} ({task.Status}, {task.Attempts} attempts): {holds} holds, {releases} releases, {charges} charges");
        }
        var summed = ledger.Sum(e => e.Amount);
        var running = await TestDatabase.ScalarAsync<long>(server, "SELECT balance FROM org_balances WHERE org_id = @orgId", new { orgId });
        var reported = (await api.AdminAsync(HttpMethod.Get, $"/admin/v1/organizations/{orgId}")).GetProperty("creditBalance").GetInt64();
        if (summed != running || running != reported) problems.Add($"ledger sum {summed}, running balance {running}, reported {reported}");

        // A key whose create died before committing made nothing: its claim is still in flight, with no task.
        foreach (var key in load.OrphanedKeys)
        {
            var claim = await TestDatabase.QueryAsync<(string State, string? TaskId)>(server,
                "SELECT state, task_id FROM idempotency_keys WHERE org_id = @orgId AND key = @key", new { orgId, key });
            if (claim.Any(c => c.State != "in_flight" || c.TaskId is not null)) problems.Add($"orphaned key {key} has a task after all: {claim[0]}");
        }

        foreach (var id in runBlob)
        {
            var deliveries = receiver.Requests.Where(r => r.Body.Contains(id)).ToList();
            if (deliveries.Count == 0) problems.Add($"no callback for {id}");
            else if (deliveries.Select(d => d.Id).Distinct().Count() != 1) problems.Add($"callbacks for {id} carry webhook-ids {string.Join(", ", deliveries.Select(d => d.Id).Distinct())}");
        }

        var uploads = await TestDatabase.QueryAsync<(string Id, long? CompletedAt, string? BlobKey)>(server,
            "SELECT id, completed_at, blob_key FROM uploads WHERE org_id = @orgId", new { orgId });
        foreach (var id in load.ConfirmedUploads)
        {
            var row = uploads.FirstOrDefault(u => u.Id == id);
            if (row.CompletedAt is null || row.BlobKey is null) problems.Add($"confirmed upload {id} is not complete in the database");
            else if (!File.Exists(Path.Combine(server.DataDirectory, "blobs", row.BlobKey))) problems.Add($"confirmed upload {id}: blob {row.BlobKey} is missing");
        }
        return tasks.Count(t => t.Attempts > 1);
    }
}
