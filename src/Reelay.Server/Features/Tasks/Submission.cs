using System.Text.Json;
using Reelay.Server.Features.Assets;
using Reelay.Server.Features.Auth;
using Reelay.Server.Features.Blobs;
using Reelay.Server.Features.Catalog;
using Reelay.Server.Features.Engines;
using Reelay.Server.Features.Idempotency;
using Reelay.Server.Features.Queue;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Tasks;

/// <summary>Why a create did not make a task, for the surface to say in its own words and shape.</summary>
public enum SubmissionFailure { BodyUnreadable, Idempotency, Sandbox, Validation, DailyCapReached, InsufficientCredits, Overloaded, StorageUnavailable }

/// <summary>A refused create: the kind, the status the core suggests, a message, and the issues of a validation failure.</summary>
public sealed record SubmissionRefusal(SubmissionFailure Failure, int Status, string Message, IReadOnlyList<ValidationIssue> Issues, string? Model = null)
{
    /// <summary>For a body that could not be read: the reader's error, with the strings that are not text and their paths.</summary>
    public JsonBodyError? BodyError { get; init; }
}

/// <summary>A surface's request mapped onto the core: the endpoint, a body in the catalog's field names (with "model"), a callback.</summary>
public sealed record CoreBody(string Endpoint, JsonElement Body, string? CallbackUrl = null);

/// <summary>What a surface supplies to the pipeline: its name, how its body maps onto the core, and how answers read in its dialect.</summary>
public sealed record SubmissionDialect(
    string Surface,
    Func<byte[], Task<(CoreBody? Body, IResult? Error)>> Map,
    Func<SubmissionRefusal, IResult> Refuse,
    Func<string, TaskPrice, CreatedResponse> Created);

/// <summary>
/// The one create pipeline of every surface: body read → idempotency → sandbox header → surface mapping → schema
/// validation → asset intake → price → one transaction (guard, cap, credits, hold, PENDING/THROTTLED, idempotency
/// record) → outcome. A surface only maps its dialect onto <see cref="CoreBody"/> and the outcome back.
/// </summary>
public sealed class Submission(Db db, ReelayOptions options, ModelCatalog catalog, AssetIntake intake, IBlobStore blobs, TaskSignal signal, ILogger<Submission> logger)
{
    public const string NotEnoughCredits = "You do not have enough credits to run this task.";
    public const string OverloadedMessage = "The server is at capacity and is not accepting new tasks right now. Retry after the Retry-After delay.";
    public const string StorageUnavailableMessage = "The server could not store this request's inputs right now (its blob storage is unavailable). Retry after the Retry-After delay.";
    public static readonly TimeSpan StorageRetryAfter = TimeSpan.FromSeconds(5);

    public async Task<IResult> SubmitAsync(HttpContext http, SubmissionDialect dialect)
    {
        var caller = Caller.From(http);
        var (bytes, readStatus, readError) = await JsonBody.ReadAsync(http.Request, http.RequestAborted);
        if (bytes is null) return dialect.Refuse(new SubmissionRefusal(SubmissionFailure.BodyUnreadable, readStatus, readError!, []) { BodyError = readError });
        var decision = await IdempotencyKeys.BeginAsync(db, http, caller.OrgId, bytes);
        if (IdempotencyKeys.EarlyAnswer(http, decision, (status, message) =>
                dialect.Refuse(new SubmissionRefusal(SubmissionFailure.Idempotency, status, message, []))) is { } early) return early;
        var completed = false;
        try
        {
            var (core, mappingError) = await dialect.Map(bytes);
            if (core is null) return mappingError!;
            var (simulation, simulationError) = Simulation.Parse(http.Request.Headers[Simulation.Header]);
            if (simulationError is not null) return dialect.Refuse(new SubmissionRefusal(SubmissionFailure.Sandbox, 400, simulationError, []));
            var (result, created) = await CreateAsync(http, caller, core, simulation, dialect, decision.Claim);
            completed = created;
            return result;
        }
        finally
        {
            if (!completed && decision.Claim is not null) await IdempotencyKeys.AbandonAsync(db, decision.Claim);
        }
    }

    private async Task<(IResult Result, bool Created)> CreateAsync(HttpContext http, Caller caller, CoreBody core, Simulation? simulation,
        SubmissionDialect dialect, IdempotencyClaim? claim)
    {
        var taskId = Guid.NewGuid().ToString();
        ErrorResponses.AddLogField(http, "TaskId", taskId);
        System.Diagnostics.Activity.Current?.SetTag(Telemetry.ReelayTracing.TaskIdTag, taskId);
        using var intakeSpan = Telemetry.ReelayTracing.Source.StartActivity("task.intake");
        var checkedRequest = await RequestChecks.CheckAsync(core, catalog, intake, caller.OrgId, http.RequestAborted);
        if (checkedRequest.Issues.Count > 0)
            return (dialect.Refuse(new SubmissionRefusal(SubmissionFailure.Validation, 400, "Validation of body failed", checkedRequest.Issues)), false);
        var (model, endpoint, validated, assets) = (checkedRequest.Model!, checkedRequest.Endpoint!, checkedRequest.Body!, checkedRequest.Assets);
        try
        {
            var media = await TryStoreInputsAsync(taskId, assets);
            if (media is null)
            {
                http.Response.Headers.RetryAfter = ((int)StorageRetryAfter.TotalSeconds).ToString();
                return (dialect.Refuse(new SubmissionRefusal(SubmissionFailure.StorageUnavailable, 503, StorageUnavailableMessage, [], model.Id)), false);
            }
            var seed = JsonNumbers.Double(validated.Options["seed"]) is { } s ? (long)s : Random.Shared.NextInt64(0, 4294967296);
            var plan = OutputPlanner.Plan(endpoint, validated.Options, media, seed);
            var price = Pricing.For(endpoint, validated.Options, plan);
            var request = new GenerationRequest(core.Endpoint, model.Id, validated.Options, media, plan);
            var response = dialect.Created(taskId, price);
            var task = new NewTask(taskId, caller.OrgId, caller.KeyId, model, request, simulation, price, dialect.Surface, core.CallbackUrl);
            intakeSpan?.Dispose(); // the task's trace continues from the request's span, not the intake's
            var outcome = await TaskCreation.InsertAsync(db, options, task, claim, response);
            if (outcome.Outcome != CreationOutcome.Created) await blobs.DeleteAsync($"inputs/{taskId}");
            if (outcome.RetryAfter is { } wait) http.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString();
            switch (outcome.Outcome)
            {
                case CreationOutcome.DailyCapReached:
                    return (dialect.Refuse(new SubmissionRefusal(SubmissionFailure.DailyCapReached, 429,
                        $"You have reached your daily generation limit for {model.Id}. Try again later or ask for a higher limit.", [], model.Id)), false);
                case CreationOutcome.InsufficientCredits:
                    return (dialect.Refuse(new SubmissionRefusal(SubmissionFailure.InsufficientCredits, 400, NotEnoughCredits, [], model.Id)), false);
                case CreationOutcome.Overloaded:
                    return (dialect.Refuse(new SubmissionRefusal(SubmissionFailure.Overloaded, 503, OverloadedMessage, [], model.Id)), false);
            }
            signal.Pulse();
            return (Results.Content(response.Body, "application/json", statusCode: response.Status), true);
        }
        finally
        {
            foreach (var (_, asset) in assets) asset.DeleteIfTemporary(); // a no-op for files already moved into the task
        }
    }

    /// <summary>The stored inputs, or null when the blob store failed: nothing is created, and what was stored is removed.</summary>
    private async Task<List<MediaInput>?> TryStoreInputsAsync(string taskId, IReadOnlyList<(PendingMedia Input, CheckedAsset Asset)> assets)
    {
        try
        {
            return await StoreInputsAsync(taskId, assets);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Inputs of task {TaskId} could not be stored; the create is refused with 503", taskId);
            try { await blobs.DeleteAsync($"inputs/{taskId}"); }
            catch (Exception cleanup) when (cleanup is not OperationCanceledException) { logger.LogWarning(cleanup, "Inputs of task {TaskId} could not be removed", taskId); }
            return null;
        }
    }

    /// <summary>
    /// Inputs are stored before the task row exists, so a worker never claims a task without its files; the engine
    /// reads these files, never the URLs again.
    /// </summary>
    private async Task<List<MediaInput>> StoreInputsAsync(string taskId, IReadOnlyList<(PendingMedia Input, CheckedAsset Asset)> assets)
    {
        var stored = new List<MediaInput>();
        // Keyframes given as a fraction ("at") are placed on the source video's timeline.
        var sourceSeconds = assets.FirstOrDefault(a => a.Input.Role == "source" && a.Input.Kind == AssetKind.Video).Asset?.DurationSeconds;
        foreach (var (input, asset) in assets)
        {
            var key = $"inputs/{taskId}/{input.Index}{asset.Extension}";
            await blobs.PutFileAsync(key, asset.FilePath, move: asset.IsTemporary);
            stored.Add(new MediaInput(input.Index, input.Kind.ToString().ToLowerInvariant(), input.Role, string.Join(".", input.Path), key,
                asset.MediaType, asset.Width, asset.Height, asset.DurationSeconds, input.AtSeconds ?? input.AtFraction * sourceSeconds));
        }
        return stored;
    }
}
