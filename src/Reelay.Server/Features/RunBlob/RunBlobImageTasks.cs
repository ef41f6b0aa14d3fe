using System.Text.Json.Serialization;
using Reelay.Server.Features.Tasks;

namespace Reelay.Server.Features.RunBlob;

/// <summary>The status object of the task_uuid families (Nano Banana, ChatGPT Images): every field always there.</summary>
public sealed record RunBlobImageTask(
    [property: JsonPropertyName("task_uuid")] string TaskUuid,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("prompt")] string Prompt,
    [property: JsonPropertyName("result_image_url")] string? ResultImageUrl,
    [property: JsonPropertyName("message")] string? Message);

/// <summary>Nano Banana's callback: the status object without prompt.</summary>
public sealed record RunBlobImageTaskWebhook(
    [property: JsonPropertyName("task_uuid")] string TaskUuid,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("result_image_url")] string? ResultImageUrl,
    [property: JsonPropertyName("message")] string? Message);

/// <summary>
/// The image families whose id is task_uuid and whose output is result_image_url; their images arrive as one list of
/// URLs and inline data (split onto the catalog's imagesUrl and imagesBase64 fields).
/// </summary>
public abstract class RunBlobImageTaskFamily : RunBlobFamily
{
    public override string IdField => "task_uuid";
    public override string UrlField => "result_image_url";
    public override Type CreatedType => typeof(RunBlobTaskCreated);
    public override Type StatusType => typeof(RunBlobImageTask);

    public override object Created(string id, string price, CoreBody core) => new RunBlobTaskCreated(id, "pending", price);

    public override object Status(RunBlobView view) => new RunBlobImageTask(view.Id, view.Status, view.Prompt, view.OutputUrl, view.Message);
}
