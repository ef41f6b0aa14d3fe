using System.Text.Json;
using Dapper;
using Reelay.Server.Features.Assets;
using Reelay.Server.Features.Auth;
using Reelay.Server.Features.Blobs;
using Reelay.Server.Features.Catalog;
using Reelay.Server.Features.Engines;
using Reelay.Server.Features.Idempotency;
using Reelay.Server.Features.Queue;
using Reelay.Server.Features.Runway;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Tasks;

public static class TaskEndpoints
{
    public const string NotEnoughCredits = "You do not have enough credits to run this task.";

    /// <summary>The Runway surface's generation and task routes.</summary>
    public static void MapRunwayTasks(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1").RequireRunwayCaller().WithTags("Runway: tasks");
        group.MapPost("/image_to_video", (HttpContext http, ModelCatalog catalog, Db db, ReelayOptions options, IBlobStore blobs, TaskSignal signal, AssetIntake intake) =>
            CreateAsync("image_to_video", http, catalog, db, options, blobs, signal, intake));
        group.MapPost("/text_to_video", (HttpContext http, ModelCatalog catalog, Db db, ReelayOptions options, IBlobStore blobs, TaskSignal signal, AssetIntake intake) =>
            CreateAsync("text_to_video", http, catalog, db, options, blobs, signal, intake));
        group.MapPost("/video_to_video", (HttpContext http, ModelCatalog catalog, Db db, ReelayOptions options, IBlobStore blobs, TaskSignal signal, AssetIntake intake) =>
            CreateAsync("video_to_video", http, catalog, db, options, blobs, signal, intake));
        group.MapGet("/tasks/{id}", GetAsync);
        group.MapDelete("/tasks/{id}", DeleteAsync);
    }

    private static async Task<IResult> CreateAsync(string endpoint, HttpContext http, ModelCatalog catalog, Db db, ReelayOptions options, IBlobStore blobs, TaskSignal signal, AssetIntake intake)
    {
        var caller = Caller.From(http);
        var (bytes, readStatus, readError) = await JsonBody.ReadAsync(http.Request, http.RequestAborted);
        if (bytes is null) return RunwayErrors.Error(http, readStatus, readError!, "request-body");

        var decision = await IdempotencyKeys.BeginAsync(db, http, caller.OrgId, bytes);
        if (IdempotencyKeys.EarlyAnswer(http, decision, (status, message) => RunwayErrors.Error(http, status, message, "idempotency")) is { } early) return early;
        var completed = false;
        try
        {
            var (document, status, error) = JsonBody.Parse(bytes);
            if (document is null) return RunwayErrors.Error(http, status, error!, "request-body");
            using (document)
            {
                var (simulation, simulationError) = Simulation.Parse(http.Request.Headers[Simulation.Header]);
                if (simulationError is not null) return RunwayErrors.Error(http, 400, simulationError, "sandbox");
                var (request, images, issues) = await RunwayValidation.ValidateWithAssetsAsync(
                    endpoint, document.RootElement, catalog, intake, caller.OrgId, http.RequestAborted);
                if (request is null) return RunwayErrors.Validation(http, issues);
                try
                {
                    var taskId = Guid.NewGuid().ToString();
                    var stored = await StoreInputsAsync(blobs, taskId, images);
                    var parameters = new TaskParams(request.Ratio, request.Width, request.Height, request.Duration, request.Seed,
                        request.PromptText, stored, request.PublicFigureThreshold);
                    var response = new CreatedResponse(200, System.Text.Json.JsonSerializer.Serialize(
                        new CreatedTask(taskId, new CreditAmount(request.PriceCredits)), JsonSerializerOptions.Web));
                    var task = new NewTask(taskId, caller.OrgId, caller.KeyId, request.Model, endpoint, parameters, simulation, request.PriceCredits);
                    var result = await TaskCreation.InsertAsync(db, options, task, decision.Claim, response);
                    if (result.Outcome != CreationOutcome.Created) await blobs.DeleteAsync($"inputs/{taskId}");
                    switch (result.Outcome)
                    {
                        case CreationOutcome.DailyCapReached:
                            http.Response.Headers.RetryAfter = ((int)Math.Ceiling(result.RetryAfter!.Value.TotalSeconds)).ToString();
                            return RunwayErrors.Error(http, 429,
                                $"You have reached your daily generation limit for {request.Model.Id}. Try again later or ask for a higher limit.", "daily-limit");
                        case CreationOutcome.InsufficientCredits:
                            return RunwayErrors.Error(http, 400, NotEnoughCredits, "credits");
                        case CreationOutcome.Overloaded:
                            http.Response.Headers.RetryAfter = ((int)result.RetryAfter!.Value.TotalSeconds).ToString();
                            return RunwayErrors.Error(http, 503, OverloadedMessage, "overloaded");
                    }
                    completed = true;
                    signal.Pulse();
                    return Results.Content(response.Body, "application/json", statusCode: response.Status);
                }
                finally
                {
                    foreach (var (_, asset) in images) asset.DeleteIfTemporary(); // no-op for files already moved into the task
                }
            }
        }
        finally
        {
            if (!completed && decision.Claim is not null) await IdempotencyKeys.AbandonAsync(db, decision.Claim);
        }
    }

    public const string OverloadedMessage = "The server is at capacity and is not accepting new tasks right now. Retry after the Retry-After delay.";

    /// <summary>
    /// Inputs are stored before the task row exists, so a worker never claims a task without its files;
    /// the engine reads these files, never the URLs again.
    /// </summary>
    public static async Task<List<StoredImage>> StoreInputsAsync(IBlobStore blobs, string taskId, IEnumerable<(AssetInput Input, CheckedAsset Asset)> images)
    {
        var stored = new List<StoredImage>();
        foreach (var (input, asset) in images)
        {
            var key = $"inputs/{taskId}/{input.Position}{asset.Extension}";
            await blobs.PutFileAsync(key, asset.FilePath, move: asset.IsTemporary);
            stored.Add(new StoredImage(input.Position, key, asset.MediaType, asset.Width, asset.Height));
        }
        return stored;
    }

    private static async Task<IResult> GetAsync(string id, HttpContext http, Db db, PublicUrls urls)
    {
        if (!Guid.TryParse(id, out _)) return InvalidId(http);
        await using var connection = await db.OpenAsync();
        var row = await TaskRow.FindAsync(connection, Caller.From(http).OrgId, id.ToLowerInvariant());
        if (row is null) return RunwayErrors.TaskNotFound();
        return Results.Json(RunwayTaskMapping.ToRunway(row, taskId => urls.OutputUrl(taskId, http)));
    }

    private static async Task<IResult> DeleteAsync(string id, HttpContext http, Db db, IBlobStore blobs)
    {
        if (!Guid.TryParse(id, out _)) return InvalidId(http);
        id = id.ToLowerInvariant();
        await using var connection = await db.OpenAsync();
        await using var tx = Db.BeginWrite(connection);
        var row = await TaskRow.FindAsync(connection, Caller.From(http).OrgId, id, tx);
        if (row is null) return RunwayErrors.TaskNotFound();
        var now = Clock.NowMs();
        var deleted = false;
        if (TaskStates.OnDelete(row.Status) == DeleteAction.Cancel)
        {
            if (!await TaskQueue.CancelAsync(connection, tx, id))
                deleted = await MarkDeletedAsync(connection, tx, id, now);
        }
        else
        {
            deleted = await MarkDeletedAsync(connection, tx, id, now);
        }
        await tx.CommitAsync();
        if (deleted)
        {
            await blobs.DeleteAsync($"inputs/{id}");
            await blobs.DeleteAsync(TaskRunner.OutputPrefix(id));
            if (row.OutputBlob is { } output) await blobs.DeleteAsync(output); // outputs from before per-lease keys
        }
        return Results.NoContent();
    }

    private static async Task<bool> MarkDeletedAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction tx, string id, long now) =>
        await connection.ExecuteAsync("UPDATE tasks SET deleted_at = @now WHERE id = @id AND deleted_at IS NULL", new { id, now }, tx) == 1;

    private static IResult InvalidId(HttpContext http) =>
        RunwayErrors.PathValidation(http, [new ValidationIssue("invalid_string", ["id"], "Invalid uuid")]);
}
