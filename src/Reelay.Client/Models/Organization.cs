namespace Reelay.Client;

/// <summary>The caller's organization, as <c>GET /v1/organization</c> returns it.</summary>
public sealed record Organization
{
    /// <summary>Credits available for new tasks.</summary>
    public long CreditBalance { get; init; }
    /// <summary>The organization's limits.</summary>
    public OrganizationTier Tier { get; init; } = new();
    /// <summary>Generations in the last 24 hours, per model.</summary>
    public OrganizationUsage Usage { get; init; } = new();
}

/// <summary>An organization's limits.</summary>
public sealed record OrganizationTier
{
    /// <summary>The most credits the organization may spend in a month.</summary>
    public long MaxMonthlyCreditSpend { get; init; }
    /// <summary>Limits per model id.</summary>
    public IReadOnlyDictionary<string, ModelLimits> Models { get; init; } = new Dictionary<string, ModelLimits>();
}

/// <summary>One model's limits for an organization.</summary>
public sealed record ModelLimits
{
    /// <summary>Tasks rendering at once; more are <see cref="ReelayTaskStatus.Throttled"/>.</summary>
    public int MaxConcurrentGenerations { get; init; }
    /// <summary>Tasks created in a rolling 24 hours; more are refused with a <see cref="RateLimitException"/>.</summary>
    public int MaxDailyGenerations { get; init; }
}

/// <summary>An organization's recent usage.</summary>
public sealed record OrganizationUsage
{
    /// <summary>Usage per model id.</summary>
    public IReadOnlyDictionary<string, ModelUsage> Models { get; init; } = new Dictionary<string, ModelUsage>();
}

/// <summary>One model's recent usage.</summary>
public sealed record ModelUsage
{
    /// <summary>Tasks created in the last 24 hours.</summary>
    public int DailyGenerations { get; init; }
}

/// <summary>The body of <c>POST /v1/organization/usage</c>: a UTC date range of at most 90 days; unset means the last 30 days.</summary>
public sealed record UsageRequest
{
    /// <summary>The first day included.</summary>
    public DateOnly? StartDate { get; init; }
    /// <summary>The first day excluded.</summary>
    public DateOnly? BeforeDate { get; init; }
}

/// <summary>Net credits spent (charges minus refunds) per day and model, and per day and API key.</summary>
public sealed record UsageResponse
{
    /// <summary>Every day of the range, in order, with the credits spent per model.</summary>
    public IReadOnlyList<UsageDay> Results { get; init; } = [];
    /// <summary>Every model that appears in <see cref="Results"/>.</summary>
    public IReadOnlyList<string> Models { get; init; } = [];
    /// <summary>Every API key id that appears in <see cref="ResultsByApiKey"/>.</summary>
    public IReadOnlyList<string> ApiKeys { get; init; } = [];
    /// <summary>Every day of the range, in order, with the credits spent per API key.</summary>
    public IReadOnlyList<KeyUsageDay> ResultsByApiKey { get; init; } = [];
}

/// <summary>One UTC day of usage per API key.</summary>
public sealed record KeyUsageDay
{
    /// <summary>The day.</summary>
    public DateOnly Date { get; init; }
    /// <summary>Net credits spent that day, per API key.</summary>
    public IReadOnlyList<KeyCredits> UsedCredits { get; init; } = [];
}

/// <summary>Credits one API key used.</summary>
public sealed record KeyCredits
{
    /// <summary>The API key's id.</summary>
    public string ApiKeyId { get; init; } = "";
    /// <summary>Net credits spent: negative when refunds exceeded charges.</summary>
    public long Amount { get; init; }
}

/// <summary>One UTC day of usage.</summary>
public sealed record UsageDay
{
    /// <summary>The day.</summary>
    public DateOnly Date { get; init; }
    /// <summary>Credits charged that day, per model.</summary>
    public IReadOnlyList<UsedCredits> UsedCredits { get; init; } = [];
}

/// <summary>Credits one model used.</summary>
public sealed record UsedCredits
{
    /// <summary>The model id.</summary>
    public string Model { get; init; } = "";
    /// <summary>Net credits spent: negative when refunds exceeded charges.</summary>
    public long Amount { get; init; }
}
