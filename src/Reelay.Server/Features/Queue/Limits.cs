using System.Data.Common;
using Dapper;
using Reelay.Server.Features.Catalog;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Queue;

/// <summary>An organization's per-model limits: its own override, or the catalog's default tier.</summary>
public static class Limits
{
    public static async Task<ModelLimits> ForAsync(DbConnection connection, DbTransaction? tx, string orgId, ModelDefinition model)
    {
        var row = await connection.QuerySingleOrDefaultAsync<LimitRow>(
            "SELECT max_concurrent AS MaxConcurrent, max_daily AS MaxDaily FROM model_limits WHERE org_id = @orgId AND model = @model",
            new { orgId, model = model.Id }, tx);
        return Resolve(model, row?.MaxConcurrent, row?.MaxDaily);
    }

    /// <summary>The organization's own limits when it has a model_limits row for the model (both columns are set together), else the catalog's default tier.</summary>
    public static ModelLimits Resolve(ModelDefinition model, long? maxConcurrent, long? maxDaily) =>
        maxConcurrent is { } concurrent && maxDaily is { } daily ? new ModelLimits((int)concurrent, (int)daily) : model.DefaultLimits;

    /// <summary>Every model's limits in one query (the organization's overrides), not one per model of the catalog.</summary>
    private const string OverridesSql = "SELECT model AS Model, max_concurrent AS MaxConcurrent, max_daily AS MaxDaily FROM model_limits WHERE org_id = @orgId";

    public static async Task<Dictionary<string, ModelLimits>> AllForAsync(DbConnection connection, string orgId, ModelCatalog catalog) =>
        AllFor(await connection.QueryAsync<LimitRow>(OverridesSql, new { orgId }), catalog);

    /// <summary>The same outside a transaction, for the organization read: through a prepared statement.</summary>
    public static async Task<Dictionary<string, ModelLimits>> AllForAsync(Db db, string orgId, ModelCatalog catalog) =>
        AllFor(await db.QueryAsync<LimitRow>(OverridesSql, ("orgId", orgId)), catalog);

    private static Dictionary<string, ModelLimits> AllFor(IEnumerable<LimitRow> rows, ModelCatalog catalog)
    {
        var overrides = rows.ToDictionary(r => r.Model);
        var result = new Dictionary<string, ModelLimits>();
        foreach (var model in catalog.Models)
            result[model.Id] = overrides.TryGetValue(model.Id, out var row) ? Resolve(model, row.MaxConcurrent, row.MaxDaily) : model.DefaultLimits;
        return result;
    }

    private sealed class LimitRow
    {
        public string Model { get; init; } = "";
        public long MaxConcurrent { get; init; }
        public long MaxDaily { get; init; }
    }
}
