using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;
using Reelay.Server.Features.Assets;
using Reelay.Server.Features.Auth;
using Reelay.Server.Features.Docs;
using Reelay.Server.Features.Blobs;
using Reelay.Server.Features.Tasks;
using Reelay.Server.Infrastructure;

using Reelay.Server.Features.Uploads;

namespace Reelay.Server.Features.Runway;

public static class RunwayUploadEndpoints
{
    /// <summary>
    /// Runway-style ephemeral uploads: POST /v1/uploads hands out a form (uploadUrl + fields), the client
    /// posts the file there, and the runway:// URI is usable for 24 hours by the same organization.
    /// </summary>
    public static void MapUploads(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/v1").RequireRunwayCaller().WithTags("Runway: uploads").MapPost("/uploads", CreateAsync);
        // The form post carries no API key (the SDK posts it with plain fetch): the one-time token field authorizes it.
        app.MapPost("/uploads/{id}", ReceiveAsync).DisableAntiforgery().ExcludeFromDescription();
    }

    private static async Task<IResult> CreateAsync(HttpContext http, Db db, PublicUrls urls)
    {
        var (document, status, error) = await JsonBody.ReadObjectAsync(http.Request, http.RequestAborted);
        if (document is null) return RunwayErrors.Error(http, status, error!, DocAnchor.RequestBody);
        using (document)
        {
            var body = document.RootElement;
            var issues = new List<ValidationIssue>();
            var unknown = body.EnumerateObject().Select(p => p.Name).Where(n => n is not ("filename" or "type")).ToList();
            if (unknown.Count > 0)
                issues.Add(new ValidationIssue("unrecognized_keys", [], $"Unrecognized key(s) in object: {string.Join(", ", unknown.Select(k => $"'{k}'"))}") { Keys = unknown });
            string? filename = null;
            if (!body.TryGetProperty("filename", out var name)) issues.Add(ValidationIssue.Required(["filename"], "string"));
            else if (name.ValueKind != System.Text.Json.JsonValueKind.String) issues.Add(ValidationIssue.WrongType(["filename"], "string", name));
            else if (name.GetString()!.Length is < 1 or > 255) issues.Add(new ValidationIssue(name.GetString()!.Length < 1 ? "too_small" : "too_big", ["filename"], "String must contain between 1 and 255 character(s)"));
            else filename = name.GetString();
            if (!body.TryGetProperty("type", out var type)) issues.Add(ValidationIssue.Required(["type"], "'ephemeral'"));
            else if (type.ValueKind != System.Text.Json.JsonValueKind.String || type.GetString() != "ephemeral")
                issues.Add(new ValidationIssue("invalid_enum_value", ["type"], $"Invalid enum value. Expected 'ephemeral', received '{type}'"));
            if (issues.Count > 0 || filename is null) return RunwayErrors.Validation(http, issues);

            var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
            var now = Clock.NowMs();
            var orgId = Caller.From(http).OrgId;
            var hash = SHA256.HashData(Encoding.ASCII.GetBytes(token));
            var expires = now + (long)UploadStore.Lifetime.TotalMilliseconds;
            await using var connection = await db.OpenAsync();
            await connection.ExecuteAsync(
                "INSERT INTO uploads (id, org_id, filename, token_hash, created_at, expires_at) VALUES (@id, @orgId, @filename, @hash, @now, @expires)",
                new { id, orgId, filename, hash, now, expires });
            return Results.Json(new { uploadUrl = $"{urls.BaseUrl(http)}/uploads/{id}", fields = new Dictionary<string, string> { ["key"] = id, ["token"] = token }, runwayUri = UploadStore.UriFor(id) });
        }
    }

    private static IResult Fail(int status, string message) => Results.Json(new { error = message }, statusCode: status);

    private static async Task<IResult> ReceiveAsync(string id, HttpContext http, Db db, IBlobStore blobs, AssetOptions assetOptions)
    {
        if (!MediaTypeHeaderValue.TryParse(http.Request.ContentType, out var contentType) ||
            HeaderUtilities.RemoveQuotes(contentType.Boundary).Value is not { Length: > 0 and <= 200 } boundary)
            return Fail(400, UploadErrors.NotMultipart);
        http.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize = AssetOptions.UploadLimit + (1 << 20);

        await using var connection = await db.OpenAsync();
        var upload = await connection.QuerySingleOrDefaultAsync<(byte[] TokenHash, long ExpiresAt, long? CompletedAt)>(
            "SELECT token_hash, expires_at, completed_at FROM uploads WHERE id = @id", new { id });
        if (upload.TokenHash is null) return Fail(404, UploadErrors.UnknownUpload);
        if (upload.ExpiresAt < Clock.NowMs()) return Fail(410, UploadStore.ExpiredUpload);
        if (upload.CompletedAt is not null) return Fail(409, UploadErrors.AlreadyUploaded);
        if (http.Request.ContentLength == 0) return Fail(400, UploadErrors.EmptyBody);

        var form = new UploadForm(boundary, http.Request.Body);
        var authorized = false;
        try
        {
            for (var section = await form.NextAsync(http.RequestAborted); section is not null; section = await form.NextAsync(http.RequestAborted))
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)) continue;
                var field = HeaderUtilities.RemoveQuotes(disposition.Name).Value;
                if (field == "token")
                {
                    var token = await ReadSmallAsync(section.Body, http.RequestAborted);
                    authorized = CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.ASCII.GetBytes(token)), upload.TokenHash);
                }
                else if (field == "file")
                {
                    if (!authorized) return Fail(403, UploadErrors.BadToken);
                    return await StoreFileAsync(id, section.Body, connection, blobs, assetOptions, http.RequestAborted);
                }
            }
        }
        catch (MalformedFormException ex)
        {
            return Fail(400, ex.Message);
        }
        return Fail(400, UploadErrors.NoFilePart);
    }

    private static async Task<IResult> StoreFileAsync(string id, Stream file, System.Data.Common.DbConnection connection, IBlobStore blobs,
        AssetOptions assetOptions, CancellationToken cancellationToken)
    {
        var key = $"uploads/{id}";
        // Received into a local file first: the type is sniffed from it before the blob store (maybe S3) gets it.
        Directory.CreateDirectory(assetOptions.TempDirectory);
        var temp = Path.Combine(assetOptions.TempDirectory, $"upload-{Guid.NewGuid():N}");
        long size;
        string? mediaType;
        try
        {
            size = await BlobCopy.CopyCappedToFileAsync(file, temp, AssetOptions.UploadLimit, cancellationToken);
            if (size > AssetOptions.UploadLimit || size < AssetOptions.UploadMinimum)
                return Fail(400, size > AssetOptions.UploadLimit ? UploadErrors.TooLarge : UploadErrors.TooSmall);
            mediaType = await SniffAsync(temp);
            await blobs.PutFileAsync(key, temp, move: true, cancellationToken);
        }
        finally
        {
            File.Delete(temp);
        }
        await connection.ExecuteAsync(
            "UPDATE uploads SET completed_at = @now, size = @size, media_type = @mediaType, blob_key = @key WHERE id = @id AND completed_at IS NULL",
            new { id, now = Clock.NowMs(), size, mediaType, key });
        return Results.NoContent();
    }

    private static async Task<string> ReadSmallAsync(Stream body, CancellationToken cancellationToken)
    {
        var buffer = new byte[256];
        var total = 0;
        int read;
        while ((read = await body.ReadAsync(buffer.AsMemory(total), cancellationToken)) > 0)
        {
            total += read;
            if (total == buffer.Length) break; // tokens are 64 characters; anything longer is wrong anyway
        }
        return Encoding.ASCII.GetString(buffer, 0, total).Trim();
    }

    /// <summary>The real type from the bytes: uploads carry no trustworthy Content-Type.</summary>
    private static async Task<string?> SniffAsync(string path)
    {
        await using var stream = File.OpenRead(path);
        if (ImageHeaders.Read(stream) is { } image) return image.MediaType;
        stream.Position = 0;
        var head = new byte[64];
        var read = await stream.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false);
        return VideoProbe.Sniff(head.AsSpan(0, read)) ?? AudioProbe.Sniff(head.AsSpan(0, read));
    }
}
