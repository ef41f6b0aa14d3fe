using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Reelay.Server.Features.Catalog;

namespace Reelay.Server.Features.Runway;

/// <summary>
/// The Runway surface's hot answers, serialized by source-generated code: the reflection serializer walked an
/// anonymous object graph per organization read (8 KB, every model of the catalog twice) and read its metadata
/// on every task read. Web defaults, and nulls written unless a property says otherwise, as the app's own options.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(RunwayTask))]
[JsonSerializable(typeof(CreatedTask))]
[JsonSerializable(typeof(RunwayOrganization))]
public sealed partial class RunwayJson : JsonSerializerContext
{
    /// <summary>
    /// With ASP.NET Core's encoder for HTTP responses (Results.Json's default): the strict default would write a signed
    /// URL's '&amp;' as \u0026, a different body from the one every other answer of the surface writes.
    /// </summary>
    public static RunwayJson Http { get; } = new(new JsonSerializerOptions(JsonSerializerDefaults.Web) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}

/// <summary>GET /v1/organization: the balance, the tier's limits and the last day's generations, per model.</summary>
public sealed record RunwayOrganization(long CreditBalance, RunwayTier Tier, RunwayUsage Usage);

public sealed record RunwayTier(long MaxMonthlyCreditSpend, Dictionary<string, ModelLimits> Models);

public sealed record RunwayUsage(Dictionary<string, RunwayModelUsage> Models);

public sealed record RunwayModelUsage(long DailyGenerations);
