using System.Data.Common;
using System.Globalization;
using System.Text;
using Dapper;

namespace Reelay.Server.Features.RequestLog;

/// <summary>What the history shows: one organization's requests (or, for the operator, everyone's), filtered.</summary>
public sealed record HistoryFilter
{
    /// <summary>Required unless AllOrganizations: tenant isolation is part of every query.</summary>
    public string? OrgId { get; init; }
    public bool AllOrganizations { get; init; }
    public bool ErrorsOnly { get; init; }
    /// <summary>"METHOD /route/{pattern}", as the request log stores it.</summary>
    public string? Endpoint { get; init; }
    public string? KeyId { get; init; }
    public long? FromMs { get; init; }
    public long? ToMs { get; init; }
    public HistoryCursor? Before { get; init; }
    public int Limit { get; init; } = 50;
    /// <summary>Leaves out the SDKs' successful status polls (RequestTasks.PollingSql).</summary>
    public bool HidePolling { get; init; }
    /// <summary>A task id (a GUID), or else a request id or text found in the path or the stored bodies.</summary>
    public string? Search { get; init; }
}

/// <summary>Keyset position: the (at, id) of the last row shown; the next page starts strictly after it.</summary>
public readonly record struct HistoryCursor(long At, long Id)
{
    public override string ToString() => $"{At}.{Id}";

    public static HistoryCursor? Parse(string? value)
    {
        var parts = (value ?? "").Split('.');
        return parts.Length == 2 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var at)
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? new HistoryCursor(at, id) : null;
    }
}

public class HistoryRow
{
    public long Id { get; init; }
    public long At { get; init; }
    public string? OrgId { get; init; }
    public string? KeyId { get; init; }
    public string? KeyPrefix { get; init; }
    public string Method { get; init; } = "";
    public string Path { get; init; } = "";
    public string Endpoint { get; init; } = "";
    public long Status { get; init; }
    public double LatencyMs { get; init; }
    public string RequestId { get; init; } = "";
    public string? TaskId { get; init; }
    /// <summary>The start of the stored error body, enough for the message shown in a list row.</summary>
    public string? ResponseStart { get; init; }
}

public sealed class HistoryDetail : HistoryRow
{
    public string? Query { get; init; }
    public string? RequestType { get; init; }
    public long RequestBytes { get; init; }
    public string? RequestBody { get; init; }
    public string? ResponseBody { get; init; }
}

public sealed record HistoryPage(IReadOnlyList<HistoryRow> Rows, HistoryCursor? Next);

public static class HistoryQuery
{
    public const int MaxLimit = 200;

    private const string RowColumns =
        """
        id AS Id, at AS At, org_id AS OrgId, key_id AS KeyId, key_prefix AS KeyPrefix, method AS Method, path AS Path,
        endpoint AS Endpoint, status AS Status, latency_ms AS LatencyMs, request_id AS RequestId, task_id AS TaskId,
        substr(response_body, 1, 1000) AS ResponseStart
        """;

    /// <summary>
    /// The SQL of one page (pure, so tests and the benchmark call it directly). Every condition is an
    /// equality or a range on an index that ends in `at`, so SQLite walks one index backwards from the
    /// cursor and stops after Limit + 1 rows, however large the table.
    /// </summary>
    public static (string Sql, DynamicParameters Parameters) Page(HistoryFilter filter)
    {
        var where = new List<string>();
        var parameters = new DynamicParameters();
        if (filter.OrgId is not null)
        {
            where.Add("org_id = @orgid");
            parameters.Add("orgid", filter.OrgId);
        }
        else if (!filter.AllOrganizations) throw new ArgumentException("A history query needs an organization unless it is the operator's.", nameof(filter));
        else if (filter.KeyId is not null) where.Add("org_id = (SELECT org_id FROM api_keys WHERE id = @keyid)"); // a key implies its organization: use that index
        // Written exactly as the partial indexes' WHERE, so SQLite can use them.
        if (filter.ErrorsOnly) where.Add("status >= 400");
        if (filter.Endpoint is not null)
        {
            where.Add("endpoint = @endpoint");
            parameters.Add("endpoint", filter.Endpoint);
        }
        if (filter.KeyId is not null)
        {
            where.Add("key_id = @keyid");
            parameters.Add("keyid", filter.KeyId);
        }
        if (filter.FromMs is { } from)
        {
            where.Add("at >= @from");
            parameters.Add("from", from);
        }
        if (filter.ToMs is { } to)
        {
            where.Add("at <= @to");
            parameters.Add("to", to);
        }
        if (filter.HidePolling) where.Add(RequestTasks.PollingSql);
        if (filter.Search is { Length: > 0 } search)
        {
            if (Guid.TryParse(search, out var taskId))
            {
                // The task's own requests (indexed), and requests whose body names it (an output URL fed into another task).
                where.Add(@"(task_id = @taskid OR LOWER(request_body) LIKE @like)");
                parameters.Add("taskid", taskId.ToString());
                parameters.Add("like", "%" + taskId + "%");
            }
            else
            {
                // A text scan of this organization's rows (newest first, stopping at a page): the bodies have no text index.
                where.Add(@"(request_id = @search OR LOWER(path) LIKE @like ESCAPE '\' OR LOWER(response_body) LIKE @like ESCAPE '\' OR LOWER(request_body) LIKE @like ESCAPE '\')");
                parameters.Add("search", search);
                parameters.Add("like", "%" + search.ToLowerInvariant().Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%");
            }
        }
        if (filter.Before is { } cursor)
        {
            // The plain range on `at` is what the index seeks to; the OR only settles ties within one millisecond.
            where.Add("at <= @cursorat AND (at < @cursorat OR id < @cursorid)");
            parameters.Add("cursorat", cursor.At);
            parameters.Add("cursorid", cursor.Id);
        }
        parameters.Add("limit", Math.Clamp(filter.Limit, 1, MaxLimit) + 1);
        var sql = new StringBuilder($"SELECT {RowColumns} FROM request_log");
        if (where.Count > 0) sql.Append(" WHERE ").AppendJoin(" AND ", where);
        sql.Append(" ORDER BY at DESC, id DESC LIMIT @limit");
        return (sql.ToString(), parameters);
    }

    public static async Task<HistoryPage> PageAsync(DbConnection connection, HistoryFilter filter)
    {
        var (sql, parameters) = Page(filter);
        var rows = (await connection.QueryAsync<HistoryRow>(sql, parameters)).ToList();
        var limit = Math.Clamp(filter.Limit, 1, MaxLimit);
        if (rows.Count <= limit) return new HistoryPage(rows, null);
        rows.RemoveAt(rows.Count - 1);
        return new HistoryPage(rows, new HistoryCursor(rows[^1].At, rows[^1].Id));
    }

    /// <summary>One entry; orgId null is the operator, who may read any organization's.</summary>
    public static Task<HistoryDetail?> FindAsync(DbConnection connection, long id, string? orgId) =>
        connection.QuerySingleOrDefaultAsync<HistoryDetail>(
            $"""
            SELECT {RowColumns}, query AS Query, request_type AS RequestType, request_bytes AS RequestBytes,
                   request_body AS RequestBody, response_body AS ResponseBody
            FROM request_log WHERE id = @id {(orgId is null ? "" : "AND org_id = @orgid")}
            """, new { id, orgid = orgId });
}
