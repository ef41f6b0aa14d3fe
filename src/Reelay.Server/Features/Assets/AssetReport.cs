using System.Diagnostics;
using System.Text.Json.Serialization;

namespace Reelay.Server.Features.Assets;

/// <summary>
/// What intake saw while checking one asset: every check with its result, the observed values and
/// the verdict. The preflight endpoint returns it as is; task creation uses only the reason.
/// </summary>
public sealed class AssetReport(string uri, AssetKind kind)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public string Uri { get; } = uri.Length > 200 ? uri[..200] + "…" : uri;
    public string Kind { get; } = kind.ToString().ToLowerInvariant();
    public string Verdict => Reason is null ? "accepted" : "rejected";
    public string? Reason { get; private set; }
    public long ElapsedMs { get; private set; }
    public ObservedValues Observed { get; } = new();
    public List<AssetCheck> Checks { get; } = [];

    public void Pass(string check, string? detail = null) => Checks.Add(new AssetCheck(check, true, detail));

    /// <summary>Records the failing check; returns its reason so callers can `return report.Fail(...)`.</summary>
    public string Fail(string check, string reason, string? detail = null)
    {
        Checks.Add(new AssetCheck(check, false, detail ?? reason));
        Reason ??= reason;
        return reason;
    }

    public AssetReport Finish()
    {
        ElapsedMs = _clock.ElapsedMilliseconds;
        return this;
    }
}

public sealed record AssetCheck(string Name, bool Passed, string? Detail);

public sealed class ObservedValues
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Address { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Status { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? ContentType { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? ContentLength { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? BytesRead { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? MediaType { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Width { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Height { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? Ratio { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? DurationSeconds { get; set; }
}
