using System.Globalization;

namespace Reelay.Server.Features.Relays;

/// <summary>
/// One upstream provider (Relays:NAME): which API it speaks, where, with which key, how our model ids map onto its
/// ids, how many tasks it may run at once, how often to poll it and how long it may stay unreachable. The key is
/// kept out of ToString so it can never reach a log line by accident.
/// </summary>
public sealed record RelayOptions(
    string Name,
    string Dialect,
    Uri BaseUrl,
    IReadOnlyDictionary<string, string> Models,
    int MaxConcurrent,
    TimeSpan PollInterval,
    TimeSpan Timeout)
{
    public static readonly IReadOnlySet<string> Dialects = new HashSet<string> { "runway", "runblob" };

    /// <summary>
    /// Inputs larger than this go through the upstream's upload flow instead of a data URI (Runway accepts data URIs
    /// of a few MB; base64 adds a third). Relays:NAME:UploadAboveBytes, default 3 MB.
    /// </summary>
    public long UploadAboveBytes { get; init; } = 3_000_000;

    /// <summary>
    /// RunBlob: register a callback_url on the upstream so completion is learned at once (polling stays the fallback).
    /// Needs Server:PublicBaseUrl reachable from the upstream. Relays:NAME:Callbacks, default true.
    /// </summary>
    public bool Callbacks { get; init; } = true;

    /// <summary>Where the upstream calls back (Relays:NAME:CallbackBaseUrl); default Server:PublicBaseUrl. Neither: poll only.</summary>
    public string? CallbackBaseUrl { get; init; }

    /// <summary>The upstream's circuit breaker (Relays:NAME:Breaker:*).</summary>
    public BreakerOptions Breaker { get; init; } = new(0.5, 5, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));

    /// <summary>Read from ApiKey or ApiKeyFile; deliberately not a record member (records print their members).</summary>
    public string ApiKey { private get; init; } = "";

    /// <summary>The Authorization header value; the one place the key is read.</summary>
    public string Authorization => "Bearer " + ApiKey;

    /// <summary>"relay:NAME", the engine the catalog names and tasks record.</summary>
    public string Engine => "relay:" + Name;

    /// <summary>The upstream's id of one of our models (the same id unless Models maps it).</summary>
    public string UpstreamModel(string model) => Models.GetValueOrDefault(model, model);

    // Records print their members: the key is left out on purpose, and so are the other members nobody needs in a log.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append($"Name = {Name}, Dialect = {Dialect}, BaseUrl = {BaseUrl}");
        return true;
    }

    /// <summary>Every relay configured under Relays:*; a mistake stops the server with a sentence naming the setting.</summary>
    public static IReadOnlyList<RelayOptions> All(IConfiguration config) =>
        config.GetSection("Relays").GetChildren().Select(From).ToList();

    public static RelayOptions From(IConfigurationSection section)
    {
        var name = section.Key;
        var where = $"Relays:{name}";
        string? Text(string key) => string.IsNullOrWhiteSpace(section[key]) ? null : section[key]!.Trim();
        var dialect = (Text("Dialect") ?? "runway").ToLowerInvariant();
        if (!Dialects.Contains(dialect))
            throw new InvalidOperationException($"{where}:Dialect '{dialect}' is not supported; use {string.Join(" or ", Dialects)}.");
        if (!Uri.TryCreate(Text("BaseUrl")?.TrimEnd('/') + "/", UriKind.Absolute, out var baseUrl) || baseUrl.Scheme is not ("http" or "https"))
            throw new InvalidOperationException($"{where}:BaseUrl must be the upstream's absolute http(s) URL without /v1, e.g. https://api.dev.runwayml.com.");
        var key = Text("ApiKey");
        if (key is null && Text("ApiKeyFile") is { } file)
        {
            if (!File.Exists(file)) throw new InvalidOperationException($"{where}:ApiKeyFile names a file that does not exist.");
            key = File.ReadAllText(file).Trim();
        }
        if (string.IsNullOrEmpty(key)) throw new InvalidOperationException($"{where} needs ApiKey or ApiKeyFile (the upstream account's API key).");
        var models = section.GetSection("Models").GetChildren().Where(c => !string.IsNullOrWhiteSpace(c.Value))
            .ToDictionary(c => c.Key, c => c.Value!.Trim(), StringComparer.Ordinal);
        var maxConcurrent = Integer(section, "MaxConcurrent", 4, where);
        if (maxConcurrent < 1) throw new InvalidOperationException($"{where}:MaxConcurrent must be 1 or more.");
        return new RelayOptions(name, dialect, baseUrl, models, maxConcurrent,
            Duration(section, "PollSeconds", TimeSpan.FromSeconds(2), where), Duration(section, "Timeout", TimeSpan.FromMinutes(5), where))
        {
            ApiKey = key,
            Breaker = ReadBreaker(section.GetSection("Breaker"), where + ":Breaker"),
            UploadAboveBytes = Integer(section, "UploadAboveBytes", 3_000_000, where) is var above and >= 0 ? above
                : throw new InvalidOperationException($"{where}:UploadAboveBytes must be 0 or more."),
            CallbackBaseUrl = Text("CallbackBaseUrl") is not { } callbackBase ? null
                : Uri.TryCreate(callbackBase, UriKind.Absolute, out var cb) && cb.Scheme is "http" or "https" ? callbackBase.TrimEnd('/')
                : throw new InvalidOperationException($"{where}:CallbackBaseUrl must be an absolute http(s) URL the upstream can reach."),
            Callbacks = section["Callbacks"] is not { Length: > 0 } callbacks || (bool.TryParse(callbacks, out var on) ? on
                : throw new InvalidOperationException($"{where}:Callbacks must be true or false.")),
        };
    }

    private static BreakerOptions ReadBreaker(IConfigurationSection section, string where)
    {
        var ratio = section["FailureRatio"] is not { Length: > 0 } text ? 0.5
            : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value is > 0 and <= 1 ? value
            : throw new InvalidOperationException($"{where}:FailureRatio must be a number above 0 and at most 1.");
        var throughput = Integer(section, "MinimumThroughput", 5, where);
        if (throughput < 2) throw new InvalidOperationException($"{where}:MinimumThroughput must be 2 or more.");
        var sampling = Duration(section, "SamplingSeconds", TimeSpan.FromSeconds(30), where);
        var pause = Duration(section, "BreakSeconds", TimeSpan.FromSeconds(30), where);
        // Polly's floors: a sampling window and a break of at least half a second.
        if (sampling < TimeSpan.FromMilliseconds(500) || pause < TimeSpan.FromMilliseconds(500))
            throw new InvalidOperationException($"{where}:SamplingSeconds and BreakSeconds must be 0.5 or more.");
        return new BreakerOptions(ratio, throughput, sampling, pause);
    }

    private static int Integer(IConfigurationSection section, string key, int fallback, string where) =>
        section[key] is not { Length: > 0 } text ? fallback
        : int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value
        : throw new InvalidOperationException($"{where}:{key} must be a whole number.");

    /// <summary>Seconds ("2", "0.25") or a TimeSpan ("00:05:00").</summary>
    private static TimeSpan Duration(IConfigurationSection section, string key, TimeSpan fallback, string where)
    {
        if (section[key] is not { Length: > 0 } text) return fallback;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0) return TimeSpan.FromSeconds(seconds);
        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) && span > TimeSpan.Zero) return span;
        throw new InvalidOperationException($"{where}:{key} must be a positive number of seconds (or a time span such as 00:05:00).");
    }
}

/// <summary>
/// When an upstream counts as down: FailureRatio of at least MinimumThroughput calls within Sampling failed
/// (connection errors, timeouts, 5xx); it is then skipped for Break before one call probes it again.
/// </summary>
public sealed record BreakerOptions(double FailureRatio, int MinimumThroughput, TimeSpan Sampling, TimeSpan Break);
