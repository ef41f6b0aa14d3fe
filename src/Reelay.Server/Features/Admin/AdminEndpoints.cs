using Dapper;
using Orgs = Reelay.Server.Features.Organizations.Organizations;
using Reelay.Server.Features.Auth;
using Reelay.Server.Features.Catalog;
using Reelay.Server.Features.Credits;
using Reelay.Server.Features.Queue;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Admin;

/// <summary>Credits may be left out (none to start with), and the OpenAPI document says so.</summary>
public sealed record CreateOrganizationRequest(string? Name, long? Credits = null);
public sealed record CreateKeyRequest(string? Name);
/// <summary>With TaskId: a refund of that task's charge, reported as negative usage of its model.</summary>
public sealed record GrantCreditsRequest(long? Credits, string? Reason, string? TaskId = null);
public sealed record LimitsRequest(Dictionary<string, ModelLimitsRequest?>? Models);
public sealed record ModelLimitsRequest(int? MaxConcurrentGenerations, int? MaxDailyGenerations);
public sealed record OrganizationResponse(string Id, string Name, bool Suspended, long CreditBalance, string CreatedAt, Dictionary<string, ModelLimits> Limits);

public static class AdminEndpoints
{
    /// <summary>The operator API (Bearer Admin:Token). Without a configured token it does not exist at all.</summary>
    public static void MapAdmin(this IEndpointRouteBuilder app, ReelayOptions options)
    {
        if (options.AdminToken is null) return;
        // Operator requests are small JSON objects: 1 MB bounds what one request can make the server hold (Kestrel's default is 30 MB).
        var admin = app.MapGroup("/admin/v1").WithTags("Admin").RequireBearer(options.AdminToken, BearerToken.AdminRefusal).WithBodyLimit(BodyLimit.SmallJson);
        admin.MapAdminRoutes();

        admin.MapPost("/organizations", async (CreateOrganizationRequest body, Db db, ModelCatalog catalog) =>
        {
            if (string.IsNullOrWhiteSpace(body.Name)) return Bad("'name' is required.");
            if (body.Name.Trim().Length > Orgs.MaxNameLength) return Bad($"'name' must be at most {Orgs.MaxNameLength} characters.");
            if (body.Credits is < 0) return Bad("'credits' must not be negative.");
            await using var connection = await db.OpenAsync();
            var id = await Orgs.CreateAsync(connection, body.Name.Trim(), body.Credits ?? 0);
            return Results.Json(await DescribeAsync(connection, id, catalog), statusCode: 201);
        });

        admin.MapGet("/organizations/{id}", async (string id, Db db, ModelCatalog catalog) =>
        {
            await using var connection = await db.OpenAsync();
            return await Orgs.ExistsAsync(connection, id) ? Results.Json(await DescribeAsync(connection, id, catalog)) : OrgNotFound();
        });

        admin.MapPost("/organizations/{id}/keys", async (string id, CreateKeyRequest? body, Db db) =>
        {
            await using var connection = await db.OpenAsync();
            if (!await Orgs.ExistsAsync(connection, id)) return OrgNotFound();
            var issued = await Orgs.IssueKeyAsync(connection, id, string.IsNullOrWhiteSpace(body?.Name) ? "unnamed" : body.Name.Trim());
            return Results.Json(new { id = issued.Id, key = issued.Key, prefix = issued.Prefix, name = issued.Name, organizationId = id }, statusCode: 201);
        });

        admin.MapPost("/organizations/{id}/credits", async (string id, GrantCreditsRequest body, Db db) =>
        {
            if (body.Credits is null or 0) return Bad("'credits' must be a non-zero integer (negative to deduct).");
            await using var connection = await db.OpenAsync();
            if (!await Orgs.ExistsAsync(connection, id)) return OrgNotFound();
            if (body.TaskId is not null)
            {
                if (body.Credits < 0) return Bad("A refund ('taskId') gives credits back: 'credits' must be positive.");
                if (await Ledger.RefundAsync(connection, id, body.TaskId, body.Credits.Value, string.IsNullOrWhiteSpace(body.Reason) ? "refund" : body.Reason) is { } problem)
                    return Bad(problem);
            }
            else await Ledger.GrantAsync(connection, id, body.Credits.Value, string.IsNullOrWhiteSpace(body.Reason) ? "admin grant" : body.Reason);
            return Results.Json(new { organizationId = id, creditBalance = await Ledger.BalanceAsync(connection, id) });
        });

        admin.MapPost("/organizations/{id}/suspend", (string id, Db db, ModelCatalog catalog, KeyCache keys) => SetSuspendedAsync(id, true, db, catalog, keys));
        admin.MapPost("/organizations/{id}/unsuspend", (string id, Db db, ModelCatalog catalog, KeyCache keys) => SetSuspendedAsync(id, false, db, catalog, keys));

        admin.MapPost("/keys/{id}/disable", async (string id, Db db, KeyCache keys) =>
        {
            await using var connection = await db.OpenAsync();
            var rows = await connection.ExecuteAsync("UPDATE api_keys SET disabled_at = COALESCE(disabled_at, @now) WHERE id = @id", new { id, now = Clock.NowMs() });
            await keys.ChangedAsync(connection); // this node refuses the key at once; the others when they hear it (KeyCache)
            return rows == 0 ? Results.Json(new { error = "API key not found." }, statusCode: 404) : Results.Json(new { id, disabled = true });
        });

        admin.MapPut("/organizations/{id}/limits", async (string id, LimitsRequest body, Db db, ModelCatalog catalog) =>
        {
            if (body.Models is null || body.Models.Count == 0) return Bad("'models' must map model ids to {maxConcurrentGenerations, maxDailyGenerations}.");
            foreach (var (model, limits) in body.Models)
            {
                if (catalog.Find(model) is null) return Bad($"Unknown model '{model}'.");
                // JSON null binds as a null record: "leave it as it is" is spelled {}, not null.
                if (limits is null) return Bad($"Limits for '{model}' must be an object such as {{\"maxConcurrentGenerations\": 1, \"maxDailyGenerations\": 50}}, not null.");
                if (limits.MaxConcurrentGenerations is < 1 || limits.MaxDailyGenerations is < 0)
                    return Bad($"Limits for '{model}': maxConcurrentGenerations must be at least 1 and maxDailyGenerations at least 0.");
            }
            await using var connection = await db.OpenAsync();
            if (!await Orgs.ExistsAsync(connection, id)) return OrgNotFound();
            await using (var tx = Db.BeginWrite(connection))
            {
                await Orgs.LockAsync(connection, tx, id); // read-then-write of the current limits
                foreach (var (model, requested) in body.Models)
                {
                    var current = await Limits.ForAsync(connection, tx, id, catalog.Find(model)!);
                    await connection.ExecuteAsync(
                        """
                        INSERT INTO model_limits (org_id, model, max_concurrent, max_daily) VALUES (@id, @model, @c, @d)
                        ON CONFLICT (org_id, model) DO UPDATE SET max_concurrent = excluded.max_concurrent, max_daily = excluded.max_daily
                        """,
                        new { id, model, c = requested!.MaxConcurrentGenerations ?? current.MaxConcurrentGenerations, d = requested.MaxDailyGenerations ?? current.MaxDailyGenerations }, tx); // not null: checked above
                }
                await tx.CommitAsync();
            }
            return Results.Json(await DescribeAsync(connection, id, catalog));
        });
    }

    private static async Task<IResult> SetSuspendedAsync(string id, bool suspended, Db db, ModelCatalog catalog, KeyCache keys)
    {
        await using var connection = await db.OpenAsync();
        // An integer flag on both engines (PostgreSQL will not store a boolean parameter in a BIGINT column).
        var rows = await connection.ExecuteAsync("UPDATE organizations SET suspended = @suspended WHERE id = @id", new { id, suspended = suspended ? 1 : 0 });
        await keys.ChangedAsync(connection); // at once on this node, on the others when they hear it (KeyCache)
        return rows == 0 ? OrgNotFound() : Results.Json(await DescribeAsync(connection, id, catalog));
    }

    private static async Task<OrganizationResponse> DescribeAsync(System.Data.Common.DbConnection connection, string id, ModelCatalog catalog)
    {
        var org = await connection.QuerySingleAsync<(string Name, long Suspended, long CreatedAt)>(
            "SELECT name, suspended, created_at FROM organizations WHERE id = @id", new { id });
        return new OrganizationResponse(id, org.Name, org.Suspended != 0, await Ledger.BalanceAsync(connection, id), Clock.Iso(org.CreatedAt),
            await Limits.AllForAsync(connection, id, catalog));
    }

    private static IResult Bad(string message) => Results.Json(new { error = message }, statusCode: 400);

    private static IResult OrgNotFound() => Results.Json(new { error = "Organization not found." }, statusCode: 404);
}
