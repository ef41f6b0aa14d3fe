using Dapper;
using Microsoft.AspNetCore.Http.Features;
using Reelay.Server.Features.Blobs;
using Reelay.Server.Features.Catalog;
using Reelay.Server.Features.Engines;
using Reelay.Server.Features.Outputs;
using Reelay.Server.Features.Queue;
using Reelay.Server.Features.Tasks;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Workers;

/// <summary>
/// The worker protocol (Bearer Workers:Token): remote workers lease tasks of their models with long polling, fetch
/// the inputs through signed URLs, heartbeat with progress, upload the MP4 and complete or fail, every answer fenced
/// by the lease token. Without a configured token it does not exist at all.
/// </summary>
public static class WorkerEndpoints
{
    public const string LeaseHeader = "Reelay-Lease-Token";

    public static void MapWorkers(this IEndpointRouteBuilder app, ReelayOptions options)
    {
        if (options.WorkerToken is null) return;
        var workers = app.MapGroup("/worker/v1").WithTags("Workers");
        var authorized = workers.MapGroup("").RequireBearer(options.WorkerToken,
            () => Error(401, "unauthorized", "A valid worker token is required: 'Authorization: Bearer <Workers:Token>'."));

        // JSON bodies of a few fields are bounded (1 MB; Kestrel's default is 30 MB); the output upload sets its own limit.
        authorized.MapPost("/lease", LeaseAsync).WithBodyLimit(BodyLimit.SmallJson)
            .WithSummary("Lease the oldest pending task of the given models, waiting up to waitSeconds for one (204: none came).")
            .Produces<LeasedTask>().Produces(204).Produces<WorkerError>(400).Produces<WorkerError>(401);
        authorized.MapPost("/tasks/{id}/heartbeat", HeartbeatAsync).WithBodyLimit(BodyLimit.SmallJson)
            .WithSummary("Renew the lease and report progress; cancelled: true means stop, the owner cancelled the task.")
            .Produces<HeartbeatResponse>().Produces<WorkerError>(404).Produces<WorkerError>(409);
        authorized.MapPut("/tasks/{id}/output", UploadAsync)
            .WithSummary($"Upload a finished output as the raw request body, with the lease token in the {LeaseHeader} header; ?index=N for the N-th of several (default 0).")
            .Accepts<Stream>("video/mp4").Produces(204).Produces<WorkerError>(409).Produces<WorkerError>(413).Produces<WorkerError>(415);
        authorized.MapPost("/tasks/{id}/complete", CompleteAsync).WithBodyLimit(BodyLimit.SmallJson)
            .WithSummary("Finish the task with the uploaded output: it becomes SUCCEEDED and is charged.")
            .Produces<FinishResponse>().Produces<WorkerError>(404).Produces<WorkerError>(409);
        authorized.MapPost("/tasks/{id}/fail", FailAsync).WithBodyLimit(BodyLimit.SmallJson)
            .WithSummary("Finish the task as FAILED with a failureCode (e.g. SAFETY.INPUT.IMAGE) and a failure text; it is not charged.")
            .Produces<FinishResponse>().Produces<WorkerError>(404).Produces<WorkerError>(409);
        authorized.MapPost("/tasks/{id}/release", ReleaseAsync).WithBodyLimit(BodyLimit.SmallJson)
            .WithSummary("Give the task back to the queue at once (the worker is shutting down); the attempt does not count.")
            .Produces(204).Produces<WorkerError>(409);
        // The signature is the authorization, so a worker can hand the URL to whatever downloads its inputs.
        workers.MapGet("/inputs/{id:guid}/{position}", InputAsync)
            .WithSummary("Download a stored input of a leased task (a signed, expiring URL from the lease).");
    }

    private static async Task<IResult> LeaseAsync(LeaseRequest? body, HttpContext http, Db db, ModelCatalog catalog, ReelayOptions options,
        TaskSignal signal, OutputSigner signer, PublicUrls urls, WorkerRegistry registry, IHostApplicationLifetime lifetime)
    {
        if (body is null) return Error(400, "invalid_request", "Send a JSON object such as {\"models\": [\"gen4_turbo\"], \"workerId\": \"gpu-1\"}.");
        // JSON null binds as a null entry, which the model lookup cannot take; refused before the lease rules run.
        if (body.Models?.Any(m => m is null) == true) return Error(400, "invalid_request", "'models' must list model ids (strings); null is not one.");
        var (problem, code) = WorkerLeases.Validate(body, catalog);
        if (problem is not null) return Error(400, code, problem);
        var owner = $"worker:{body.WorkerId ?? "anonymous"}";
        var models = body.Models!.Distinct().ToList();
        await registry.SeenAsync(body.WorkerId ?? "anonymous", models, http.Connection.RemoteIpAddress?.ToString());
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(body.WaitSeconds ?? WorkerLeases.DefaultWaitSeconds);
        // A stopping node answers its waiting workers at once (204: ask again), so a rolling restart is not held up
        // by long polls and the workers move on to another node.
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
        while (true)
        {
            var seen = signal.Version;
            var task = await TaskQueue.ClaimAsync(db, owner, options.LeaseDuration, models);
            if (task is not null)
            {
                if (!http.RequestAborted.IsCancellationRequested) return Results.Json(WorkerLeases.Describe(task, catalog, options, signer, urls.BaseUrl(http)));
                // The worker hung up while we claimed: give the task back rather than let it wait out a lease nobody holds.
                await TaskQueue.ReleaseAsync(db, task.Id, task.LeaseToken);
                return Results.Empty;
            }
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) return Results.NoContent();
            // Woken by any node's new task; the one-second poll covers a signal that never comes (SQLite across processes).
            try { await signal.WaitAsync(seen, left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1), waiting.Token); }
            catch (OperationCanceledException) { return http.RequestAborted.IsCancellationRequested ? Results.Empty : Results.NoContent(); }
        }
    }

    private static async Task<IResult> HeartbeatAsync(string id, HeartbeatRequest? body, Db db, ReelayOptions options)
    {
        if (body?.LeaseToken is not { Length: > 0 } token) return MissingLease();
        if (body.Progress is < 0 or > 1 or double.NaN) return Error(400, "invalid_request", "'progress' must be between 0 and 1.");
        var result = await TaskQueue.HeartbeatAsync(db, id, token, body.Progress ?? 0, options.LeaseDuration);
        return result switch
        {
            LeaseState.Held => Results.Json(new HeartbeatResponse(false, Clock.Iso(Clock.NowMs() + (long)options.LeaseDuration.TotalMilliseconds))),
            LeaseState.Cancelled when !await TaskQueue.ExistsAsync(db, id) => TaskNotFound(id),
            LeaseState.Cancelled => Results.Json(new HeartbeatResponse(true, null)),
            _ => LeaseLost(),
        };
    }

    private static async Task<IResult> UploadAsync(string id, int? index, HttpContext http, Db db, IBlobStore blobs, ReelayOptions options, ModelCatalog catalog)
    {
        if (index is < 0 or >= EngineRun.MaxOutputs) return Error(400, "invalid_request", $"'index' must be between 0 and {EngineRun.MaxOutputs - 1}.");
        if (http.Request.Headers[LeaseHeader].ToString() is not { Length: > 0 } token)
            return Error(400, "invalid_request", $"Send the lease token in the {LeaseHeader} header.");
        if (await TaskQueue.LeaseStateAsync(db, id, token) is var state and not LeaseState.Held) return await NotHeldAsync(db, id, state);
        if (http.Request.ContentLength > options.MaxWorkerOutputBytes) return TooLarge(options);
        http.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize = options.MaxWorkerOutputBytes + 1;
        var extension = await OutputExtensionAsync(db, catalog, id);
        var key = TaskRunner.OutputKey(id, token, extension, index ?? 0);
        var (size, tooLarge) = await blobs.WriteCappedAsync(key, http.Request.Body, options.MaxWorkerOutputBytes, http.RequestAborted);
        if (tooLarge) return TooLarge(options);
        var head = new byte[12];
        await using (var stored = await blobs.OpenReadAsync(key, 0, head.Length, http.RequestAborted))
            if (stored is null || size < head.Length || await stored.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false) < head.Length || !WorkerLeases.LooksLikeOutput(head, extension))
            {
                await blobs.DeleteAsync(key);
                return Error(415, "output_invalid", extension == ".zip"
                    ? "The output must be a ZIP file for this task's output format."
                    : "The output must be an MP4 or MOV file (an ISO BMFF 'ftyp' box first).");
            }
        return Results.NoContent();
    }

    private static async Task<IResult> CompleteAsync(string id, LeaseTokenRequest? body, Db db, IBlobStore blobs, TaskSignal signal, ModelCatalog catalog)
    {
        if (body?.LeaseToken is not { Length: > 0 } token) return MissingLease();
        var extension = await OutputExtensionAsync(db, catalog, id);
        if (await TaskQueue.LeaseStateAsync(db, id, token) is var state and not LeaseState.Held)
        {
            // A worker retries a complete whose answer it never got (a node died after committing, a cut connection):
            // the task already holds this lease's output, so the answer is the first one's, and nothing is charged again.
            return await TaskQueue.SucceededWithOutputAsync(db, id, TaskRunner.OutputKey(id, token, extension, 0))
                ? Results.Json(new FinishResponse(id, "SUCCEEDED"))
                : await NotHeldAsync(db, id, state);
        }
        // The outputs uploaded under this lease, in order: index 0, then as many more as follow without a gap.
        var keys = new List<string>();
        while (keys.Count < EngineRun.MaxOutputs && await blobs.ExistsAsync(TaskRunner.OutputKey(id, token, extension, keys.Count)))
            keys.Add(TaskRunner.OutputKey(id, token, extension, keys.Count));
        if (keys.Count == 0)
            return Error(409, "output_missing", "No output was uploaded under this lease: PUT the output to the task's outputUploadUrl first.");
        if (!await TaskQueue.CompleteAsync(db, id, token, keys))
        {
            foreach (var key in keys) await blobs.DeleteAsync(key);
            return await NotHeldAsync(db, id, await TaskQueue.LeaseStateAsync(db, id, token));
        }
        signal.Pulse();
        return Results.Json(new FinishResponse(id, "SUCCEEDED"));
    }

    private static async Task<IResult> FailAsync(string id, FailRequest? body, Db db, IBlobStore blobs, TaskSignal signal, ModelCatalog catalog)
    {
        if (body?.LeaseToken is not { Length: > 0 } token) return MissingLease();
        if (body.FailureCode is not { Length: > 0 and <= 100 } code || !Simulation.IsFailureCode(code))
            return Error(400, "invalid_request", "'failureCode' must be a code such as SAFETY.INPUT.IMAGE or INTERNAL (capitals, digits, '_' and '.').");
        if (body.Failure is { Length: > 2000 }) return Error(400, "invalid_request", "'failure' must be at most 2000 characters.");
        var text = string.IsNullOrWhiteSpace(body.Failure) ? Simulation.FailureText(code) : body.Failure.Trim();
        if (!await TaskQueue.FailAsync(db, id, token, code, text)) return await NotHeldAsync(db, id, await TaskQueue.LeaseStateAsync(db, id, token));
        await DeleteLeaseOutputAsync(db, catalog, blobs, id, token);
        signal.Pulse();
        return Results.Json(new FinishResponse(id, "FAILED"));
    }

    private static async Task<IResult> ReleaseAsync(string id, LeaseTokenRequest? body, Db db, IBlobStore blobs, TaskSignal signal, ModelCatalog catalog)
    {
        if (body?.LeaseToken is not { Length: > 0 } token) return MissingLease();
        if (!await TaskQueue.ReleaseAsync(db, id, token)) return await NotHeldAsync(db, id, await TaskQueue.LeaseStateAsync(db, id, token));
        await DeleteLeaseOutputAsync(db, catalog, blobs, id, token);
        signal.Pulse();
        return Results.NoContent();
    }

    private static async Task<IResult> InputAsync(Guid id, string position, string? expires, string? signature, OutputSigner signer, Db db, IBlobStore blobs)
    {
        var taskId = id.ToString();
        switch (signer.Check(WorkerLeases.InputResource(taskId, position), expires, signature, DateTimeOffset.UtcNow.ToUnixTimeSeconds()))
        {
            case OutputUrlCheck.Invalid: return Error(403, "invalid_signature", "This input URL's signature is not valid.");
            case OutputUrlCheck.Expired: return Error(403, "expired", "This input URL has expired; lease the task again for fresh URLs.");
        }
        await using var connection = await db.OpenAsync();
        var json = await connection.QuerySingleOrDefaultAsync<string>("SELECT params FROM tasks WHERE id = @taskId AND deleted_at IS NULL", new { taskId });
        var input = json is null ? null : GenerationRequest.FromJson(json).Media.FirstOrDefault(i => i.Index.ToString(System.Globalization.CultureInfo.InvariantCulture) == position);
        static IResult Gone() => Error(404, "not_found", "This input no longer exists.");
        return input is null ? Gone() : BlobResults.Serve(blobs, input.BlobKey, input.MediaType, Gone,
            size => Error(416, "range_not_satisfiable", BlobResults.UnsatisfiableMessage(size)));
    }

    /// <summary>The extension the task's output is stored under, from its request's output format.</summary>
    private static async Task<string> OutputExtensionAsync(Db db, ModelCatalog catalog, string id)
    {
        await using var connection = await db.OpenAsync();
        var row = await connection.QuerySingleOrDefaultAsync<(string Model, string Params)>("SELECT model, params FROM tasks WHERE id = @id", new { id });
        return row.Params is null ? ".mp4" : EngineRun.OutputExtension(catalog.Find(row.Model)?.Engine ?? "preview", GenerationRequest.FromJson(row.Params));
    }

    /// <summary>What this lease uploaded: a failed or released lease leaves nothing behind.</summary>
    private static async Task DeleteLeaseOutputAsync(Db db, ModelCatalog catalog, IBlobStore blobs, string id, string token)
    {
        var extension = await OutputExtensionAsync(db, catalog, id);
        for (var index = 0; index < EngineRun.MaxOutputs && await blobs.ExistsAsync(TaskRunner.OutputKey(id, token, extension, index)); index++)
            await blobs.DeleteAsync(TaskRunner.OutputKey(id, token, extension, index));
    }

    private static IResult Error(int status, string code, string message) => Results.Json(new WorkerError(message, code), statusCode: status);

    private static IResult MissingLease() => Error(400, "invalid_request", "'leaseToken' is required: the token from the lease.");

    private static IResult LeaseLost() =>
        Error(409, "lease_lost", "This lease is no longer yours (it expired and the task went to another worker): stop and discard the work.");

    /// <summary>Why the lease is not held: the task never existed (404), its owner cancelled it, or another worker has it (409).</summary>
    private static async Task<IResult> NotHeldAsync(Db db, string id, LeaseState state) => state switch
    {
        LeaseState.Cancelled when !await TaskQueue.ExistsAsync(db, id) => TaskNotFound(id),
        LeaseState.Cancelled => Error(409, "cancelled", "The task was cancelled by its owner: stop and discard the work."),
        _ => LeaseLost(),
    };

    private static IResult TaskNotFound(string id) =>
        Error(404, "not_found", $"There is no task '{id}' on this server: use the id of a task you leased, and stop working on this one.");

    private static IResult TooLarge(ReelayOptions options) =>
        Error(413, "output_too_large", $"The output is larger than Workers:MaxOutputBytes ({options.MaxWorkerOutputBytes} bytes).");
}
