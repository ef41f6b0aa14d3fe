using Reelay.Server.Features.Catalog;
using Reelay.Server.Features.Engines;
using Reelay.Server.Features.Outputs;
using Reelay.Server.Features.Queue;
using Reelay.Server.Features.Tasks;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Workers;

/// <summary>The worker protocol's decisions and its view of a leased task, apart from HTTP.</summary>
public static class WorkerLeases
{
    public const double DefaultWaitSeconds = 20;
    public const double MaxWaitSeconds = 60;
    public static readonly TimeSpan InputUrlLifetime = TimeSpan.FromHours(1);

    /// <summary>Checks a lease request; returns the problem as a sentence, or null.</summary>
    public static (string? Error, string Code) Validate(LeaseRequest body, ModelCatalog catalog)
    {
        if (body.Models is not { Count: > 0 and <= 100 }) return ("'models' must list 1 to 100 model ids this worker serves.", "invalid_request");
        var unknown = body.Models.Where(m => catalog.Find(m) is null).Distinct().ToList();
        if (unknown.Count > 0)
            return ($"Unknown model(s): {string.Join(", ", unknown)}. This server's models: {string.Join(", ", catalog.Models.Select(m => m.Id))}.", "unknown_model");
        // A relayed model's tasks are the relay's: a remote worker rendering one too would make a second generation.
        var relayed = body.Models.Where(m => ModelCatalog.EngineRelay(catalog.Find(m)!.Engine) is not null).Distinct().ToList();
        if (relayed.Count > 0) return ($"Model(s) {string.Join(", ", relayed)} are served by an upstream relay, not by workers.", "unknown_model");
        if (body.WorkerId is { } id && (id.Length is 0 or > 100 || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':' or '/')))
            return ("'workerId' must be 1 to 100 characters of letters, digits, '-', '_', '.', ':' or '/'.", "invalid_request");
        if (body.WaitSeconds is < 0 or > MaxWaitSeconds || body.WaitSeconds is double.NaN)
            return ($"'waitSeconds' must be between 0 and {MaxWaitSeconds}.", "invalid_request");
        return (null, "");
    }

    /// <summary>The signed path of a stored input; the signature covers task, position and expiry.</summary>
    public static string InputPath(OutputSigner signer, string taskId, string position, long expires) =>
        $"/worker/v1/inputs/{taskId}/{position}?expires={expires}&signature={signer.Sign(InputResource(taskId, position), expires)}";

    /// <summary>What an input URL signs: never a bare task id, so an output signature can not open an input or the reverse.</summary>
    public static string InputResource(string taskId, string position) => $"inputs/{taskId}/{position}";

    public static LeasedTask Describe(ClaimedTask task, ModelCatalog catalog, ReelayOptions options, OutputSigner signer, string baseUrl)
    {
        var request = GenerationRequest.FromJson(task.Params);
        var engine = catalog.Find(task.Model)?.Engine ?? "preview";
        var expires = DateTimeOffset.UtcNow.Add(InputUrlLifetime).ToUnixTimeSeconds();
        var simulation = Simulation.FromJson(task.Simulate);
        var lease = options.LeaseDuration.TotalSeconds;
        return new LeasedTask(
            task.Id, task.Model, engine, task.Endpoint, task.Attempts, task.LeaseToken,
            Clock.Iso(task.LeaseExpiresAt), lease, HeartbeatInterval(lease),
            request,
            request.Media.Select(i => new LeasedInput(i.Index, i.Kind, i.Role, i.MediaType, i.Width, i.Height,
                baseUrl + InputPath(signer, task.Id, i.Index.ToString(System.Globalization.CultureInfo.InvariantCulture), expires))).ToList(),
            simulation is { FailureCode: not null } or { DelaySeconds: > 0 } ? new LeasedSimulation(simulation.FailureCode, simulation.DelaySeconds) : null,
            $"{baseUrl}/worker/v1/tasks/{task.Id}/output", EngineRun.OutputExtension(engine, request));
    }

    /// <summary>A third of the lease, at most 10 s: two heartbeats may be lost before the lease runs out.</summary>
    public static double HeartbeatInterval(double leaseSeconds) => Math.Round(Math.Min(10, leaseSeconds / 3), 3);

    /// <summary>Does the uploaded body start like its format: MP4/MOV an ISO BMFF 'ftyp' box, ZIP a local file header? Anything else is refused.</summary>
    public static bool LooksLikeOutput(ReadOnlySpan<byte> head, string extension) => extension switch
    {
        ".zip" => head.Length >= 4 && head[..4].SequenceEqual("PK\u0003\u0004"u8),
        _ => head.Length >= 12 && head[4..8].SequenceEqual("ftyp"u8),
    };
}
