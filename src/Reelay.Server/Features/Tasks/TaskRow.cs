using System.Data.Common;
using Dapper;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Tasks;

/// <summary>A stored task as the surfaces read it.</summary>
public sealed class TaskRow
{
    public string Id { get; init; } = "";
    public string OrgId { get; init; } = "";
    public string Model { get; init; } = "";
    public string Endpoint { get; init; } = "";
    public string Status { get; init; } = "";
    public double? Progress { get; init; }
    public string? Failure { get; init; }
    public string? FailureCode { get; init; }
    public string? OutputBlob { get; init; }
    public long PriceCredits { get; init; }
    public long? ChargeCredits { get; init; }

    /// <summary>What the task costs when charged: its hold, or less when a duration of "auto" rendered shorter.</summary>
    public long ChargedCredits => Math.Min(PriceCredits, ChargeCredits ?? PriceCredits);

    /// <summary>The output file's extension (".mp4", ".mov", ".zip"), from its stored key.</summary>
    public string OutputExtension => Extension(OutputBlob);

    public string? Outputs { get; init; }

    private IReadOnlyList<string>? _outputKeys;

    /// <summary>Every output's blob key, in order (one per image of outputCount, for instance); parsed once per row.</summary>
    public IReadOnlyList<string> OutputKeys => _outputKeys ??= Outputs is { Length: > 0 } json
        ? System.Text.Json.JsonSerializer.Deserialize<List<string>>(json) ?? []
        : OutputBlob is { } single ? [single] : [];

    /// <summary>A stored key's extension; outputs stored before formats existed have none and are MP4s.</summary>
    public static string Extension(string? key) => key is not null && Path.GetExtension(key) is { Length: > 0 } e ? e : ".mp4";
    public long CreatedAt { get; init; }
    public long? StartedAt { get; init; }
    public long? FinishedAt { get; init; }
    public string Surface { get; init; } = "runway";
    public string? CallbackUrl { get; init; }
    public string? Prompt { get; init; }
    public long Seq { get; init; }

    /// <summary>The stored GenerationRequest (JSON), for surfaces that echo what was asked (a seed, a duration).</summary>
    public string? Params { get; init; }

    public const string Columns =
        """
        id AS Id, org_id AS OrgId, model AS Model, endpoint AS Endpoint, status AS Status, progress AS Progress,
        failure AS Failure, failure_code AS FailureCode, output_blob AS OutputBlob, outputs AS Outputs, price_credits AS PriceCredits, charge_credits AS ChargeCredits,
        created_at AS CreatedAt, started_at AS StartedAt, finished_at AS FinishedAt, surface AS Surface, callback_url AS CallbackUrl, prompt AS Prompt, seq AS Seq,
        params AS Params
        """;

    private const string FindSql = $"SELECT {Columns} FROM tasks WHERE id = @id AND org_id = @orgId AND deleted_at IS NULL";

    /// <summary>Tenant isolation lives here: a task is only ever found through its own organization.</summary>
    public static Task<TaskRow?> FindAsync(DbConnection connection, string orgId, string id, DbTransaction? tx = null) =>
        connection.QuerySingleOrDefaultAsync<TaskRow>(FindSql, new { id, orgId }, tx);

    /// <summary>The same read outside a transaction, as a status poll makes it: through a statement prepared once.</summary>
    public static Task<TaskRow?> FindAsync(Db db, string orgId, string id) =>
        db.QuerySingleOrDefaultAsync<TaskRow>(FindSql, ("id", id), ("orgId", orgId));
}
