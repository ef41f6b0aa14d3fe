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
            while (await queue.Reader.WaitToReadAsync(stoppingToken)) await DrainAsync(batch);
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

    /// <summary>One transaction per batch: far fewer fsyncs than one per request.</summary>
    public static async Task WriteBatchAsync(Db db, IReadOnlyList<object> rows)
    {
        await using var connection = await db.OpenAsync();
        await using var tx = Db.BeginWrite(connection);
        await connection.ExecuteAsync(InsertSql, rows, tx);
        await tx.CommitAsync();
    }

    public static object ToRow(RequestLogEntry e, int storedBodyBytes, RequestLogQueue? queue = null)
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
        return new
        {
            at = e.At, orgid = e.OrgId, keyid = e.KeyId, keyprefix = e.KeyPrefix, method = e.Method, path = e.Path, query = e.Query,
            endpoint = e.Endpoint, status = e.Status, latencyms = e.LatencyMs, requestid = e.RequestId, requesttype = e.RequestType,
            requestbytes = e.RequestBytes, requestbody = body,
            taskid = e.TaskId ?? RequestTasks.FromCreateResponse(e.CreateResponse),
            responsebody = e.ResponseBody is null ? null : BodyRedaction.Truncate(BodyRedaction.MaskKeys(e.ResponseBody), storedBodyBytes),
        };
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
