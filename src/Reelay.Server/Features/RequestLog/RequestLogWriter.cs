using System.Data;
using System.Data.Common;
using System.Text.Json;
using Dapper;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.RequestLog;

/// <summary>
/// Drains the queue: redacts bodies (here, off the requests' path) and inserts up to BatchSize entries
/// per transaction. Dropped entries are reported as a warning at most every DropWarningInterval.
/// </summary>
public sealed class RequestLogWriter(Db db, RequestLogQueue queue, RequestLogOptions options, ILogger<RequestLogWriter> logger) : BackgroundService
{
    private long _reportedDrops;

    public const string InsertSql =
        """
        INSERT INTO request_log (at, org_id, key_id, key_prefix, method, path, query, endpoint, status, latency_ms,
                                 request_id, request_type, request_bytes, request_body, response_body, task_id)
        VALUES (@at, @orgid, @keyid, @keyprefix, @method, @path, @query, @endpoint, @status, @latencyms,
                @requestid, @requesttype, @requestbytes, @requestbody, @responsebody, @taskid)
        """;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        await Task.WhenAll(WriteLoopAsync(stoppingToken), WarnLoopAsync(stoppingToken));
        ReportDrops();
    }

    private async Task WriteLoopAsync(CancellationToken stoppingToken)
    {
        var batch = new List<RequestLogEntry>(options.BatchSize);
        try
        {
            while (await queue.Reader.WaitToReadAsync(stoppingToken))
            {
                await DrainAsync(batch);
                // Lingering lets a busy server gather its next entries into one transaction instead of committing a
                // handful at a time; an idle one still writes within FlushDelay of a request.
                if (options.FlushDelay > TimeSpan.Zero) await Task.Delay(options.FlushDelay, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: write what is already queued, then stop.
            await DrainAsync(batch);
        }
    }

    /// <summary>A timer rather than the write loop, so drops are reported even when no entry arrives afterwards.</summary>
    private async Task WarnLoopAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.DropWarningInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken)) ReportDrops();
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }

    private async Task DrainAsync(List<RequestLogEntry> batch)
    {
        while (true)
        {
            batch.Clear();
            while (batch.Count < options.BatchSize && queue.Reader.TryRead(out var entry)) batch.Add(entry);
            if (batch.Count == 0) return;
            try
            {
                await ResolveKeysAsync(db, batch);
                await WriteBatchAsync(db, batch.Select(e => ToRow(e, options.StoredBodyBytes, queue)).ToList());
            }
            catch (Exception ex)
            {
                queue.CountLost(batch.Count);
                logger.LogError(ex, "Could not write {Count} request log entries; they are lost", batch.Count);
            }
            finally
            {
                foreach (var entry in batch) queue.Release(entry);
            }
        }
    }

    /// <summary>
    /// The organization of a request no endpoint authenticated (a mistyped route, a wrong method): found by its key's
    /// hash, so the organization sees its own 404s and 405s. A disabled key or an unknown one stays without organization.
    /// </summary>
    public static async Task ResolveKeysAsync(Db db, IReadOnlyList<RequestLogEntry> batch)
    {
        var unresolved = batch.Where(e => e.UnresolvedKeyHash is not null && e.OrgId is null).ToList();
        if (unresolved.Count == 0) return;
        await using var connection = await db.OpenAsync();
        foreach (var entry in unresolved)
        {
            var key = await connection.QuerySingleOrDefaultAsync<(string Id, string OrgId, string Prefix)?>(
                "SELECT id, org_id, prefix FROM api_keys WHERE key_hash = @hash AND disabled_at IS NULL", new { hash = entry.UnresolvedKeyHash });
            if (key is { } found) (entry.KeyId, entry.OrgId, entry.KeyPrefix) = (found.Id, found.OrgId, found.Prefix);
        }
    }

    /// <summary>
    /// One transaction per batch (far fewer fsyncs than one per request) and one prepared command whose parameters are
    /// re-bound per row: no per-row object mapping, which showed as the request log's cost under load. On SQLite the
    /// batch's commit does not wait for the disk (<see cref="Db.RelaxedSyncAsync"/>): history is not worth an fsync.
    /// </summary>
    public static async Task WriteBatchAsync(Db db, IReadOnlyList<RequestLogRow> rows)
    {
        await using var connection = await db.OpenAsync();
        await using var relaxed = await Db.RelaxedSyncAsync(connection);
        await using var tx = Db.BeginWrite(connection);
        await using var insert = connection.CreateCommand();
        insert.Transaction = tx;
        insert.CommandText = InsertSql;
        var p = new DbParameter[Columns.Length];
        for (var i = 0; i < Columns.Length; i++)
        {
            p[i] = insert.CreateParameter();
            (p[i].ParameterName, p[i].DbType) = ("@" + Columns[i].Name, Columns[i].Type);
            insert.Parameters.Add(p[i]);
        }
        await insert.PrepareAsync();
        foreach (var row in rows)
        {
            (p[0].Value, p[1].Value, p[2].Value, p[3].Value) = (row.At, Nul(row.OrgId), Nul(row.KeyId), Nul(row.KeyPrefix));
            (p[4].Value, p[5].Value, p[6].Value, p[7].Value) = (row.Method, row.Path, Nul(row.Query), row.Endpoint);
            (p[8].Value, p[9].Value, p[10].Value, p[11].Value) = ((long)row.Status, row.LatencyMs, row.RequestId, Nul(row.RequestType));
            (p[12].Value, p[13].Value, p[14].Value, p[15].Value) = (row.RequestBytes, Nul(row.RequestBody), Nul(row.ResponseBody), Nul(row.TaskId));
            await insert.ExecuteNonQueryAsync();
        }
        await tx.CommitAsync();
        static object Nul(string? value) => (object?)value ?? DBNull.Value;
    }

    /// <summary>The parameters of <see cref="InsertSql"/>, in the order WriteBatchAsync binds them.</summary>
    private static readonly (string Name, DbType Type)[] Columns =
    [
        ("at", DbType.Int64), ("orgid", DbType.String), ("keyid", DbType.String), ("keyprefix", DbType.String),
        ("method", DbType.String), ("path", DbType.String), ("query", DbType.String), ("endpoint", DbType.String),
        ("status", DbType.Int64), ("latencyms", DbType.Double), ("requestid", DbType.String), ("requesttype", DbType.String),
        ("requestbytes", DbType.Int64), ("requestbody", DbType.String), ("responsebody", DbType.String), ("taskid", DbType.String),
    ];

    public static RequestLogRow ToRow(RequestLogEntry e, int storedBodyBytes, RequestLogQueue? queue = null)
    {
        string? body;
        try
        {
            body = BodyRedaction.Redact(e.RawRequestBody, e.RequestType, storedBodyBytes);
        }
        catch (Exception)
        {
            body = null; // a body we cannot make safe is not stored
        }
        queue?.Release(e);
        if (body is null && e.BodyNote is not null)
            body = JsonSerializer.Serialize(new { redacted = true, mediaType = BodyRedaction.MediaTypeOf(e.RequestType), bytes = e.RequestBytes, note = e.BodyNote });
        return new RequestLogRow(e.At, e.OrgId, e.KeyId, e.KeyPrefix, e.Method, e.Path, e.Query, e.Endpoint, e.Status, e.LatencyMs,
            e.RequestId, e.RequestType, e.RequestBytes, body,
            e.ResponseBody is null ? null : BodyRedaction.Truncate(BodyRedaction.MaskKeys(e.ResponseBody), storedBodyBytes),
            e.TaskId ?? RequestTasks.FromCreateResponse(e.CreateResponse));
    }

    private void ReportDrops()
    {
        var dropped = queue.Dropped;
        if (dropped == _reportedDrops) return;
        logger.LogWarning(
            "Request log: {Dropped} entries were dropped ({Total} since start) because the write queue was full (RequestLog:QueueCapacity {Capacity}); the requests themselves were served",
            dropped - _reportedDrops, dropped, options.QueueCapacity);
        _reportedDrops = dropped;
    }
}

/// <summary>One request_log row as stored: bodies redacted and truncated.</summary>
public sealed record RequestLogRow(
    long At, string? OrgId, string? KeyId, string? KeyPrefix, string Method, string Path, string? Query, string Endpoint, int Status,
    double LatencyMs, string RequestId, string? RequestType, long RequestBytes, string? RequestBody, string? ResponseBody, string? TaskId);
