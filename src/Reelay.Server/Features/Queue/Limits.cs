using System.Data.Common;
using Dapper;
using Reelay.Server.Features.Catalog;

namespace Reelay.Server.Features.Queue;

/// <summary>An organization's per-model limits: its own override, or the catalog's default tier.</summary>
public static class Limits
{
    public static async Task<ModelLimits> ForAsync(DbConnection connection, DbTransaction? tx, string orgId, ModelDefinition model)
    {
        var row = await connection.QuerySingleOrDefaultAsync<LimitRow>(
            "SELECT max_concurrent AS MaxConcurrent, max_daily AS MaxDaily FROM model_limits WHERE org_id = @orgId AND model = @model",
            new { orgId, model = model.Id }, tx);
        return row is null ? model.DefaultLimits : new ModelLimits((int)row.MaxConcurrent, (int)row.MaxDaily);
    }

    public static async Task<Dictionary<string, ModelLimits>> AllForAsync(DbConnection connection, string orgId, ModelCatalog catalog)
    {
        var result = new Dictionary<string, ModelLimits>();
        foreach (var model in catalog.Models) result[model.Id] = await ForAsync(connection, null, orgId, model);
        return result;
    }

    private sealed class LimitRow
    {
        public long MaxConcurrent { get; init; }
        public long MaxDaily { get; init; }
    }
}
