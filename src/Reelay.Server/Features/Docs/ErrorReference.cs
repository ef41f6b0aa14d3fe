using Reelay.Server.Features.Assets;
using Reelay.Server.Features.Auth;
using Reelay.Server.Features.Catalog;
using Reelay.Server.Features.Engines;
using Reelay.Server.Features.Idempotency;
using Reelay.Server.Features.Runway;
using Reelay.Server.Features.Tasks;
using Reelay.Server.Features.Uploads;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Docs;

public sealed record ErrorEntry(string Status, string Message, string Cause, string Fix);

public sealed record ErrorSection(DocAnchor Anchor, string Title, string Intro, IReadOnlyList<ErrorEntry> Entries);

/// <summary>Every error this server returns, with cause and fix: the content of /docs/errors.</summary>
public static partial class ErrorReference
{
    public static readonly IReadOnlyList<ErrorSection> Sections =
    [
        new(DocAnchor.Authentication, "401 Unauthorized", "Every request needs 'Authorization: Bearer key_…' with a key of 'key_' and 128 lowercase hex digits. The message says which check failed.",
        [
            new("401", AuthFailureMessages.For(AuthFailure.MissingHeader), "No Authorization header was sent.", "Set RUNWAYML_API_SECRET for the SDK, or send the header yourself."),
            new("401", AuthFailureMessages.For(AuthFailure.NotBearer), "The header uses another scheme (Basic, Token, or the bare key).", "Prefix the key with 'Bearer '."),
            new("401", AuthFailureMessages.For(AuthFailure.Malformed), "The key does not match ^key_[0-9a-f]{128}$.", "Copy the whole key; keys are shown once when created."),
            new("401", AuthFailureMessages.For(AuthFailure.MalformedTrailingWhitespace), "The key ends in a newline, tab or non-breaking space (common when pasting from a file).", "Trim the key."),
            new("401", AuthFailureMessages.For(AuthFailure.MalformedLeadingWhitespace), "There is more than one space (or a tab) between 'Bearer' and the key.", "Send 'Authorization: Bearer key_…' with one space."),
            new("401", AuthFailureMessages.For(AuthFailure.UnknownKey), "No key with this value exists on this server.", "Check the base URL and the key; create a key through the admin API or portal."),
            new("401", AuthFailureMessages.For(AuthFailure.DisabledKey), "The key was disabled.", "Use another key."),
            new("401", AuthFailureMessages.For(AuthFailure.SuspendedOrganization), "The organization was suspended by an operator.", "Contact the operator of this server."),
        ]),
        new(DocAnchor.ApiVersion, "400: API version", $"Runway-surface requests must send '{RunwayErrors.VersionHeader}: {RunwayErrors.SupportedVersion}' (the official SDKs do).",
        [
            new("400", RunwayErrors.InvalidVersion, "The header has another value.", $"Send {RunwayErrors.SupportedVersion}."),
            new("400", RunwayErrors.MissingVersion, "The header is missing.", "Add the header."),
        ]),
        new(DocAnchor.RequestBody, "400 / 413: request body", "Generation endpoints take one JSON object.",
        [
            new("400", JsonBody.Empty, "The request has no body.", "Send the fields as a JSON object."),
            new("400", JsonBody.NotJsonPrefix + "…", "The body does not parse as JSON.", "Send JSON with Content-Type: application/json."),
            new("400", JsonBody.NotObject, "The body is an array, string or number.", "Wrap the fields in an object."),
            new("400", JsonBody.TooManyTokens, "The body holds more keys and values than any request has (a million unknown keys, thousands of nested arrays); it is refused before it is parsed. 422 on the RunBlob surface.",
                "Send only the fields of the endpoint."),
            new("400", "Validation of body failed: Invalid string: contains an unpaired UTF-16 surrogate (\\ud800) (invalid_string, invalid_key)",
                "A string value or property name is not Unicode text: a \\ud800–\\udfff escape without its other half, or bytes that are not UTF-8. Each one is an issue at its path.",
                "Encode text as UTF-8 and escape characters outside the BMP as a surrogate pair (\\ud83d\\ude00), as JSON.stringify does."),
            new("400", "The request body could not be read: …", "The HTTP framing is broken (e.g. a chunk size that does not fit in 64 bits) or the body ended early.", "Send a Content-Length or valid chunked encoding."),
            new("413", JsonBody.TooLarge, "The body is too large (usually a huge data URI).", "Upload large images, videos and audio and pass their URI instead."),
        ]),
        new(DocAnchor.Validation, "400: Validation of body failed", "The response lists every problem in 'issues'; each has a Zod-style 'code', a 'path' to the field and a 'message'. Each model's schema is closed: unknown fields are reported as unrecognized_keys.",
        [
            new("400", "Required (invalid_type)", "A required field is missing.", "Send the field named by 'path'."),
            new("400", "Expected string, received number (invalid_type)", "A field has the wrong JSON type.", "Send the type named in the message."),
            new("400", "Invalid enum value. Expected … (invalid_enum_value)", "The model, ratio or threshold is not one the model accepts.", "Use one of the listed values."),
            new("400", "Number must be greater than or equal to … / String must contain at most … (too_small, too_big)", "A number or string is out of range.", "Stay within the range in the message."),
            new("400", "Unrecognized key(s) in object: … (unrecognized_keys)", "The model does not take this field.", "Remove it."),
            new("400", "Validation of path failed: Invalid uuid", "A task id is not a UUID.", "Use the id returned by the create call."),
        ]),
        new(DocAnchor.Assets, "400: asset problems (code custom)", "Images, videos and audio are checked before a task is accepted, in this order; the first failing check is reported at the field's path.",
        [
            new("400", AssetRules.InvalidDataUri, "The data URI does not parse (no 'data:' prefix, no ';base64,', bad base64).", "Build the URI with a library."),
            new("400", AssetRules.UnsupportedDataUriType, "The data URI has no media type, or one not approved for the field (image/jpeg, image/png or image/webp for images).", "Use data:image/png;base64,…"),
            new("400", AssetRules.SizeExceeds(AssetOptions.DataUriLimit(AssetKind.Image)), $"The whole data URI is longer than the limit: {Limits(AssetOptions.DataUriLimit)}.", "Downscale the asset, or upload it and pass its runway:// URI."),
            new("400", AssetRules.Undecodable("image/png"), "The bytes are not a well-formed file of the declared type (or are truncated).", "Send a valid file and declare its real type."),
            new("400", AssetRules.DimensionsTooLarge(AssetRules.MaxSidePixels + 1000, 600), $"A side is longer than {AssetRules.MaxSidePixels} px.", "Downscale the image."),
            new("400", AssetRules.AspectOutOfBounds(AspectBounds.Default.Min, AspectBounds.Default.Max, 0.462), $"width / height is outside the model's bounds ({AssetRules.Number(AspectBounds.Default.Min)}–{AssetRules.Number(AspectBounds.Default.Max)} unless the model says otherwise).", "Crop the image."),
            new("400", AssetRules.InvalidUrl, $"The URL does not parse, is longer than {AssetRules.MaxHttpsUriChars} characters, or has user:password@ in it.", "Use a plain https URL."),
            new("400", AssetRules.OnlyHttps, "The URL uses http://, ftp:// or another scheme.", "Serve the asset over https, or send a data URI or an upload."),
            new("400", AssetRules.HostedOnDomain, "The host is an IP address, in any spelling (11.22.33.44, [::1], 2130706433, 0x7f.1).", "Create an A/AAAA record for the host and use the name, with https set up for it."),
            new("400", AssetRules.NotPublic, "The name resolves to a loopback, private, link-local, CGNAT, metadata or other non-public address. This server never fetches from its own network.", "Host the asset on a public address (operators: Assets:Resolve for internal hosts)."),
            new("400", AssetRules.FetchFailed, "DNS, TCP, TLS or protocol error, or the connection closed early.", "Check that the URL works from the internet and that the certificate is valid."),
            new("400", AssetRules.BadStatus(404), "The server answered HEAD or GET with a status other than 200. Redirects (301, 302, 307) are not followed.", "Use the final URL; make sure HEAD is supported."),
            new("400", AssetRules.FetchTimeout, $"The HEAD and GET together took longer than {AssetRules.Number(new AssetOptions().FetchTimeout.TotalSeconds)} seconds (Assets:FetchTimeout).", "Serve the asset faster or closer."),
            new("400", AssetRules.GenericContentType("application/octet-stream"), "The server sent a generic Content-Type.", $"Send image/jpeg, image/png or image/webp (video/mp4, video/webm, video/quicktime, video/ogg for videos; {string.Join(", ", AudioProbe.ApprovedMediaTypes)} for audio)."),
            new("400", AssetRules.UnsupportedContentType("text/html"), "The Content-Type is not approved for the field (the field decides the kind; file extensions are ignored).", "Send the right Content-Type."),
            new("400", AssetRules.NoContentLength, "The response has no Content-Length (chunked or streamed).", "Serve the file with a Content-Length."),
            new("400", AssetRules.SizeExceeds(AssetOptions.UrlLimit(AssetKind.Image)), $"Content-Length is above the limit ({Limits(AssetOptions.UrlLimit)} by URL), or the body's length differs from Content-Length.", "Downscale the asset, or fix the server's Content-Length."),
            new("400", UploadStore.UnknownUpload, "The runway:// URI was not issued to this organization.", "Use the runwayUri from POST /v1/uploads."),
            new("400", UploadStore.ExpiredUpload, $"The upload is older than {UploadStore.Lifetime.TotalHours} hours.", "Upload again."),
            new("400", UploadStore.IncompleteUpload, "The upload was created but no file was posted to its uploadUrl.", "POST the multipart form first."),
            new("400", AssetRules.Undecodable("audio"), $"The runway:// upload is not a file of the kind the field takes (\"an image\", \"a video\" or \"audio\"). Uploads of any kind may be up to {AssetRules.Megabytes(AssetOptions.UploadLimit)}.", "Upload a file of the right kind."),
            .. MediaEntries(),
        ]),
        new(DocAnchor.AssetCheck, "Debugging an asset: POST /v1/assets/check", "Send {\"uri\": \"https://…\", \"kind\": \"image\"} (\"video\" or \"audio\" for those kinds; optionally \"model\") to run exactly the checks a task would run, without creating a task or spending credits. The answer lists every check with what was observed (status, Content-Type, Content-Length, bytes read, dimensions, ratio, duration, elapsed time), the verdict and the reason text a task would get. It is the `curl -I -H \"User-Agent: …\"` of the troubleshooting guide, with the server's own verdict.",
        [
            new("200", "{\"verdict\":\"rejected\",\"reason\":\"Content-Length not provided\",\"checks\":[…]}", "The asset would be refused; the failing check names why.", "Fix what the reason says and check again."),
        ]),
        new(DocAnchor.Idempotency, "400 / 409 / 422: Idempotency-Key", $"Send '{IdempotencyKeys.Header}: <unique string>' on a create (any surface) to make retrying it safe. Keys belong to the organization and live {IdempotencyKeys.Lifetime.TotalHours} hours; only successful creates are stored, so a refused request may be retried with the same key once fixed.",
        [
            new("200", "(the first response, with Idempotent-Replayed: true)", "The same key was sent again with the same method, path and body.", "Nothing to fix: no second task was made and nothing was charged twice."),
            new("409", IdempotencyKeys.InFlightMessage, "The first request with this key is still being processed.", "Retry after it completes."),
            new("422", IdempotencyKeys.MismatchMessage, "The key was used before with a different body (or on another endpoint).", "Use a new key for a new request."),
            new("400", IdempotencyKeys.InvalidKeyMessage, "The header is empty, longer than 255 characters or has characters outside printable ASCII.", "Send a UUID, for example."),
        ]),
        new(DocAnchor.Credits, "400: credits", "Creating a task holds its price (credits per second × duration); success and moderation failures are charged, system failures and cancellations released.",
        [
            new("400", Submission.NotEnoughCredits, "The organization's balance is below the task's price.", "Ask the operator for credits (admin API: POST /admin/v1/organizations/{id}/credits)."),
        ]),
        new(DocAnchor.DailyLimit, "429: daily generation limit", "Each organization has a per-model cap on generations in a rolling 24 hours. The response has Retry-After (seconds).",
        [
            new("429", "You have reached your daily generation limit for <model>. …", "The cap was reached.", "Wait Retry-After seconds or ask for a higher limit."),
        ]),
        new(DocAnchor.Overloaded, "503: server at capacity", $"When more than Limits:MaxQueuedTasks tasks (default {ReelayOptions.DefaultMaxQueuedTasks}) wait in the queue, creates are refused until the queue drains. The response has Retry-After ({TaskCreation.OverloadRetryAfter.TotalSeconds} s); nothing was created or charged.",
        [
            new("503", Submission.OverloadedMessage, "The server-wide queue of waiting tasks is full.", "Wait Retry-After seconds and retry (with the same Idempotency-Key, if you sent one)."),
            new("503", Submission.StorageUnavailableMessage, $"The blob store (the data directory or the S3 bucket) refused or did not answer while the inputs were stored; Retry-After is {Submission.StorageRetryAfter.TotalSeconds} s.", "Retry; operators: check /readyz, which names what is wrong with the store."),
            new("503", Infrastructure.ErrorResponses.DatabaseUnavailableMessage, $"Any route, when the database (SQLite busy past its timeout, PostgreSQL down or restarting) cannot be reached; Retry-After is {Infrastructure.ErrorResponses.DatabaseRetryAfter.TotalSeconds} s. Nothing was changed.", "Retry; operators: check /readyz and the database."),
        ]),
        new(DocAnchor.NotFound, "404: not found", "Tasks are visible only to their own organization; deleted tasks are gone.",
        [
            new("404", "Could not find Task", "Unknown id, another organization's task, or a deleted task.", "Use an id your key created."),
        ]),
        new(DocAnchor.Outputs, "403 / 404: output URLs", $"Output URLs are signed and expire ({TimeSpan.FromSeconds(ReelayOptions.DefaultOutputUrlLifetimeSeconds).TotalHours} h by default, Outputs:UrlLifetimeSeconds). Every GET of a task returns fresh URLs.",
        [
            new("403", "This output URL has expired. …", "The URL is past its expiry.", "GET the task again."),
            new("403", "This output URL's signature is not valid. …", "The URL was altered.", "Use the URL as returned."),
            new("404", "This output no longer exists.", "The task was deleted.", "—"),
            new("416", "The requested range is not satisfiable: this file is N bytes. …", "A Range header starts at or past the end of the file; Content-Range: bytes */N gives the size.", "Ask for a range inside the file, or omit Range."),
        ]),
        new(DocAnchor.Sandbox, $"Sandbox controls: {Simulation.Header}", "Send this header on a create request to provoke what real APIs do. Options combine with commas: 'delay=5, fail=SAFETY.INPUT.IMAGE'.",
        [
            new("—", "fail=<failureCode>", "The task ends FAILED with that failureCode and a realistic failure text. Codes: SAFETY.INPUT.IMAGE, SAFETY.INPUT.TEXT, SAFETY.OUTPUT.VIDEO, INTERNAL.BAD_OUTPUT.CODE01, INPUT_PREPROCESSING.SAFETY.TEXT, INPUT_PREPROCESSING.INTERNAL, ASSET.INVALID, THIRD_PARTY.UNAVAILABLE, INTERNAL (any dotted upper-case code works). SAFETY.* codes are charged, as upstream; others are released.", "Test your failure handling."),
            new("—", "delay=<seconds>", $"The task stays RUNNING for that long with progress advancing to 0.5, then renders (0–{Simulation.MaxSeconds} s).", "Test progress display and polling."),
            new("—", "throttle[=<seconds>]", $"The task stays THROTTLED for that long (default {Simulation.DefaultThrottleSeconds} s), then runs normally.", "Test THROTTLED handling."),
            new("400", $"Invalid {Simulation.Header} header: …", "An option is unknown or its value is out of range.", "Fix the header."),
        ]),
        new(DocAnchor.FailureCodes, "Task failures", "A FAILED task has 'failure' (human text) and 'failureCode' (dot-separated, generic to specific).",
            new[] { "SAFETY.INPUT.IMAGE", "SAFETY.INPUT.TEXT", "SAFETY.OUTPUT.VIDEO", "INTERNAL.BAD_OUTPUT.CODE01", "INPUT_PREPROCESSING.SAFETY.TEXT", "INPUT_PREPROCESSING.INTERNAL", "ASSET.INVALID", "THIRD_PARTY.UNAVAILABLE", "INTERNAL" }
            .Select(code => new ErrorEntry("FAILED", code, Simulation.FailureText(code), code.StartsWith("SAFETY", StringComparison.Ordinal) ? "Change the input; this failure is charged." : "Retry; this failure is not charged.")).ToList()),
        .. SurfaceSections(),
    ];

    /// <summary>"16 MB for images, 32 MB for videos, 32 MB for audio", from the limits intake enforces.</summary>
    private static string Limits(Func<AssetKind, long> limit) =>
        $"{AssetRules.Megabytes(limit(AssetKind.Image))} for images, {AssetRules.Megabytes(limit(AssetKind.Video))} for videos, {AssetRules.Megabytes(limit(AssetKind.Audio))} for audio";
}
