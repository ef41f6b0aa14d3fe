using Reelay.Server.Features.Assets;
using Reelay.Server.Features.Auth;
using Reelay.Server.Features.RunBlob;
using Reelay.Server.Features.Uploads;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Docs;

// Methods, not fields: static field initializers in different files of a partial class run in no defined order.
public static partial class ErrorReference
{
    /// <summary>Video and audio inputs: their size, length and the total length of a group of references.</summary>
    private static IEnumerable<ErrorEntry> MediaEntries() =>
    [
        new("400", AssetRules.DimensionsTooSmall(256, 200, 300), "An image or video frame is smaller than the model's minimum side.", "Send a larger image or video."),
        new("400", AssetRules.DurationOutOfBounds(AssetKind.Video, 2, 30, 1.2), "A video is shorter or longer than the field allows (the model's catalog entry sets the bounds).", "Trim or extend the video."),
        new("400", AssetRules.DurationOutOfBounds(AssetKind.Audio, null, 15, 17.3), "An audio input is outside the field's duration bounds.", "Trim the audio."),
        new("400", AssetRules.TotalDurationExceeds("referenceAudio", 15, 17.3), "Several references of one kind together are longer than the model takes.", "Send fewer or shorter references."),
        new("400", AssetRules.Undecodable("video/mp4"), "The video's bytes are not a readable file of its Content-Type (ffprobe found no video stream).", "Send an MP4, WebM, QuickTime or Ogg video."),
    ];

    private static IEnumerable<ErrorSection> SurfaceSections() =>
    [
        new(DocAnchor.Uploads, "400 / 403 / 404 / 409 / 410: uploads",
            $"POST /v1/uploads returns an uploadUrl, form 'fields' and a runwayUri; POST the file there as multipart/form-data (the fields first, then 'file'), then pass the runwayUri as an input. Uploads are usable for {UploadStore.Lifetime.TotalHours} hours. Errors of the form post are {{\"error\": \"…\"}}.",
        [
            new("400", "Validation of body failed (filename, type)", "POST /v1/uploads needs {\"filename\": \"…\", \"type\": \"ephemeral\"} and nothing else.", "Send both fields."),
            new("400", UploadErrors.NotMultipart, "The form post is not multipart/form-data.", "Post the form as the SDK does (FormData)."),
            new("400", UploadErrors.EmptyBody, "The form post has no body.", "Post every entry of 'fields' and the file."),
            new("400", UploadErrors.NoFilePart, "The form has no part named 'file'.", "Add the file as the 'file' part."),
            new("400", UploadErrors.TooLarge, $"The file is larger than {AssetRules.Megabytes(AssetOptions.UploadLimit)}.", "Downscale or trim the file."),
            new("400", UploadErrors.TooSmall, "The file is (nearly) empty.", "Send the real file."),
            new("403", UploadErrors.BadToken, "The one-time 'token' field is missing, wrong, or comes after the file.", "Send every entry of 'fields', in order, before the file."),
            new("404", UploadErrors.UnknownUpload, "No upload has this id.", "Use the uploadUrl POST /v1/uploads returned."),
            new("409", UploadErrors.AlreadyUploaded, "A file was already posted to this uploadUrl.", "Create a new upload for another file."),
            new("410", UploadStore.ExpiredUpload, $"The upload is older than {UploadStore.Lifetime.TotalHours} hours.", "Create a new upload."),
        ]),
        new(DocAnchor.Routes, "404 / 405 / 415: routes", "Answers for a request no endpoint takes. A mistyped path gets the nearest route the server has.",
        [
            new("404", ErrorResponses.StatusMessage(404, "POST", "/v1/text-to-video", "POST /v1/text_to_video"), "No route has this path (here: dashes instead of underscores).", "Use the suggested route; the API reference at /docs lists every route."),
            new("405", ErrorResponses.StatusMessage(405, "PUT", "/v1/tasks/{id}", null), "The route exists but not with this method.", "Use the method the API reference shows."),
            new("415", ErrorResponses.StatusMessage(415, "POST", "/v1/text_to_video", null), "The body was sent with another Content-Type.", "Send Content-Type: application/json."),
            new("413", ErrorResponses.StatusMessage(413, "POST", "/v1/uploads", null), "The body is larger than the server reads for this route.", "Upload large files through POST /v1/uploads."),
        ]),
        new(DocAnchor.RunBlob, "RunBlob surface errors", "The RunBlob routes answer in FastAPI's shape: {\"detail\": \"…\"}, or a 422 with {\"detail\": [{\"type\", \"loc\", \"msg\", \"input\"}]} for a body that does not match the model. The families: "
            + string.Join(", ", RunBlobEndpoints.Families.Select(f => $"{f.Title} (/v1/{f.Path})")) + ".",
        [
            new("401", RunBlobEndpoints.Unauthorized(AuthFailure.MissingHeader), "No Authorization header.", "Send 'Authorization: Bearer key_…'."),
            new("401", RunBlobEndpoints.Unauthorized(AuthFailure.NotBearer), "Another scheme than Bearer.", "Prefix the key with 'Bearer '."),
            new("401", RunBlobEndpoints.Unauthorized(AuthFailure.UnknownKey), "The key is malformed or unknown.", "Check the key and the base URL."),
            new("402", "INSUFFICIENT_CREDITS", "The balance is below the generation's price ({\"success\": false, \"message\": …} on the families whose reference shows that shape).", "Ask the operator for credits."),
            new("422", "[{\"type\": \"missing\", \"loc\": [\"body\", \"prompt\"], \"msg\": \"Field required\", …}]", "A field is missing, of the wrong type or out of range; each error names its location.", "Fix the field named by 'loc'."),
            new("400", "Model '…' is not served by this server on /v1/…/generate.", "The model is not in this server's catalog for the family.", "Use a model the API reference lists for the family."),
            new("429", RunBlobRoutes.DailyLimitDetail("<model>"), "The organization's daily cap for the model was reached.", "Wait or ask for a higher limit."),
            new("503", RunBlobRoutes.OverloadedDetail, "The server-wide queue is full; nothing was created or charged.", "Retry after Retry-After seconds."),
            .. RunBlobEndpoints.Families.Select(f => f.NotFoundDetail).Distinct().Select(text =>
                new ErrorEntry("404", text, "Unknown id, another organization's generation, or one of another family.", "Use an id this key created on the same family's route.")),
        ]),
    ];
}
