using System.Text.Json;
using Dapper;
using Reelay.Server.Features.Auth;
using Reelay.Server.Features.Blobs;
using Reelay.Server.Features.Catalog;
using Reelay.Server.Features.Docs;
using Reelay.Server.Features.Queue;
using Reelay.Server.Features.Tasks;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Runway;

/// <summary>The Runway surface's generation and task routes: a thin mapping onto the core submission pipeline.</summary>
public static class RunwayEndpoints
{
    public static void MapRunway(this IEndpointRouteBuilder app, ModelCatalog catalog)
    {
        var group = app.MapGroup("/v1").RequireRunwayCaller().WithTags("Runway: tasks");
        Webhooks.WebhookBodies.Register(RunwayWebhookBody.Surface, new RunwayWebhookBody()); // task events show the Runway task
        // One route per endpoint the catalog serves (never sora_generate: that is the RunBlob surface's).
        foreach (var endpoint in RunwayDialect.Endpoints.Where(e => catalog.ServingEndpoint(e).Count > 0))
            group.MapPost($"/{endpoint}", (HttpContext http, Submission submission) => submission.SubmitAsync(http, RunwayDialect.For(http, endpoint)))
                .WithName(endpoint);
        group.MapGet("/tasks", RunwayTaskList.ListAsync).WithSummary("Reelay extension: the organization's tasks, newest first (limit 1–100, status, before)");
        group.MapGet("/tasks/{id}", GetAsync);
        group.MapDelete("/tasks/{id}", DeleteAsync);
    }

    private static async Task<IResult> GetAsync(string id, HttpContext http, Db db, PublicUrls urls)
    {
        if (!Guid.TryParse(id, out _)) return InvalidId(http);
        var row = await TaskRow.FindAsync(db, Caller.From(http).OrgId, id.ToLowerInvariant());
        if (row is null) return RunwayErrors.TaskNotFound();
        // A waiting task's place in line, for a progress display that polls this one route.
        if (await QueuePosition.OfAsync(db, row) is { } position) http.Response.Headers[QueuePosition.Header] = position.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Results.Json(RunwayTaskMapping.ToRunway(row, (r, i) => urls.OutputUrl(r.Id, http, TaskRow.Extension(r.OutputKeys[i]), i)));
    }

    /// <summary>
    /// An active task is cancelled (render stopped, credits released) and, like any other, deleted: afterwards it is
    /// "Could not find Task", as the SDK documents ("aborted and deleted tasks will not be able to be fetched again").
    /// </summary>
    private static async Task<IResult> DeleteAsync(string id, HttpContext http, Db db, IBlobStore blobs)
    {
        if (!Guid.TryParse(id, out _)) return InvalidId(http);
        id = id.ToLowerInvariant();
        await using var connection = await db.OpenAsync();
        await using var tx = Db.BeginWrite(connection);
        var row = await TaskRow.FindAsync(connection, Caller.From(http).OrgId, id, tx);
        if (row is null) return RunwayErrors.TaskNotFound();
        if (TaskStates.OnDelete(row.Status) == DeleteAction.Cancel) await TaskQueue.CancelAsync(connection, tx, id);
        var deleted = await connection.ExecuteAsync("UPDATE tasks SET deleted_at = @now WHERE id = @id AND deleted_at IS NULL",
            new { id, now = Clock.NowMs() }, tx) == 1;
        await tx.CommitAsync();
        if (deleted)
        {
            await blobs.DeleteAsync($"inputs/{id}");
            await blobs.DeleteAsync(TaskRunner.OutputPrefix(id));
            if (row.OutputBlob is { } output) await blobs.DeleteAsync(output); // outputs from before per-lease keys
        }
        return Results.NoContent();
    }

    private static IResult InvalidId(HttpContext http) =>
        RunwayErrors.PathValidation(http, [new ValidationIssue("invalid_string", ["id"], "Invalid uuid")]);
}

/// <summary>How the Runway dialect reads and answers a create: the body is already in the catalog's field names.</summary>
public static class RunwayDialect
{
    public static readonly string[] Endpoints = ["image_to_video", "text_to_video", "video_to_video",
        "text_to_image", "image_upscale", "video_upscale", "video_to_hdr", "character_performance",
        "text_to_speech", "sound_effect", "speech_to_speech", "voice_dubbing", "voice_isolation"];

    public static SubmissionDialect For(HttpContext http, string endpoint) => new(
        "runway",
        bytes =>
        {
            var (document, status, error) = JsonBody.Parse(bytes);
            if (document is null) return Task.FromResult<(CoreBody?, IResult?)>((null, RunwayErrors.Error(http, status, error!, DocAnchor.RequestBody)));
            // Not disposed, so not cloned: the core body reads the request's own bytes (a Clone copies them, 13 MB for a
            // 13 MB body); the document's rented index is simply left to the GC with the request.
            return Task.FromResult<(CoreBody?, IResult?)>((new CoreBody(endpoint, document.RootElement), null));
        },
        refusal => refusal.Failure switch
        {
            SubmissionFailure.Validation => RunwayErrors.Validation(http, refusal.Issues),
            SubmissionFailure.BodyUnreadable when refusal.BodyError is { } body => RunwayErrors.Error(http, refusal.Status, body, Anchor(refusal.Failure)),
            _ => RunwayErrors.Error(http, refusal.Status, refusal.Message, Anchor(refusal.Failure)),
        },
        (taskId, price) => new CreatedResponse(200, JsonSerializer.Serialize(new CreatedTask(taskId, new CreditAmount(price.HoldCredits)), JsonSerializerOptions.Web)));

    /// <summary>The /docs/errors section each refusal's docUrl points at.</summary>
    public static DocAnchor Anchor(SubmissionFailure failure) => failure switch
    {
        SubmissionFailure.BodyUnreadable => DocAnchor.RequestBody,
        SubmissionFailure.Idempotency => DocAnchor.Idempotency,
        SubmissionFailure.Sandbox => DocAnchor.Sandbox,
        SubmissionFailure.DailyCapReached => DocAnchor.DailyLimit,
        SubmissionFailure.InsufficientCredits => DocAnchor.Credits,
        SubmissionFailure.Overloaded or SubmissionFailure.StorageUnavailable => DocAnchor.Overloaded,
        _ => DocAnchor.Validation,
    };
}
