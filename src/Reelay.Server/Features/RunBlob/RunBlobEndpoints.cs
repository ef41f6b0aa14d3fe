using System.Text.Json;
using Dapper;
using Reelay.Server.Features.Assets;
using Reelay.Server.Features.Auth;
using Reelay.Server.Features.Blobs;
using Reelay.Server.Features.Catalog;
using Reelay.Server.Features.Credits;
using Reelay.Server.Features.Engines;
using Reelay.Server.Features.Idempotency;
using Reelay.Server.Features.Queue;
using Reelay.Server.Features.Tasks;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.RunBlob;

/// <summary>The RunBlob-compatible surface: a thin adapter over the same core tasks, credits and intake.</summary>
public static class RunBlobEndpoints
{
    public const string NotFound = "Generation not found";

    public static void MapRunBlob(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1").WithTags("RunBlob");
        group.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var (caller, failure) = await Caller.AuthenticateAsync(http.RequestServices.GetRequiredService<Db>(), http.Request.Headers.Authorization);
            if (caller is null)
                return Detail(401, failure == AuthFailure.MissingHeader ? "Missing credentials" : AuthFailureMessages.For(failure!.Value));
            Caller.Set(http, caller);
            return await next(context);
        });
        group.MapPost("/sora/generate", GenerateAsync);
        group.MapGet("/sora/generations/{id}", GetAsync);
        group.MapGet("/sora/generations", ListAsync);
        group.MapGet("/data/balance", async (HttpContext http, Db db) =>
        {
            await using var connection = await db.OpenAsync();
            return Results.Json(new { balance = RunBlobMapping.Usd(await Ledger.BalanceAsync(connection, Caller.From(http).OrgId)) });
        });
    }

    public static IResult Detail(int status, object detail) => Results.Json(new { detail }, statusCode: status);

    private static async Task<IResult> GenerateAsync(HttpContext http, Db db, ReelayOptions options, ModelCatalog catalog, AssetIntake intake, AssetOptions assetOptions, IBlobStore blobs, TaskSignal signal)
    {
        var caller = Caller.From(http);
        var (bytes, readStatus, readError) = await JsonBody.ReadAsync(http.Request, http.RequestAborted);
        if (bytes is null) return Detail(readStatus, readError!);
        var decision = await IdempotencyKeys.BeginAsync(db, http, caller.OrgId, bytes);
        if (IdempotencyKeys.EarlyAnswer(http, decision, (status, message) => Detail(status, message)) is { } early) return early;
        var completed = false;
        try
        {
            var result = await CreateAsync(http, caller, bytes, db, options, catalog, intake, assetOptions, blobs, decision.Claim);
            completed = http.Response.StatusCode == 201 || result is IStatusCodeHttpResult { StatusCode: 201 };
            if (completed) signal.Pulse();
            return result;
        }
        finally
        {
            if (!completed && decision.Claim is not null) await IdempotencyKeys.AbandonAsync(db, decision.Claim);
        }
    }

    private static async Task<IResult> CreateAsync(HttpContext http, Caller caller, byte[] bytes, Db db, ReelayOptions options, ModelCatalog catalog,
        AssetIntake intake, AssetOptions assetOptions, IBlobStore blobs, IdempotencyClaim? claim)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes);
        }
        catch (JsonException ex)
        {
            return Detail(422, new[] { new PydanticError("json_invalid", ["body", (int)(ex.BytePositionInLine ?? 0)], "JSON decode error") { Ctx = new() { ["error"] = ex.Message } } });
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                return Detail(422, new[] { new PydanticError("model_attributes_type", ["body"], "Input should be a valid dictionary or object to extract fields from") { Input = document.RootElement.Clone() } });
            var (request, errors, badRequest) = RunBlobValidation.Validate(document.RootElement);
            if (errors.Count > 0) return Detail(422, errors);
            if (badRequest is not null) return Detail(400, badRequest);
            var (simulation, simulationError) = Simulation.Parse(http.Request.Headers[Simulation.Header]);
            if (simulationError is not null) return Detail(400, simulationError);
            var model = catalog.ServingEndpoint("sora_generate").FirstOrDefault();
            if (model is null) return Detail(400, "No model on this server serves /v1/sora/generate.");
            if (request!.CallbackUrl is { } callback && await CallbackProblemAsync(callback, assetOptions, http.RequestAborted) is { } problem)
                return Detail(400, "callback_url: " + problem);

            CheckedAsset? image = null;
            try
            {
                if (request.ImageUrl is not null || request.ImageBase64 is not null)
                {
                    var (asset, report) = request.ImageUrl is not null
                        ? await intake.CheckAsync(request.ImageUrl, AssetKind.Image, model.ImageAspect, caller.OrgId, http.RequestAborted)
                        : await intake.CheckBase64ImageAsync(request.ImageBase64!, model.ImageAspect, http.RequestAborted);
                    if (asset is null) return Detail(400, report.Reason!);
                    image = asset;
                }
                var taskId = Guid.NewGuid().ToString();
                var stored = image is null ? [] : await TaskEndpoints.StoreInputsAsync(blobs, taskId, [(new AssetInput("first", ["body", "image"], ""), image)]);
                var price = model.PriceFor(request.Duration);
                var parameters = new TaskParams(request.Ratio, request.Width, request.Height, request.Duration, 0, request.Prompt, stored, null);
                var response = new CreatedResponse(201, JsonSerializer.Serialize(new RunBlobCreated(taskId, "pending", RunBlobMapping.Usd(price))));
                var task = new NewTask(taskId, caller.OrgId, caller.KeyId, model, "sora_generate", parameters, simulation, price, "runblob", request.CallbackUrl);
                var result = await TaskCreation.InsertAsync(db, options, task, claim, response);
                if (result.Outcome != CreationOutcome.Created) await blobs.DeleteAsync($"inputs/{taskId}");
                switch (result.Outcome)
                {
                    case CreationOutcome.InsufficientCredits: return Detail(402, "INSUFFICIENT_CREDITS");
                    case CreationOutcome.DailyCapReached:
                        http.Response.Headers.RetryAfter = ((int)Math.Ceiling(result.RetryAfter!.Value.TotalSeconds)).ToString();
                        return Detail(429, $"Daily generation limit reached for {model.Id}. Try again later.");
                    case CreationOutcome.Overloaded:
                        http.Response.Headers.RetryAfter = ((int)result.RetryAfter!.Value.TotalSeconds).ToString();
                        return Detail(503, "Service temporarily unavailable. Please retry later.");
                }
                return Results.Content(response.Body, "application/json", statusCode: 201);
            }
            finally
            {
                image?.DeleteIfTemporary();
            }
        }
    }

    /// <summary>Callback URLs pass the asset address checks at registration (and again at every delivery).</summary>
    private static async Task<string?> CallbackProblemAsync(string url, AssetOptions options, CancellationToken cancellationToken)
    {
        var (uri, reason) = AddressSafety.CheckUrl(url);
        if (uri is null) return reason;
        try
        {
            await SafeConnector.ResolveAsync(options, uri.IdnHost, cancellationToken);
        }
        catch (AddressRefusedException)
        {
            return AssetRules.NotPublic;
        }
        catch (System.Net.Sockets.SocketException)
        {
            // A name that does not resolve yet is not refused here: delivery retries, and checks again then.
        }
        return null;
    }

    private static async Task<IResult> GetAsync(string id, HttpContext http, Db db, PublicUrls urls)
    {
        if (!Guid.TryParse(id, out var guid)) return Detail(404, NotFound);
        await using var connection = await db.OpenAsync();
        var row = await TaskRow.FindAsync(connection, Caller.From(http).OrgId, guid.ToString());
        if (row is null) return Detail(404, NotFound);
        return Results.Json(await ToGenerationAsync(connection, row, http, urls));
    }

    private static async Task<IResult> ListAsync(HttpContext http, Db db, PublicUrls urls, string? limit, string? offset)
    {
        var (take, skip, errors) = RunBlobValidation.Page(limit, offset);
        if (errors.Count > 0) return Detail(422, errors);
        await using var connection = await db.OpenAsync();
        var rows = await connection.QueryAsync<TaskRow>(
            $"SELECT {TaskRow.Columns} FROM tasks WHERE org_id = @orgId AND deleted_at IS NULL ORDER BY seq DESC LIMIT @take OFFSET @skip",
            new { orgId = Caller.From(http).OrgId, take, skip });
        var result = new List<RunBlobGeneration>();
        foreach (var row in rows) result.Add(await ToGenerationAsync(connection, row, http, urls));
        return Results.Json(result);
    }

    private static async Task<RunBlobGeneration> ToGenerationAsync(System.Data.Common.DbConnection connection, TaskRow row, HttpContext http, PublicUrls urls)
    {
        int? position = null;
        if (row.Status is TaskStates.Queued or TaskStates.Throttled)
            position = 1 + (int)await connection.ExecuteScalarAsync<long>(
                "SELECT COUNT(*) FROM tasks WHERE org_id = @OrgId AND status IN ('queued', 'throttled') AND seq < @Seq", new { row.OrgId, row.Seq });
        return RunBlobMapping.ToGeneration(row, row.Status == TaskStates.Succeeded ? urls.OutputUrl(row.Id, http) : null, position);
    }
}
