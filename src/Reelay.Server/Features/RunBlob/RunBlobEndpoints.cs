using System.Text.Json;
using Dapper;
using Reelay.Server.Features.Assets;
using Reelay.Server.Features.Auth;
using Reelay.Server.Features.Blobs;
using Reelay.Server.Features.Catalog;
using Reelay.Server.Features.Credits;
using Reelay.Server.Features.Webhooks;
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
            var (caller, failure) = await Caller.AuthenticateAsync(http);
            if (caller is null)
                return Detail(401, failure == AuthFailure.MissingHeader ? "Missing credentials" : AuthFailureMessages.For(failure!.Value));
            Caller.Set(http, caller);
            return await next(context);
        });
        WebhookBodies.Register("runblob", new RunBlobWebhookBody());
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

    private static Task<IResult> GenerateAsync(HttpContext http, Submission submission, ModelCatalog catalog, AssetOptions assetOptions) =>
        submission.SubmitAsync(http, Dialect(catalog, assetOptions, http.RequestAborted));

    /// <summary>
    /// RunBlob's body rules (pydantic 422s, the documented 400s) and its words for the core's answers; the body maps
    /// onto the catalog's sora_generate fields (prompt → promptText, orientation → ratio, image_url → imageUrl).
    /// </summary>
    private static SubmissionDialect Dialect(ModelCatalog catalog, AssetOptions assetOptions, CancellationToken cancellationToken) => new(
        "runblob",
        bytes => MapAsync(bytes, catalog, assetOptions, cancellationToken),
        refusal => refusal.Failure switch
        {
            SubmissionFailure.Validation => Detail(400, refusal.Issues.FirstOrDefault()?.Message ?? refusal.Message),
            SubmissionFailure.BodyUnreadable when refusal.BodyError is { } body => Detail(refusal.Status, body),
            SubmissionFailure.InsufficientCredits => Detail(402, "INSUFFICIENT_CREDITS"),
            SubmissionFailure.DailyCapReached => Detail(429, $"Daily generation limit reached for {refusal.Model}. Try again later."),
            SubmissionFailure.Overloaded or SubmissionFailure.StorageUnavailable => Detail(503, "Service temporarily unavailable. Please retry later."),
            _ => Detail(refusal.Status, refusal.Message),
        },
        (taskId, price) => new CreatedResponse(201, JsonSerializer.Serialize(new RunBlobCreated(taskId, "pending", RunBlobMapping.Usd(price.HoldCredits)))));

    private static async Task<(CoreBody?, IResult?)> MapAsync(byte[] bytes, ModelCatalog catalog, AssetOptions assetOptions, CancellationToken cancellationToken)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes);
        }
        catch (JsonException ex)
        {
            return (null, Detail(422, new[] { new PydanticError("json_invalid", ["body", (int)(ex.BytePositionInLine ?? 0)], "JSON decode error") { Ctx = new() { ["error"] = ex.Message } } }));
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                return (null, Detail(422, new[] { new PydanticError("model_attributes_type", ["body"], "Input should be a valid dictionary or object to extract fields from") { Input = document.RootElement.Clone() } }));
            var (request, errors, badRequest) = RunBlobValidation.Validate(document.RootElement);
            if (errors.Count > 0) return (null, Detail(422, errors));
            if (badRequest is not null) return (null, Detail(400, badRequest));
            if (catalog.ServingEndpoint("sora_generate").FirstOrDefault() is not { } model)
                return (null, Detail(400, "No model on this server serves /v1/sora/generate."));
            if (request!.CallbackUrl is { } callback && await CallbackProblemAsync(callback, assetOptions, cancellationToken) is { } problem)
                return (null, Detail(400, "callback_url: " + problem));
            var body = new Dictionary<string, object?> { ["model"] = model.Id, ["promptText"] = request.Prompt, ["ratio"] = request.Ratio, ["duration"] = request.Duration };
            if (request.ImageUrl is not null) body["imageUrl"] = request.ImageUrl;
            if (request.ImageBase64 is not null) body["imageBase64"] = request.ImageBase64;
            return (new CoreBody("sora_generate", JsonSerializer.SerializeToElement(body), request.CallbackUrl), null);
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
        return RunBlobMapping.ToGeneration(row, row.Status == TaskStates.Succeeded ? urls.OutputUrl(row.Id, http, row.OutputExtension) : null, position);
    }
}
