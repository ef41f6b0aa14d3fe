namespace Reelay.Server.Features.Docs;

/// <summary>
/// A section of /docs/errors that a docUrl can point at. The constructor is private, so every anchor an error body
/// can carry is one of the instances below, and <see cref="ErrorReference"/> is built from the same instances: an
/// emitter cannot name a section the page lacks, and a test checks every instance has its section.
/// </summary>
public sealed class DocAnchor
{
    private DocAnchor(string id) => Id = id;

    /// <summary>The fragment after '#', also the section's HTML id.</summary>
    public string Id { get; }

    public static readonly DocAnchor Authentication = new("authentication");
    public static readonly DocAnchor ApiVersion = new("api-version");
    public static readonly DocAnchor RequestBody = new("request-body");
    public static readonly DocAnchor Validation = new("validation");
    public static readonly DocAnchor Assets = new("assets");
    public static readonly DocAnchor AssetCheck = new("asset-check");
    public static readonly DocAnchor Idempotency = new("idempotency");
    public static readonly DocAnchor Credits = new("credits");
    public static readonly DocAnchor DailyLimit = new("daily-limit");
    public static readonly DocAnchor Overloaded = new("overloaded");
    public static readonly DocAnchor NotFound = new("not-found");
    public static readonly DocAnchor Outputs = new("outputs");
    public static readonly DocAnchor Sandbox = new("sandbox");
    public static readonly DocAnchor FailureCodes = new("failure-codes");
    public static readonly DocAnchor Uploads = new("uploads");
    public static readonly DocAnchor Routes = new("routes");
    public static readonly DocAnchor RunBlob = new("runblob");

    public static IReadOnlyList<DocAnchor> All { get; } =
        [Authentication, ApiVersion, RequestBody, Validation, Assets, AssetCheck, Idempotency, Credits, DailyLimit, Overloaded, NotFound, Outputs, Sandbox, FailureCodes, Uploads, Routes, RunBlob];

    public override string ToString() => Id;
}
