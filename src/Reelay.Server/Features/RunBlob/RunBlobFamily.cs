using System.Text.Json;
using System.Text.Json.Nodes;
using Reelay.Server.Features.Catalog;
using Reelay.Server.Features.Tasks;
using Reelay.Server.Features.Webhooks;

namespace Reelay.Server.Features.RunBlob;

/// <summary>What a family's body maps to: the core request, or the answer that refuses it.</summary>
public sealed record FamilyRequest(CoreBody? Core, IResult? Error)
{
    public static FamilyRequest Refuse(IResult error) => new(null, error);
}

/// <summary>
/// One RunBlob model family (Sora, Veo 3, the Kling paths, Nano Banana, ChatGPT Images): its routes under /v1/{Path},
/// the body rules that map onto catalog fields (<see cref="Map"/>), its status and webhook shapes and its answers.
/// Everything they share — auth, the create pipeline, the status read, lists, signing, delivery — lives once in
/// <see cref="RunBlobRoutes"/> and the core; a family only says how it differs.
/// </summary>
public abstract class RunBlobFamily : IWebhookBody
{
    /// <summary>Linear retries, 30 s apart, five attempts in all (Veo, Kling O1/O3 video, Kling photos, ChatGPT Images).</summary>
    public static readonly WebhookSchedule Linear = new("linear", [.. Enumerable.Repeat(TimeSpan.FromSeconds(30), 4)]);

    /// <summary>The path below /v1: "veo", "kling/o1-video".</summary>
    public abstract string Path { get; }

    /// <summary>The surface name stored with its tasks: it picks the webhook body and scopes the status read.</summary>
    public abstract string Surface { get; }

    /// <summary>The name in summaries and errors: "Veo 3".</summary>
    public abstract string Title { get; }

    /// <summary>The catalog endpoint the family's models serve.</summary>
    public abstract string Endpoint { get; }

    public virtual string IdField => "generation_id";

    /// <summary>The status field that carries the output URL once completed.</summary>
    public virtual string UrlField => "video_url";

    /// <summary>The default limit of GET /v1/{Path}/generations; null: the family documents no list.</summary>
    public virtual int? ListLimit => null;

    public virtual string NotFoundDetail => "Generation not found";

    /// <summary>False for Sora only: its status read answers any task of the organization (older clients rely on it).</summary>
    public virtual bool ScopedToFamily => true;

    /// <summary>The family's words for why a generation failed (Sora has prose instead).</summary>
    public virtual FailureCodes Codes => FailureCodes.Generic;

    public virtual WebhookSchedule? Schedule => Linear;

    public abstract Type RequestType { get; }
    public abstract Type CreatedType { get; }
    public abstract Type StatusType { get; }
    public virtual Type CreditsRefusalType => typeof(RunBlobDetail);
    public virtual Type UnprocessableType => typeof(RunBlobValidationDetail);

    /// <summary>The body's rules (pydantic 422s, documented 400s) and its mapping onto the catalog's field names.</summary>
    public abstract FamilyRequest Map(JsonElement body, ModelCatalog catalog);

    /// <summary>The status object of GET /v1/{Path}/generations/{id}.</summary>
    public abstract object Status(RunBlobView view);

    /// <summary>The callback body; <see cref="UrlField"/> is filled in at each attempt.</summary>
    public virtual object Webhook(RunBlobView view) => Status(view);

    public virtual object Created(string id, string price, CoreBody core) => new RunBlobCreated(id, "pending", price);

    public virtual string Price(long credits) => RunBlobMapping.Usd(credits);

    /// <summary>A 422 for body errors: FastAPI's list, unless the family documents another shape.</summary>
    public virtual IResult Unprocessable(IReadOnlyList<PydanticError> errors) => RunBlobRoutes.Detail(422, errors);

    /// <summary>What the core found wrong after mapping (an asset, a catalog rule): a 400 with its reason.</summary>
    public virtual IResult Invalid(IReadOnlyList<ValidationIssue> issues, string message) =>
        RunBlobRoutes.Detail(400, issues.FirstOrDefault()?.Message ?? message);

    /// <summary>402: {"detail":"INSUFFICIENT_CREDITS"}, or {"success":false,"message":…} where the family's page shows that shape.</summary>
    public IResult InsufficientCredits() => CreditsRefusalType == typeof(RunBlobFailure)
        ? Results.Json(new RunBlobFailure(false, "INSUFFICIENT_CREDITS"), statusCode: 402)
        : RunBlobRoutes.Detail(402, "INSUFFICIENT_CREDITS");

    /// <summary>An id the family refuses before looking it up (Veo: INVALID_TASK_ID); null: unknown ids are 404s.</summary>
    public virtual IResult? RefuseId(string id) => null;

    /// <summary>Needs the position among waiting tasks (Sora's progress_pos_in_queue).</summary>
    public virtual bool ShowsQueuePosition => false;

    /// <summary>The core body: catalog field names plus "model"; absent (null) values are left out.</summary>
    protected CoreBody Core(string model, JsonObject fields, string? callbackUrl)
    {
        var body = new JsonObject { ["model"] = model };
        foreach (var (name, value) in fields)
            if (value is not null) body[name] = value.DeepClone();
        return new CoreBody(Endpoint, JsonSerializer.SerializeToElement(body), callbackUrl);
    }

    /// <summary>A list for the core body; an empty list is no list (the catalog's lists have at least one item).</summary>
    protected static JsonArray? Strings(IReadOnlyCollection<string>? items) =>
        items is not { Count: > 0 } ? null : new JsonArray([.. items.Select(i => JsonValue.Create(i))]);

    /// <summary>
    /// Images sent as two lists (URLs and base64): the documented 400 when both are sent and the family forbids it
    /// (<paramref name="both"/>), or when there are more than <paramref name="max"/> in all.
    /// </summary>
    protected static IResult? CheckImageLists(List<string>? urls, List<string>? inline, int max, string? both, Func<int, string> tooMany)
    {
        if (both is not null && urls is { Count: > 0 } && inline is { Count: > 0 }) return RunBlobRoutes.Detail(400, both);
        var count = (urls?.Count ?? 0) + (inline?.Count ?? 0);
        return count > max ? RunBlobRoutes.Detail(400, tooMany(count)) : null;
    }

    /// <summary>One list of images, each an http(s) URL (fetched) or inline data (a data URI or bare base64).</summary>
    protected static (List<string>? Urls, List<string>? Inline) SplitImages(List<string>? images) => images is null ? (null, null) :
        ([.. images.Where(IsUrl)], [.. images.Where(i => !IsUrl(i))]);

    private static bool IsUrl(string image) =>
        image.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || image.StartsWith("http://", StringComparison.OrdinalIgnoreCase);

    /// <summary>"5, 10, or 15" / "1k or 2k": how the Kling pages list allowed values.</summary>
    public static string OxfordList(IReadOnlyList<string> values) =>
        values.Count <= 2 ? string.Join(" or ", values) : string.Join(", ", values.Take(values.Count - 1)) + ", or " + values[^1];

    /// <summary>A catalog field's allowed values as text (an enum's, in order).</summary>
    protected static IReadOnlyList<string> Allowed(EndpointDefinition endpoint, string field) =>
        endpoint.Fields.GetValueOrDefault(field)?.Enum?.Select(v => v.ToString()).ToList() ?? [];

    /// <summary>The catalog's model for a family model name, or the 400 a server without it answers.</summary>
    protected (EndpointDefinition? Endpoint, IResult? Error) Served(ModelCatalog catalog, string modelId)
    {
        if (catalog.Find(modelId)?.Endpoints.GetValueOrDefault(Endpoint) is { } endpoint) return (endpoint, null);
        return (null, RunBlobRoutes.Detail(400, $"Model '{modelId}' is not served by this server on /v1/{Path}/generate."));
    }

    public string Snapshot(TaskRow row)
    {
        var body = Webhook(new RunBlobView(row, row.OutputExtension, null, Codes));
        return JsonSerializer.Serialize(body, body.GetType());
    }

    /// <summary>The snapshot kept the output's extension in <see cref="UrlField"/>; each attempt signs a fresh URL of that type.</summary>
    public string ForAttempt(string snapshot, Func<string, string> outputUrl)
    {
        if (JsonNode.Parse(snapshot) is not JsonObject payload || payload["status"]?.GetValue<string>() != "completed") return snapshot;
        var kept = payload[UrlField] is JsonValue v && v.TryGetValue<string>(out var text) && text.StartsWith('.') ? text : ".mp4";
        payload[UrlField] = outputUrl(kept);
        return payload.ToJsonString();
    }
}

/// <summary>A task as a family reads it: its row, the output URL when completed, its queue position, its words for failures.</summary>
public sealed class RunBlobView(TaskRow row, string? outputUrl, int? queuePosition, FailureCodes codes)
{
    private readonly Lazy<GenerationRequest?> _request = new(() => Parse(row.Params));

    public TaskRow Row => row;
    public string Id => row.Id;
    public string Status => RunBlobMapping.Status(row.Status);
    public bool Completed => row.Status == TaskStates.Succeeded;
    public bool Failed => row.Status is TaskStates.Failed or TaskStates.Cancelled;
    public bool Ended => TaskStates.IsTerminal(row.Status);
    public string Prompt => row.Prompt ?? "";
    public string? OutputUrl => Completed ? outputUrl : null;
    public int? QueuePosition => queuePosition;

    /// <summary>The failure code in the family's vocabulary when failed, else null.</summary>
    public string? Message => Failed ? RunBlobMapping.Code(row, codes) : null;

    public GenerationRequest? Request => _request.Value;

    public JsonNode? Option(string name) => Request?.Options[name];

    private static GenerationRequest? Parse(string? json)
    {
        if (json is null) return null;
        try
        {
            return GenerationRequest.FromJson(json);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or NullReferenceException)
        {
            return null; // a status read never fails over an unreadable stored request
        }
    }
}
