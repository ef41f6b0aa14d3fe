using Dapper;
using Reelay.Server.Features.Blobs;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Outputs;

public static class OutputEndpoints
{
    /// <summary>Signed, expiring downloads of task outputs, with range requests so players can seek.</summary>
    public static void MapOutputs(this IEndpointRouteBuilder app)
    {
        app.MapGet("/outputs/{taskId:guid}.{extension}", async (Guid taskId, string extension, string? expires, string? signature, OutputSigner signer, Db db, IBlobStore blobs) =>
        {
            var id = taskId.ToString();
            switch (signer.Check(id, expires, signature, DateTimeOffset.UtcNow.ToUnixTimeSeconds()))
            {
                case OutputUrlCheck.Invalid:
                    return Results.Json(new { error = "This output URL's signature is not valid. Fetch the task again for a fresh URL." }, statusCode: 403);
                case OutputUrlCheck.Expired:
                    return Results.Json(new { error = "This output URL has expired. Fetch the task again for a fresh URL." }, statusCode: 403);
            }
            await using var connection = await db.OpenAsync();
            var blob = await connection.QuerySingleOrDefaultAsync<string>(
                "SELECT output_blob FROM tasks WHERE id = @id AND deleted_at IS NULL AND status = 'succeeded'", new { id });
            static IResult Gone() => Results.Json(new { error = "This output no longer exists." }, statusCode: 404);
            // Outputs stored before formats existed have no extension of their own and are MP4s.
            var stored = blob is null ? null : Path.GetExtension(blob) is { Length: > 0 } e ? e : ".mp4";
            return blob is null || stored != "." + extension ? Gone() : BlobResults.Serve(blobs, blob, OutputFormats.ContentType(stored), Gone);
        }).ExcludeFromDescription();
    }
}
