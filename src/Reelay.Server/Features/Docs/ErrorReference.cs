using Reelay.Server.Features.Assets;
using Reelay.Server.Features.Auth;
using Reelay.Server.Features.Engines;
using Reelay.Server.Features.Tasks;
using Reelay.Server.Features.Uploads;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Docs;

public sealed record ErrorEntry(string Status, string Message, string Cause, string Fix);

public sealed record ErrorSection(string Anchor, string Title, string Intro, IReadOnlyList<ErrorEntry> Entries);

/// <summary>Every error this server returns, with cause and fix: the content of /docs/errors.</summary>
public static class ErrorReference
{
    public static readonly IReadOnlyList<ErrorSection> Sections =
    [
        new("authentication", "401 Unauthorized", "Every request needs 'Authorization: Bearer key_…' with a key of 'key_' and 128 lowercase hex digits. The message says which check failed.",
        [
            new("401", AuthFailureMessages.For(AuthFailure.MissingHeader), "No Authorization header was sent.", "Set RUNWAYML_API_SECRET for the SDK, or send the header yourself."),
            new("401", AuthFailureMessages.For(AuthFailure.NotBearer), "The header uses another scheme (Basic, Token, or the bare key).", "Prefix the key with 'Bearer '."),
            new("401", AuthFailureMessages.For(AuthFailure.Malformed), "The key does not match ^key_[0-9a-f]{128}$.", "Copy the whole key; keys are shown once when created."),
            new("401", AuthFailureMessages.For(AuthFailure.MalformedTrailingWhitespace), "The key ends in a newline, tab or non-breaking space (common when pasting from a file).", "Trim the key."),
            new("401", AuthFailureMessages.For(AuthFailure.UnknownKey), "No key with this value exists on this server.", "Check the base URL and the key; create a key through the admin API or portal."),
            new("401", AuthFailureMessages.For(AuthFailure.DisabledKey), "The key was disabled.", "Use another key."),
            new("401", AuthFailureMessages.For(AuthFailure.SuspendedOrganization), "The organization was suspended by an operator.", "Contact the operator of this server."),
        ]),
        new("api-version", "400: API version", "Runway-surface requests must send 'X-Runway-Version: 2024-11-06' (the official SDKs do).",
        [
            new("400", "The API version that was provided in the X-Runway-Version header is not valid.", "The header has another value.", "Send 2024-11-06."),
            new("400", "The X-Runway-Version header is required. …", "The header is missing.", "Add the header."),
        ]),
        new("request-body", "400 / 413: request body", "Generation endpoints take one JSON object.",
        [
            new("400", "The request body is not valid JSON: …", "The body does not parse as JSON.", "Send JSON with Content-Type: application/json."),
            new("400", "The request body must be a JSON object.", "The body is an array, string or number.", "Wrap the fields in an object."),
            new("400", "Validation of body failed: Invalid string: contains an unpaired UTF-16 surrogate (\\ud800) (invalid_string, invalid_key)",
                "A string value or property name is not Unicode text: a \\ud800–\\udfff escape without its other half, or bytes that are not UTF-8. Each one is an issue at its path.",
                "Encode text as UTF-8 and escape characters outside the BMP as a surrogate pair (\\ud83d\\ude00), as JSON.stringify does."),
            new("400", "The request body could not be read: …", "The HTTP framing is broken (e.g. a chunk size that does not fit in 64 bits) or the body ended early.", "Send a Content-Length or valid chunked encoding."),
            new("413", $"The request body is larger than {Infrastructure.JsonBody.MaxBytes / 1048576} MB.", "The body is too large (usually a huge data URI).", "Upload large images, videos and audio and pass their URI instead."),
        ]),
        new("validation", "400: Validation of body failed", "The response lists every problem in 'issues'; each has a Zod-style 'code', a 'path' to the field and a 'message'. Each model's schema is closed: unknown fields are reported as unrecognized_keys.",
        [
            new("400", "Required (invalid_type)", "A required field is missing.", "Send the field named by 'path'."),
            new("400", "Expected string, received number (invalid_type)", "A field has the wrong JSON type.", "Send the type named in the message."),
            new("400", "Invalid enum value. Expected … (invalid_enum_value)", "The model, ratio or threshold is not one the model accepts.", "Use one of the listed values."),
            new("400", "Number must be greater than or equal to … / String must contain at most … (too_small, too_big)", "A number or string is out of range.", "Stay within the range in the message."),
            new("400", "Unrecognized key(s) in object: … (unrecognized_keys)", "The model does not take this field.", "Remove it."),
            new("400", "Validation of path failed: Invalid uuid", "A task id is not a UUID.", "Use the id returned by the create call."),
        ]),
        new("assets", "400: asset problems (code custom)", "Images, videos and audio are checked before a task is accepted, in this order; the first failing check is reported at the field's path.",
        [
            new("400", AssetRules.InvalidDataUri, "The data URI does not parse (no 'data:' prefix, no ';base64,', bad base64).", "Build the URI with a library."),
            new("400", AssetRules.UnsupportedDataUriType, "The data URI has no media type, or one not approved for the field (image/jpeg, image/png or image/webp for images).", "Use data:image/png;base64,…"),
            new("400", AssetRules.SizeExceeds(AssetOptions.DataUriLimit(AssetKind.Image)), $"The whole data URI is longer than the limit: {Limits(AssetOptions.DataUriLimit)}.", "Downscale the asset, or upload it and pass its runway:// URI."),
            new("400", AssetRules.Undecodable("image/png"), "The bytes are not a well-formed file of the declared type (or are truncated).", "Send a valid file and declare its real type."),
            new("400", AssetRules.DimensionsTooLarge(9000, 600), "A side is longer than 8000 px.", "Downscale the image."),
            new("400", AssetRules.AspectOutOfBounds(0.5, 2, 0.462), "width / height is outside the model's bounds.", "Crop the image."),
            new("400", AssetRules.InvalidUrl, "The URL does not parse, is longer than 2048 characters, or has user:password@ in it.", "Use a plain https URL."),
            new("400", AssetRules.OnlyHttps, "The URL uses http://, ftp:// or another scheme.", "Serve the asset over https, or send a data URI or an upload."),
            new("400", AssetRules.HostedOnDomain, "The host is an IP address, in any spelling (11.22.33.44, [::1], 2130706433, 0x7f.1).", "Create an A/AAAA record for the host and use the name, with https set up for it."),
            new("400", AssetRules.NotPublic, "The name resolves to a loopback, private, link-local, CGNAT, metadata or other non-public address. This server never fetches from its own network.", "Host the asset on a public address (operators: Assets:Resolve for internal hosts)."),
            new("400", AssetRules.FetchFailed, "DNS, TCP, TLS or protocol error, or the connection closed early.", "Check that the URL works from the internet and that the certificate is valid."),
            new("400", AssetRules.BadStatus(404), "The server answered HEAD or GET with a status other than 200. Redirects (301, 302, 307) are not followed.", "Use the final URL; make sure HEAD is supported."),
            new("400", AssetRules.FetchTimeout, "The HEAD and GET together took longer than 10 seconds.", "Serve the asset faster or closer."),
            new("400", AssetRules.GenericContentType("application/octet-stream"), "The server sent a generic Content-Type.", $"Send image/jpeg, image/png or image/webp (video/mp4, video/webm, video/quicktime, video/ogg for videos; {string.Join(", ", AudioProbe.ApprovedMediaTypes)} for audio)."),
            new("400", AssetRules.UnsupportedContentType("text/html"), "The Content-Type is not approved for the field (the field decides the kind; file extensions are ignored).", "Send the right Content-Type."),
            new("400", AssetRules.NoContentLength, "The response has no Content-Length (chunked or streamed).", "Serve the file with a Content-Length."),
            new("400", AssetRules.SizeExceeds(AssetOptions.UrlLimit(AssetKind.Image)), $"Content-Length is above the limit ({Limits(AssetOptions.UrlLimit)} by URL), or the body's length differs from Content-Length.", "Downscale the asset, or fix the server's Content-Length."),
            new("400", UploadStore.UnknownUpload, "The runway:// URI was not issued to this organization.", "Use the runwayUri from POST /v1/uploads."),
            new("400", UploadStore.ExpiredUpload, "The upload is older than 24 hours.", "Upload again."),
            new("400", UploadStore.IncompleteUpload, "The upload was created but no file was posted to its uploadUrl.", "POST the multipart form first."),
            new("400", AssetRules.Undecodable("audio"), $"The runway:// upload is not a file of the kind the field takes (\"an image\", \"a video\" or \"audio\"). Uploads of any kind may be up to {AssetRules.Megabytes(AssetOptions.UploadLimit)}.", "Upload a file of the right kind."),
        ]),
        new("asset-check", "Debugging an asset: POST /v1/assets/check", "Send {\"uri\": \"https://…\", \"kind\": \"image\"} (\"video\" or \"audio\" for those kinds; optionally \"model\") to run exactly the checks a task would run, without creating a task or spending credits. The answer lists every check with what was observed (status, Content-Type, Content-Length, bytes read, dimensions, ratio, duration, elapsed time), the verdict and the reason text a task would get. It is the `curl -I -H \"User-Agent: …\"` of the troubleshooting guide, with the server's own verdict.",
        [
            new("200", "{\"verdict\":\"rejected\",\"reason\":\"Content-Length not provided\",\"checks\":[…]}", "The asset would be refused; the failing check names why.", "Fix what the reason says and check again."),
        ]),
        new("credits", "400: credits", "Creating a task holds its price (credits per second × duration); success and moderation failures are charged, system failures and cancellations released.",
        [
            new("400", Submission.NotEnoughCredits, "The organization's balance is below the task's price.", "Ask the operator for credits (admin API: POST /admin/v1/organizations/{id}/credits)."),
        ]),
        new("daily-limit", "429: daily generation limit", "Each organization has a per-model cap on generations in a rolling 24 hours. The response has Retry-After (seconds).",
        [
            new("429", "You have reached your daily generation limit for <model>. …", "The cap was reached.", "Wait Retry-After seconds or ask for a higher limit."),
        ]),
        new("not-found", "404: not found", "Tasks are visible only to their own organization; deleted tasks are gone.",
        [
            new("404", "Could not find Task", "Unknown id, another organization's task, or a deleted task.", "Use an id your key created."),
        ]),
        new("outputs", "403 / 404: output URLs", "Output URLs are signed and expire (24 h by default). Every GET of a task returns fresh URLs.",
        [
            new("403", "This output URL has expired. …", "The URL is past its expiry.", "GET the task again."),
            new("403", "This output URL's signature is not valid. …", "The URL was altered.", "Use the URL as returned."),
            new("404", "This output no longer exists.", "The task was deleted.", "—"),
            new("416", "The requested range is not satisfiable: this file is N bytes. …", "A Range header starts at or past the end of the file; Content-Range: bytes */N gives the size.", "Ask for a range inside the file, or omit Range."),
        ]),
        new("sandbox", "Sandbox controls: X-Reelay-Simulate", "Send this header on a create request to provoke what real APIs do. Options combine with commas: 'delay=5, fail=SAFETY.INPUT.IMAGE'.",
        [
            new("—", "fail=<failureCode>", "The task ends FAILED with that failureCode and a realistic failure text. Codes: SAFETY.INPUT.IMAGE, SAFETY.INPUT.TEXT, SAFETY.OUTPUT.VIDEO, INTERNAL.BAD_OUTPUT.CODE01, INPUT_PREPROCESSING.SAFETY.TEXT, INPUT_PREPROCESSING.INTERNAL, ASSET.INVALID, THIRD_PARTY.UNAVAILABLE, INTERNAL (any dotted upper-case code works). SAFETY.* codes are charged, as upstream; others are released.", "Test your failure handling."),
            new("—", "delay=<seconds>", "The task stays RUNNING for that long with progress advancing to 0.5, then renders (0–600 s).", "Test progress display and polling."),
            new("—", "throttle[=<seconds>]", "The task stays THROTTLED for that long (default 10 s), then runs normally.", "Test THROTTLED handling."),
            new("400", "Invalid X-Reelay-Simulate header: …", "An option is unknown or its value is out of range.", "Fix the header."),
        ]),
        new("failure-codes", "Task failures", "A FAILED task has 'failure' (human text) and 'failureCode' (dot-separated, generic to specific).",
            new[] { "SAFETY.INPUT.IMAGE", "SAFETY.INPUT.TEXT", "SAFETY.OUTPUT.VIDEO", "INTERNAL.BAD_OUTPUT.CODE01", "INPUT_PREPROCESSING.SAFETY.TEXT", "INPUT_PREPROCESSING.INTERNAL", "ASSET.INVALID", "THIRD_PARTY.UNAVAILABLE", "INTERNAL" }
            .Select(code => new ErrorEntry("FAILED", code, Simulation.FailureText(code), code.StartsWith("SAFETY", StringComparison.Ordinal) ? "Change the input; this failure is charged." : "Retry; this failure is not charged.")).ToList()),
    ];

    /// <summary>"16 MB for images, 32 MB for videos, 32 MB for audio", from the limits intake enforces.</summary>
    private static string Limits(Func<AssetKind, long> limit) =>
        $"{AssetRules.Megabytes(limit(AssetKind.Image))} for images, {AssetRules.Megabytes(limit(AssetKind.Video))} for videos, {AssetRules.Megabytes(limit(AssetKind.Audio))} for audio";
}
