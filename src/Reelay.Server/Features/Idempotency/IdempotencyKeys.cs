using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Idempotency;

public enum IdempotencyOutcome { Proceed, Replay, Mismatch, InFlight, InvalidKey }

/// <summary>A claimed Idempotency-Key: completed in the transaction that creates the task, or abandoned.</summary>
public sealed record IdempotencyClaim(string OrgId, string Key);

public sealed record IdempotencyDecision(IdempotencyOutcome Outcome, IdempotencyClaim? Claim = null, int Status = 0, string? Body = null);

/// <summary>
/// Idempotency-Key handling for creates, on every surface, scoped to the organization: the same key
/// and body replay the first response; another body is refused; a retry while the first is still
/// running is a conflict. Keys live 24 hours; only successful creates are stored.
/// </summary>
public static class IdempotencyKeys
{
    public const string Header = "Idempotency-Key";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);
    // A claim whose request died with its process must not block the key forever.
    public static readonly TimeSpan AbandonedAfter = TimeSpan.FromMinutes(2);

    public const string MismatchMessage = "This Idempotency-Key was already used with a different request. Use a new key for a new request.";
    public const string InFlightMessage = "A request with this Idempotency-Key is still being processed. Retry after it completes.";
    public const string InvalidKeyMessage = "The Idempotency-Key header must be 1 to 255 printable ASCII characters.";

    public static byte[] RequestHash(string method, string path, byte[] body)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{method} {path}\n"));
        hash.AppendData(body);
        return hash.GetHashAndReset();
    }

    public static async Task<IdempotencyDecision> BeginAsync(Db db, string orgId, string? key, byte[] requestHash)
    {
        if (key is null) return new(IdempotencyOutcome.Proceed);
        if (key.Length is 0 or > 255 || key.Any(c => c < 0x20 || c > 0x7e)) return new(IdempotencyOutcome.InvalidKey);
        await using var connection = await db.OpenAsync();
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var now = Clock.NowMs();
            var inserted = await connection.ExecuteAsync(
                """
                INSERT INTO idempotency_keys (org_id, key, request_hash, state, created_at) VALUES (@orgId, @key, @requestHash, 'in_flight', @now)
                ON CONFLICT (org_id, key) DO NOTHING
                """, new { orgId, key, requestHash, now });
            if (inserted == 1) return new(IdempotencyOutcome.Proceed, new IdempotencyClaim(orgId, key));

            var row = await connection.QuerySingleOrDefaultAsync<Row>(
                "SELECT request_hash AS RequestHash, state AS State, response_status AS ResponseStatus, response_body AS ResponseBody, created_at AS CreatedAt FROM idempotency_keys WHERE org_id = @orgId AND key = @key",
                new { orgId, key });
            if (row is null) continue;
            var expired = row.CreatedAt < now - (long)Lifetime.TotalMilliseconds;
            var abandoned = row.State == "in_flight" && row.CreatedAt < now - (long)AbandonedAfter.TotalMilliseconds;
            if (expired || abandoned)
            {
                await connection.ExecuteAsync("DELETE FROM idempotency_keys WHERE org_id = @orgId AND key = @key AND created_at = @CreatedAt",
                    new { orgId, key, row.CreatedAt });
                continue;
            }
            if (!CryptographicOperations.FixedTimeEquals(row.RequestHash, requestHash)) return new(IdempotencyOutcome.Mismatch);
            if (row.State == "in_flight") return new(IdempotencyOutcome.InFlight);
            return new(IdempotencyOutcome.Replay, null, (int)(row.ResponseStatus ?? 200), row.ResponseBody);
        }
        return new(IdempotencyOutcome.InFlight);
    }

    /// <summary>Begins a create on any surface: the key from the request's header, the hash of its method, path and body.</summary>
    public static Task<IdempotencyDecision> BeginAsync(Db db, HttpContext http, string orgId, byte[] body) =>
        BeginAsync(db, orgId, http.Request.Headers[Header].FirstOrDefault(), RequestHash(http.Request.Method, http.Request.Path, body));

    /// <summary>The answer a create gives without running: a replay, or a refusal in the surface's own error shape; null to proceed.</summary>
    public static IResult? EarlyAnswer(HttpContext http, IdempotencyDecision decision, Func<int, string, IResult> error)
    {
        switch (decision.Outcome)
        {
            case IdempotencyOutcome.Replay:
                http.Response.Headers["Idempotent-Replayed"] = "true";
                return Results.Content(decision.Body, "application/json", statusCode: decision.Status);
            case IdempotencyOutcome.Mismatch: return error(422, MismatchMessage);
            case IdempotencyOutcome.InFlight: return error(409, InFlightMessage);
            case IdempotencyOutcome.InvalidKey: return error(400, InvalidKeyMessage);
            default: return null;
        }
    }

    /// <summary>Stores the response in the transaction that created the task, so a replay can never see a key without its task.</summary>
    public static Task CompleteAsync(DbConnection connection, DbTransaction tx, IdempotencyClaim claim, int status, string body, string taskId) =>
        connection.ExecuteAsync(
            "UPDATE idempotency_keys SET state = 'done', response_status = @status, response_body = @body, task_id = @taskId WHERE org_id = @OrgId AND key = @Key",
            new { claim.OrgId, claim.Key, status, body, taskId }, tx);

    /// <summary>Failures are not stored: the client may retry with the same key after fixing the request.</summary>
    public static async Task AbandonAsync(Db db, IdempotencyClaim claim)
    {
        await using var connection = await db.OpenAsync();
        await connection.ExecuteAsync("DELETE FROM idempotency_keys WHERE org_id = @OrgId AND key = @Key AND state = 'in_flight'", claim);
    }

    private sealed class Row
    {
        public byte[] RequestHash { get; init; } = [];
        public string State { get; init; } = "";
        public long? ResponseStatus { get; init; }
        public string? ResponseBody { get; init; }
        public long CreatedAt { get; init; }
    }
}
