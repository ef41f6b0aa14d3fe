using Reelay.Server.Features.Tasks;

namespace Reelay.Server.Features.Workers;

// The worker protocol's request and response bodies (camelCase JSON). README "Writing a worker" explains them.

/// <summary>POST /worker/v1/lease: which models this worker serves, and how long to wait for one of their tasks.</summary>
public sealed record LeaseRequest(string? WorkerId, List<string>? Models, double? WaitSeconds);

/// <summary>A leased task: everything a worker needs to produce its output, and the lease that fences its answers.</summary>
public sealed record LeasedTask(
    string Id,
    string Model,
    string Engine,
    string Endpoint,
    long Attempt,
    string LeaseToken,
    string LeaseExpiresAt,
    double LeaseSeconds,
    double HeartbeatIntervalSeconds,
    GenerationRequest Request,
    List<LeasedInput> Inputs,
    LeasedSimulation? Simulate,
    string OutputUploadUrl,
    string OutputExtension);

/// <summary>
/// A stored input, the request's media input <c>Index</c> (its "input:N" in the options) with a signed, expiring Url.
/// </summary>
public sealed record LeasedInput(int Index, string Kind, string Role, string MediaType, int Width, int Height, string Url);

/// <summary>The sandbox's X-Reelay-Simulate instructions, which a worker honours like the built-in engines.</summary>
public sealed record LeasedSimulation(string? FailureCode, double DelaySeconds);

public sealed record HeartbeatRequest(string? LeaseToken, double? Progress);

/// <summary>Cancelled true: the task's owner cancelled or deleted it; stop and send nothing more.</summary>
public sealed record HeartbeatResponse(bool Cancelled, string? LeaseExpiresAt);

public sealed record LeaseTokenRequest(string? LeaseToken);

public sealed record FailRequest(string? LeaseToken, string? FailureCode, string? Failure);

/// <summary>The task's state after complete or fail ("SUCCEEDED", "FAILED").</summary>
public sealed record FinishResponse(string Id, string Status);

/// <summary>Every error of the worker protocol: a sentence for people and a stable code for programs.</summary>
public sealed record WorkerError(string Error, string Code);
