using Reelay.Server.Features.Catalog;

namespace Reelay.Server.Features.Relays;

/// <summary>
/// Pure: which of a model's engines ("engines", in priority order) a task goes to. A relay whose breaker is open is
/// skipped; a local engine (preview, noop) is never skipped. The relay loops claim a model's tasks for the engine
/// picked now; a local engine at the end of a list runs in the claiming relay worker (the first relay's).
/// </summary>
public static class RelayChain
{
    /// <summary>The first engine not skipped; when every one is, the first (it keeps trying until its deadline).</summary>
    public static string Pick(IReadOnlyList<string> engines, Func<string, bool> skipped) =>
        engines.FirstOrDefault(e => !IsRelay(e) || !skipped(e)) ?? engines[0];

    /// <summary>
    /// The engine to fall back to after <paramref name="failed"/> was unavailable: the next one not skipped, else the
    /// last one (tried to its deadline, which also gives its breaker the chance to probe), or null when none is left.
    /// </summary>
    public static string? Next(IReadOnlyList<string> engines, string failed, Func<string, bool> skipped)
    {
        var rest = engines.SkipWhile(e => e != failed).Skip(1).ToList();
        return rest.FirstOrDefault(e => !IsRelay(e) || !skipped(e)) ?? rest.LastOrDefault();
    }

    /// <summary>Whether the loop of <paramref name="relay"/> claims a model's tasks now.</summary>
    public static bool Claims(IReadOnlyList<string> engines, string relay, Func<string, bool> skipped)
    {
        var pick = Pick(engines, skipped);
        return pick == relay || (!IsRelay(pick) && engines[0] == relay);
    }

    /// <summary>Whether a later engine remains after this one (a create there may give up early and fall back).</summary>
    public static bool HasFallback(IReadOnlyList<string> engines, string engine) =>
        engines.SkipWhile(e => e != engine).Skip(1).Any();

    private static bool IsRelay(string engine) => ModelCatalog.EngineRelay(engine) is not null;
}
