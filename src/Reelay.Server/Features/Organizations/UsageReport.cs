using System.Data.Common;
using System.Globalization;
using Dapper;

namespace Reelay.Server.Features.Organizations;

public sealed record UsedCredits(string Model, long Amount);
public sealed record UsageDay(string Date, IReadOnlyList<UsedCredits> UsedCredits);
public sealed record KeyCredits(string ApiKeyId, long Amount);
public sealed record KeyUsageDay(string Date, IReadOnlyList<KeyCredits> UsedCredits);

/// <summary>POST /v1/organization/usage, as SDK 4.20's OrganizationRetrieveUsageResponse: per day and model, and per day and API key.</summary>
public sealed record UsageResponse(IReadOnlyList<UsageDay> Results, IReadOnlyList<string> Models, IReadOnlyList<string> ApiKeys, IReadOnlyList<KeyUsageDay> ResultsByApiKey);

/// <summary>A ledger movement that counts as usage: a charge (positive) or a refund of a task's charge (negative).</summary>
public sealed record UsageEntry(string Model, string? ApiKeyId, long CreatedAtMs, long Amount);

/// <summary>Net credits spent (charges minus refunds) per UTC day, model and key, from the ledger.</summary>
public static class UsageReport
{
    /// <summary>The longest range a usage report covers.</summary>
    public const int MaxDays = 90;

    /// <summary>
    /// Charges are negative ledger amounts and refunds positive grants that name the refunded task, so usage is minus
    /// their sum; a day whose refunds exceed its charges is negative, as upstream. The key is the task's key.
    /// </summary>
    // Read into a class with settable properties: with no rows SQLite types the expression column as a BLOB, and Dapper would
    // find no record constructor matching (string, string, long, byte[]) — a 500 for an organization without usage.
    public static async Task<IReadOnlyList<UsageEntry>> LoadAsync(DbConnection connection, string orgId, DateOnly start, DateOnly before) =>
        (await connection.QueryAsync<UsageRow>(
            """
            SELECT l.model AS Model, t.key_id AS ApiKeyId, l.created_at AS CreatedAtMs, -l.amount AS Amount
            FROM ledger_entries l LEFT JOIN tasks t ON t.id = l.task_id
            WHERE l.org_id = @orgId AND l.model IS NOT NULL AND l.task_id IS NOT NULL AND l.kind IN ('charge', 'grant')
              AND l.created_at >= @from AND l.created_at < @to
            """, new { orgId, from = ToMs(start), to = ToMs(before) })).Select(r => new UsageEntry(r.Model, r.ApiKeyId, r.CreatedAtMs, r.Amount)).ToList();

    private sealed class UsageRow
    {
        public string Model { get; init; } = "";
        public string? ApiKeyId { get; init; }
        public long CreatedAtMs { get; init; }
        public long Amount { get; init; }
    }

    /// <summary>Every day of the range is listed, with the models (and keys) that had usage that day (pure).</summary>
    public static UsageResponse Summarize(DateOnly start, DateOnly before, IEnumerable<UsageEntry> entries)
    {
        var byDay = entries.GroupBy(e => DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeMilliseconds(e.CreatedAtMs).UtcDateTime)).ToDictionary(g => g.Key, g => g.ToList());
        var days = new List<UsageDay>();
        var keyDays = new List<KeyUsageDay>();
        for (var day = start; day < before; day = day.AddDays(1))
        {
            var date = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            var today = byDay.GetValueOrDefault(day) ?? [];
            days.Add(new UsageDay(date, [.. today.GroupBy(e => e.Model).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => new UsedCredits(g.Key, g.Sum(e => e.Amount)))]));
            keyDays.Add(new KeyUsageDay(date, [.. today.Where(e => e.ApiKeyId is not null).GroupBy(e => e.ApiKeyId!).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new KeyCredits(g.Key, g.Sum(e => e.Amount)))]));
        }
        var models = days.SelectMany(d => d.UsedCredits).Select(u => u.Model).Distinct().Order(StringComparer.Ordinal).ToList();
        var keys = keyDays.SelectMany(d => d.UsedCredits).Select(u => u.ApiKeyId).Distinct().Order(StringComparer.Ordinal).ToList();
        return new UsageResponse(days, models, keys, keyDays);
    }

    public static long ToMs(DateOnly date) => new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeMilliseconds();
}
