using Reelay.Server.Features.Docs;
using Reelay.Server.Features.Tasks;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Runway;

/// <summary>The Runway surface's error bodies: {"error", "docUrl"?, "issues"?}.</summary>
public static class RunwayErrors
{
    public const string SupportedVersion = "2024-11-06";
    public const string VersionHeader = "X-Runway-Version";
    public const string InvalidVersion = "The API version that was provided in the X-Runway-Version header is not valid.";
    public const string MissingVersion = $"The {VersionHeader} header is required. Send '{VersionHeader}: {SupportedVersion}'.";

    public static IResult Error(HttpContext context, int status, string message, DocAnchor? docAnchor = null) =>
        Results.Json(new ErrorBody(message, docAnchor is null ? null : DocsEndpoints.Url(context, docAnchor), null), statusCode: status);

    /// <summary>
    /// A refused body (JsonBody): its sentence, or, when strings in it are not text, a validation error with one issue
    /// per string at its path — what a client needs to find the field among many.
    /// </summary>
    public static IResult Error(HttpContext context, int status, JsonBodyError error, DocAnchor? docAnchor = null) =>
        error.InvalidText.Count == 0
            ? Error(context, status, error.Message, docAnchor)
            : Validation(context, [.. error.InvalidText.Select(t => new ValidationIssue(t.IsPropertyName ? "invalid_key" : "invalid_string", t.Path, JsonBodyError.IssueMessage(t)))]);

    public static IResult Validation(HttpContext context, IReadOnlyList<ValidationIssue> issues) =>
        Results.Json(new ErrorBody("Validation of body failed", DocsEndpoints.Url(context, DocAnchor.Validation), issues), statusCode: 400);

    public static IResult PathValidation(HttpContext context, IReadOnlyList<ValidationIssue> issues) =>
        Results.Json(new ErrorBody("Validation of path failed", DocsEndpoints.Url(context, DocAnchor.Validation), issues), statusCode: 400);

    public static IResult TaskNotFound() => Results.Json(new ErrorBody("Could not find Task", null, null), statusCode: 404);

    public sealed record ErrorBody(
        string Error,
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? DocUrl,
        [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ValidationIssue>? Issues);
}
