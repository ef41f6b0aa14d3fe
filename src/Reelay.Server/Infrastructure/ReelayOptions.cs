namespace Reelay.Server.Infrastructure;

/// <summary>Settings read once at start-up from standard ASP.NET Core configuration.</summary>
public sealed record ReelayOptions
{
    // Named because /docs/errors quotes them: the page states the defaults the server applies.
    public const int DefaultMaxQueuedTasks = 1000;
    public const double DefaultOutputUrlLifetimeSeconds = 86_400;

    public required string DataDirectory { get; init; }
    public string? AdminToken { get; init; }
    public string DatabaseProvider { get; init; } = "sqlite";
    /// <summary>ConnectionStrings:Reelay, the PostgreSQL connection string (Npgsql format).</summary>
    public string? ConnectionString { get; init; }
    public string? CatalogFile { get; init; }
    /// <summary>The names of the configured upstream relays (Relays:NAME), which "relay:NAME" engines must name.</summary>
    public IReadOnlySet<string> RelayNames { get; init; } = new HashSet<string>();
    /// <summary>Workers:Concurrency: preview renders (ffmpeg, CPU-bound) at once on this node; 0 runs no in-process workers at all.</summary>
    public int WorkerConcurrency { get; init; } = 2;
    /// <summary>Workers:NoopConcurrency: noop-engine tasks at once; they use no CPU, only database round trips, so far more fit.</summary>
    public int NoopWorkerConcurrency { get; init; } = 16;
    /// <summary>Workers:Token, the bearer token of remote workers; without it the worker protocol does not exist.</summary>
    public string? WorkerToken { get; init; }
    /// <summary>Workers:MaxOutputBytes: the largest output a remote worker may upload.</summary>
    public long MaxWorkerOutputBytes { get; init; } = 2L << 30;
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(30);
    public int MaxAttempts { get; init; } = 3;
    public TimeSpan OutputUrlLifetime { get; init; } = TimeSpan.FromSeconds(DefaultOutputUrlLifetimeSeconds);
    public string FfmpegPath { get; init; } = "ffmpeg";
    public string? PublicBaseUrl { get; init; }
    /// <summary>Server:AllowedHosts: request hosts (besides loopback and the listening addresses) that absolute URLs may be built from.</summary>
    public IReadOnlySet<string> AllowedHosts { get; init; } = new HashSet<string>();
    /// <summary>Server:TrustedProxies: the proxies whose X-Forwarded-* headers are believed.</summary>
    public IReadOnlyList<System.Net.IPNetwork> TrustedProxies { get; init; } = [];
    public int DefaultOrganizationCredits { get; init; } = 10_000;
    public int MaxQueuedTasks { get; init; } = DefaultMaxQueuedTasks;
    public long MaxMonthlyCreditSpend { get; init; } = 1_000_000;

    public string DatabasePath => Path.Combine(DataDirectory, "reelay.db");
    public string BlobDirectory => Path.Combine(DataDirectory, "blobs");
    public string TempDirectory => Path.Combine(DataDirectory, "tmp");

    public static ReelayOptions From(IConfiguration config)
    {
        var dataDirectory = Path.GetFullPath(config["Data:Directory"] ?? "data");
        var options = new ReelayOptions
        {
            DataDirectory = dataDirectory,
            AdminToken = string.IsNullOrWhiteSpace(config["Admin:Token"]) ? null : config["Admin:Token"],
            DatabaseProvider = (config["Database:Provider"] ?? "sqlite").ToLowerInvariant() switch { "postgresql" => "postgres", var p => p },
            ConnectionString = string.IsNullOrWhiteSpace(config.GetConnectionString("Reelay")) ? null : config.GetConnectionString("Reelay"),
            CatalogFile = string.IsNullOrWhiteSpace(config["Models:CatalogFile"]) ? null : config["Models:CatalogFile"],
            RelayNames = config.GetSection("Relays").GetChildren().Select(c => c.Key).ToHashSet(StringComparer.Ordinal),
            WorkerConcurrency = config.GetValue("Workers:Concurrency", 2),
            NoopWorkerConcurrency = config.GetValue("Workers:NoopConcurrency", 16),
            WorkerToken = string.IsNullOrWhiteSpace(config["Workers:Token"]) ? null : config["Workers:Token"],
            MaxWorkerOutputBytes = config.GetValue("Workers:MaxOutputBytes", 2L << 30),
            LeaseDuration = TimeSpan.FromSeconds(config.GetValue("Workers:LeaseSeconds", 30.0)),
            MaxAttempts = config.GetValue("Workers:MaxAttempts", 3),
            OutputUrlLifetime = TimeSpan.FromSeconds(config.GetValue("Outputs:UrlLifetimeSeconds", DefaultOutputUrlLifetimeSeconds)),
            FfmpegPath = config["Engines:Preview:FfmpegPath"] ?? "ffmpeg",
            PublicBaseUrl = string.IsNullOrWhiteSpace(config["Server:PublicBaseUrl"]) ? null : config["Server:PublicBaseUrl"]!.TrimEnd('/'),
            AllowedHosts = List(config, "Server:AllowedHosts").Select(h => h.TrimEnd('.').ToLowerInvariant()).ToHashSet(),
            TrustedProxies = List(config, "Server:TrustedProxies").Select(Network).ToList(),
            DefaultOrganizationCredits = config.GetValue("Bootstrap:DefaultOrganizationCredits", 10_000),
            MaxQueuedTasks = config.GetValue("Limits:MaxQueuedTasks", DefaultMaxQueuedTasks),
            MaxMonthlyCreditSpend = config.GetValue("Limits:MaxMonthlyCreditSpend", 1_000_000L),
        };
        if (options.DatabaseProvider is not ("sqlite" or "postgres"))
            throw new InvalidOperationException($"Database:Provider '{options.DatabaseProvider}' is not supported; use 'sqlite' or 'postgres'.");
        if (options.DatabaseProvider == "postgres" && options.ConnectionString is null)
            throw new InvalidOperationException("Database:Provider 'postgres' needs ConnectionStrings:Reelay, e.g. 'Host=db;Database=reelay;Username=reelay;Password=…'.");
        if (options.WorkerToken is { Length: < 16 })
            throw new InvalidOperationException("Workers:Token is too short: use at least 16 random characters (e.g. openssl rand -hex 24).");
        if (options.WorkerConcurrency < 0) throw new InvalidOperationException("Workers:Concurrency must be 0 or more.");
        if (options.NoopWorkerConcurrency < 1) throw new InvalidOperationException("Workers:NoopConcurrency must be 1 or more (Workers:Concurrency=0 runs no workers).");
        if (options.PublicBaseUrl is not null && (!Uri.TryCreate(options.PublicBaseUrl, UriKind.Absolute, out var publicBase) || publicBase.Scheme is not ("http" or "https")))
            throw new InvalidOperationException($"Server:PublicBaseUrl '{options.PublicBaseUrl}' must be an absolute http:// or https:// URL, e.g. https://reelay.example.com.");
        return options;
    }

    /// <summary>A list setting: "a,b;c" in one value, or the children of the section (Server__AllowedHosts__0=…).</summary>
    private static IEnumerable<string> List(IConfiguration config, string key) =>
        (string.IsNullOrWhiteSpace(config[key]) ? config.GetSection(key).GetChildren().Select(c => c.Value ?? "") : config[key]!.Split(',', ';', ' '))
        .Select(v => v.Trim()).Where(v => v.Length > 0);

    private static System.Net.IPNetwork Network(string value)
    {
        if (System.Net.IPNetwork.TryParse(value, out var network)) return network;
        if (System.Net.IPAddress.TryParse(value, out var address)) return new System.Net.IPNetwork(address, address.GetAddressBytes().Length * 8);
        throw new InvalidOperationException($"Server:TrustedProxies entry '{value}' is neither an IP address nor a CIDR network (e.g. 10.0.0.5 or 10.0.0.0/8).");
    }
}
