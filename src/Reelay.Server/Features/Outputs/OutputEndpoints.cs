using Dapper;
using Reelay.Server.Features.Blobs;
using Reelay.Server.Features.Tasks;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Outputs;

public static class OutputEndpoints
{
    /// <summary>Signed, expiring downloads of task outputs, with range requests so players can seek.</summary>
    public static void MapOutputs(this IEndpointRouteBuilder app)
    {
        // The first output keeps the URL shape it had before tasks had several; the others are numbered.
        app.MapGet("/outputs/{taskId:guid}.{extension}", (Guid taskId, string extension, string? expires, string? signature, OutputSigner signer, Db db, IBlobStore blobs) =>
            ServeAsync(taskId, 0, extension, expires, signature, signer, db, blobs)).ExcludeFromDescription();
        app.MapGet("/outputs/{taskId:guid}/{index:int}.{extension}", (Guid taskId, int index, string extension, string? expires, string? signature, OutputSigner signer, Db db, IBlobStore blobs) =>
            ServeAsync(taskId, index, extension, expires, signature, signer, db, blobs)).ExcludeFromDescription();
    }

    private static async Task<IResult> ServeAsync(Guid taskId, int index, string extension, string? expires, string? signature, OutputSigner signer, Db db, IBlobStore blobs)
    {
        var id = taskId.ToString();
        switch (signer.Check(OutputSigner.Resource(id, index), expires, signature, DateTimeOffset.UtcNow.ToUnixTimeSeconds()))
        {
            case OutputUrlCheck.Invalid:
                return Results.Json(new { error = "This output URL's signature is not valid. Fetch the task again for a fresh URL." }, statusCode: 403);
            case OutputUrlCheck.Expired:
                return Results.Json(new { error = "This output URL has expired. Fetch the task again for a fresh URL." }, statusCode: 403);
        }
        await using var connection = await db.OpenAsync();
        var row = await connection.QuerySingleOrDefaultAsync<TaskRow>(
            $"SELECT {TaskRow.Columns} FROM tasks WHERE id = @id AND deleted_at IS NULL AND status = 'succeeded'", new { id });
        static IResult Gone() => Results.Json(new { error = "This output no longer exists." }, statusCode: 404);
        var keys = row?.OutputKeys ?? [];
        if (index >= keys.Count || TaskRow.Extension(keys[index]) != "." + extension) return Gone();
        return BlobResults.Serve(blobs, keys[index], OutputFormats.ContentType(TaskRow.Extension(keys[index])), Gone);
    }
}
