using System.Data.Common;
using System.Text.Json;
using Dapper;
using Reelay.Server.Features.Assets;
using Reelay.Server.Features.Auth;
using Reelay.Server.Features.Catalog;
using Reelay.Server.Features.Queue;
using Reelay.Server.Features.Tasks;
using Reelay.Server.Features.Webhooks;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.RunBlob;

/// <summary>
/// The routes every family has — generate, status by id, the list where documented — over the one submission
/// pipeline, the same tasks, credits and webhooks; the family supplies its rules and shapes.
/// </summary>
public static class RunBlobRoutes
{
    public static IResult Detail(int status, object detail) => Results.Json(new { detail }, statusCode: status);

    public static void MapFamily(this RouteGroupBuilder group, RunBlobFamily family)
    {
        WebhookBodies.Register(family.Surface, family);
        var root = "/" + family.Path;
        var tag = "RunBlob: " + family.Title;
        group.MapPost(root + "/generate", (HttpContext http, Submission submission, ModelCatalog catalog, AssetOptions assets) =>
                submission.SubmitAsync(http, Dialect(family, catalog, assets, http.RequestAborted)))
            .WithTags(tag).WithSummary($"{family.Title}: start a generation (201 with its {family.IdField} and price)")
            .Accepts(family.RequestType, "application/json")
            .Produces(201, family.CreatedType)
            .Produces<RunBlobDetail>(400).Produces<RunBlobDetail>(401).Produces(402, family.CreditsRefusalType)
            .Produces(422, family.UnprocessableType).Produces<RunBlobDetail>(429).Produces<RunBlobDetail>(503);
        group.MapGet(root + "/generations/{id}", (string id, HttpContext http, Db db, PublicUrls urls) => GetAsync(family, id, http, db, urls))
            .WithTags(tag).WithSummary($"{family.Title}: the generation's status (pending, processing, completed or failed)")
            .Produces(200, family.StatusType).Produces<RunBlobDetail>(401).Produces<RunBlobDetail>(404);
        if (family.ListLimit is not { } defaultLimit) return;
        group.MapGet(root + "/generations", (HttpContext http, Db db, PublicUrls urls, string? limit, string? offset) =>
                ListAsync(family, http, db, urls, limit, offset, defaultLimit))
            .WithTags(tag).WithSummary($"{family.Title}: the organization's generations, newest first (limit 1–100, default {defaultLimit}; offset)")
            .Produces(200, family.StatusType.MakeArrayType()).Produces<RunBlobDetail>(401).Produces<RunBlobValidationDetail>(422);
    }

    public const string OverloadedDetail = "Service temporarily unavailable. Please retry later.";

    public static string DailyLimitDetail(string? model) => $"Daily generation limit reached for {model}. Try again later.";

    /// <summary>The family's words for the pipeline: its body mapping, its refusals, its 201.</summary>
    private static SubmissionDialect Dialect(RunBlobFamily family, ModelCatalog catalog, AssetOptions assets, CancellationToken cancellationToken)
    {
        CoreBody? mapped = null; // the 201 may echo what was mapped (Veo's seed)
        return new SubmissionDialect(
            family.Surface,
            async bytes =>
            {
                var (core, error) = await MapAsync(family, bytes, catalog, assets, cancellationToken);
                mapped = core;
                return (core, error);
            },
            refusal => refusal.Failure switch
            {
                SubmissionFailure.Validation => family.Invalid(refusal.Issues, refusal.Message),
                SubmissionFailure.BodyUnreadable when refusal.BodyError is { } body => Detail(refusal.Status, body),
                SubmissionFailure.InsufficientCredits => family.InsufficientCredits(),
                SubmissionFailure.DailyCapReached => Detail(429, DailyLimitDetail(refusal.Model)),
                SubmissionFailure.Overloaded => Detail(503, OverloadedDetail),
                _ => Detail(refusal.Status, refusal.Message),
            },
            (taskId, price) =>
            {
                var created = family.Created(taskId, family.Price(price.HoldCredits), mapped!);
                return new CreatedResponse(201, JsonSerializer.Serialize(created, created.GetType()));
            });
    }

    private static async Task<(CoreBody?, IResult?)> MapAsync(RunBlobFamily family, byte[] bytes, ModelCatalog catalog, AssetOptions assets, CancellationToken cancellationToken)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes);
        }
        catch (JsonException ex)
        {
            return (null, family.Unprocessable([new PydanticError("json_invalid", ["body", (int)(ex.BytePositionInLine ?? 0)], "JSON decode error") { Ctx = new() { ["error"] = ex.Message } }]));
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return (null, family.Unprocessable([new PydanticError("model_attributes_type", ["body"], "Input should be a valid dictionary or object to extract fields from") { Input = PydanticEcho.Of(root) }]));
            var request = family.Map(root, catalog);
            if (request.Core is not { } core) return (null, request.Error);
            if (core.CallbackUrl is { } callback && await CallbackProblemAsync(callback, assets, cancellationToken) is { } problem)
                return (null, Detail(400, "callback_url: " + problem));
            return (core, null);
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

    private static async Task<IResult> GetAsync(RunBlobFamily family, string id, HttpContext http, Db db, PublicUrls urls)
    {
        if (family.RefuseId(id) is { } refused) return refused;
        if (!Guid.TryParse(id, out var guid)) return Detail(404, family.NotFoundDetail);
        var row = await TaskRow.FindAsync(db, Caller.From(http).OrgId, guid.ToString());
        if (row is null || (family.ScopedToFamily && row.Surface != family.Surface)) return Detail(404, family.NotFoundDetail);
        var position = family.ShowsQueuePosition ? await QueuePosition.OfAsync(db, row) : null;
        return Results.Json(family.Status(View(family, row, position, http, urls)));
    }

    /// <summary>A page of the organization's tasks (of one surface when scoped), newest first: a walk of ix_tasks_org_seq.</summary>
    public static string ListSql(bool scopedToSurface) =>
        $"SELECT {TaskRow.Columns} FROM tasks WHERE org_id = @orgId AND deleted_at IS NULL{(scopedToSurface ? " AND surface = @surface" : "")} ORDER BY seq DESC LIMIT @take OFFSET @skip";

    private static async Task<IResult> ListAsync(RunBlobFamily family, HttpContext http, Db db, PublicUrls urls, string? limit, string? offset, int defaultLimit)
    {
        var (take, skip, errors) = PydanticBody.Page(limit, offset, defaultLimit);
        if (errors.Count > 0) return Detail(422, errors);
        await using var connection = await db.OpenAsync();
        var rows = await connection.QueryAsync<TaskRow>(ListSql(family.ScopedToFamily),
            new { orgId = Caller.From(http).OrgId, surface = family.Surface, take, skip });
        var result = new List<object>();
        foreach (var row in rows) result.Add(family.Status(await ViewAsync(family, connection, row, http, urls)));
        return Results.Json(result);
    }

    private static async Task<RunBlobView> ViewAsync(RunBlobFamily family, DbConnection connection, TaskRow row, HttpContext http, PublicUrls urls)
    {
        int? position = null;
        if (family.ShowsQueuePosition) position = await QueuePosition.OfAsync(connection, row);
        return View(family, row, position, http, urls);
    }

    private static RunBlobView View(RunBlobFamily family, TaskRow row, int? position, HttpContext http, PublicUrls urls)
    {
        var url = row.Status == TaskStates.Succeeded ? urls.OutputUrl(row.Id, http, row.OutputExtension) : null;
        return new RunBlobView(row, url, position, family.Codes);
    }
}
