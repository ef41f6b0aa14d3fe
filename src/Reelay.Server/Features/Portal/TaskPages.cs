using System.Data.Common;
using Dapper;
using Reelay.Server.Features.Blobs;
using Reelay.Server.Features.Catalog;
using Reelay.Server.Features.Outputs;
using Reelay.Server.Features.Portal.Pages;
using Reelay.Server.Features.Queue;
using Reelay.Server.Features.Relays;
using Reelay.Server.Features.Tasks;
using Reelay.Server.Infrastructure;
using static Reelay.Server.Features.Portal.PortalView;

namespace Reelay.Server.Features.Portal;

/// <summary>Tasks: the organization's tasks with thumbnails and filters, one task with every parameter, input and output, and cancel.</summary>
public static class TaskPages
{
    public const int PageSize = 25;

    /// <summary>The status filter's values: the stored states.</summary>
    public static readonly string[] States = [TaskStates.Queued, TaskStates.Throttled, TaskStates.Running, TaskStates.Succeeded, TaskStates.Failed, TaskStates.Cancelled];

    public static void MapTaskPages(this RouteGroupBuilder portal)
    {
        portal.MapGet("/tasks", ListAsync);
        portal.MapGet("/tasks/{id}", DetailAsync);
        portal.MapGet("/tasks/{id}/inputs/{index:int}", InputAsync);
        portal.MapPost("/tasks/{id}/cancel", CancelAsync);
    }

    /// <summary>One output of a task as the page shows it: a same-origin signed URL and the content type it is served with.</summary>
    public sealed record Output(string Url, string ContentType, string Extension);

    /// <summary>The list's filters, from the query string (kept in the pager's links).</summary>
    public sealed record TaskForm(string? Status, string? Model, string? Search)
    {
        public static TaskForm Read(HttpRequest request) => new(
            States.Contains(request.Query["status"].ToString()) ? request.Query["status"].ToString() : null,
            Blank(request.Query["model"]), Blank(request.Query["q"]));

        public string QueryString() => string.Join("&", new[] { ("status", Status), ("model", Model), ("q", Search) }
            .Where(p => p.Item2 is not null).Select(p => p.Item1 + "=" + PortalFormat.Q(p.Item2)));

        private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    private static async Task<IResult> ListAsync(HttpContext http, Db db, OutputSigner signer, ReelayOptions options)
    {
        var session = PortalSession.From(http);
        if (session.IsOperator) return OrganizationOnly(session);
        var form = TaskForm.Read(http.Request);
        var before = long.TryParse(http.Request.Query["before"], out var b) ? b : long.MaxValue;
        await using var connection = await db.OpenAsync();
        var where = "org_id = @orgid AND deleted_at IS NULL AND seq < @before"
            + (form.Status is null ? "" : " AND status = @status") + (form.Model is null ? "" : " AND model = @model")
            + (form.Search is null ? "" : " AND (id = @search OR LOWER(prompt) LIKE @like)");
        var rows = (await connection.QueryAsync<TaskRow>(
            $"SELECT {TaskRow.Columns} FROM tasks WHERE {where} ORDER BY seq DESC LIMIT @limit",
            new { orgid = session.OrgId, before, status = form.Status, model = form.Model, search = form.Search?.ToLowerInvariant(),
                  like = "%" + (form.Search ?? "").ToLowerInvariant() + "%", limit = PageSize + 1 })).ToList();
        var more = rows.Count > PageSize;
        if (more) rows.RemoveAt(rows.Count - 1);
        var costs = await CostStatesAsync(connection, rows.Select(r => r.Id).ToList());
        var models = (await connection.QueryAsync<string>(ModelsSql, new { orgid = session.OrgId })).ToList();
        var thumbs = rows.ToDictionary(r => r.Id, r => Outputs(r, signer, options).FirstOrDefault());
        return Page<TaskList>(new { Session = session, Form = form, Rows = rows, Costs = costs, Models = models, Thumbnails = thumbs,
            Next = more ? rows[^1].Seq : (long?)null, Paged = before != long.MaxValue });
    }

    /// <summary>
    /// The models the organization has tasks of, for the filter: one index seek per model (each the next model after the
    /// last), where <c>SELECT DISTINCT model</c> read every task the organization ever had (136 ms at 1,000,000).
    /// </summary>
    public const string ModelsSql =
        """
        WITH RECURSIVE m(model) AS (
          SELECT (SELECT MIN(model) FROM tasks WHERE org_id = @orgid)
          UNION ALL
          SELECT (SELECT MIN(model) FROM tasks WHERE org_id = @orgid AND model > m.model) FROM m WHERE m.model IS NOT NULL)
        SELECT model FROM m WHERE model IS NOT NULL ORDER BY model
        """;

    /// <summary>Every output of a succeeded task, as relative signed URLs (same origin as the page, valid as long as API output URLs are).</summary>
    public static IReadOnlyList<Output> Outputs(TaskRow row, OutputSigner signer, ReelayOptions options)
    {
        if (row.Status != TaskStates.Succeeded || row.OutputBlob is null) return [];
        var expires = DateTimeOffset.UtcNow.Add(options.OutputUrlLifetime).ToUnixTimeSeconds();
        return row.OutputKeys.Select((key, i) =>
        {
            var extension = TaskRow.Extension(key);
            return new Output(signer.PathAndQuery(row.Id, expires, extension, i), OutputFormats.ContentType(extension), extension);
        }).ToList();
    }

    private static async Task<IResult> DetailAsync(string id, HttpContext http, Db db, OutputSigner signer, ReelayOptions options, IBlobStore blobs, ModelCatalog catalog)
    {
        var session = PortalSession.From(http);
        if (session.IsOperator) return OrganizationOnly(session);
        if (!Guid.TryParse(id, out _)) return NotFound(session, "This task");
        await using var connection = await db.OpenAsync();
        var row = await TaskRow.FindAsync(connection, session.OrgId!, id.ToLowerInvariant());
        if (row is null) return NotFound(session, "This task");
        var cost = (await CostStatesAsync(connection, [row.Id])).GetValueOrDefault(row.Id, "held");
        var outputs = row.OutputBlob is not null && await blobs.ExistsAsync(row.OutputBlob) ? Outputs(row, signer, options) : [];
        GenerationRequest? request = null;
        try { request = row.Params is null ? null : GenerationRequest.FromJson(row.Params); }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException) { } // shown without parameters
        // The engine recorded when one of a model's engines took the task (a relay, a fallback); else the catalog's.
        var relayed = await RelayStore.FindAsync(db, row.Id);
        var engine = relayed?.Engine ?? catalog.Find(row.Model)?.Engines.FirstOrDefault();
        return Page<TaskDetail>(new { Session = session, Row = row, Cost = cost, Outputs = outputs, Request = request, Engine = engine, UpstreamTaskId = relayed?.TaskId });
    }

    /// <summary>A stored input of one of the organization's tasks (the image or video it was given), for the detail page.</summary>
    private static async Task<IResult> InputAsync(string id, int index, HttpContext http, Db db, IBlobStore blobs)
    {
        var session = PortalSession.From(http);
        if (session.IsOperator || !Guid.TryParse(id, out _)) return Results.NotFound();
        await using var connection = await db.OpenAsync();
        var row = await TaskRow.FindAsync(connection, session.OrgId!, id.ToLowerInvariant());
        if (row?.Params is null) return Results.NotFound();
        var input = GenerationRequest.FromJson(row.Params).Media.FirstOrDefault(m => m.Index == index);
        if (input is null || await blobs.OpenReadAsync(input.BlobKey, cancellationToken: http.RequestAborted) is not { } stream) return Results.NotFound();
        // Served as what it was checked to be; nosniff (set for the whole portal) keeps it from being read as anything else.
        return Results.Stream(stream, input.MediaType, enableRangeProcessing: stream.CanSeek);
    }

    /// <summary>The cancel half of DELETE /v1/tasks/{id}: an active task becomes cancelled and its hold is released. Never deletes.</summary>
    private static async Task<IResult> CancelAsync(string id, HttpContext http, Db db)
    {
        var session = PortalSession.From(http);
        if (session.IsOperator) return OrganizationOnly(session);
        if (!Guid.TryParse(id, out _)) return NotFound(session, "This task");
        id = id.ToLowerInvariant();
        await using var connection = await db.OpenAsync();
        await using var tx = Db.BeginWrite(connection);
        var row = await TaskRow.FindAsync(connection, session.OrgId!, id, tx);
        if (row is null) return NotFound(session, "This task");
        await TaskQueue.CancelAsync(connection, tx, id);
        await tx.CommitAsync();
        return SeeOther("/portal/tasks/" + id);
    }

    public static string StatusName(TaskRow row) => Runway.RunwayTaskMapping.Status(row.Status);

    public static string Progress(TaskRow row) => row.Status switch
    {
        TaskStates.Succeeded => "100%",
        TaskStates.Running => $"{Math.Round((row.Progress ?? 0) * 100)}%",
        _ => "—",
    };

    /// <summary>How each task's price ended in the ledger: charged, released, or still held.</summary>
    public static async Task<Dictionary<string, string>> CostStatesAsync(DbConnection connection, List<string> ids)
    {
        if (ids.Count == 0) return [];
        var kinds = await connection.QueryAsync<(string TaskId, string Kind)>(
            $"SELECT task_id, kind FROM ledger_entries WHERE task_id {Db.InList(connection, "ids")} AND kind IN ('charge', 'release')", new { ids });
        return kinds.GroupBy(k => k.TaskId).ToDictionary(g => g.Key, g => g.Any(k => k.Kind == "charge") ? "charged" : "released");
    }
}
