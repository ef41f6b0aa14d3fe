using Reelay.Server.Features.Engines;

namespace Reelay.Server.Features.Relays;

/// <summary>Pure: how an upstream's answer ends our task (code and text); the ledger's charge rule follows the code.</summary>
public static class RelayFailures
{
    /// <summary>An upstream FAILED passes through: its code when it has a code's shape, and its own text.</summary>
    public static (string Code, string Text) Failed(string? code, string? text)
    {
        var ours = code is not null && Simulation.IsFailureCode(code) ? code : "INTERNAL";
        return (ours, string.IsNullOrWhiteSpace(text) ? Simulation.FailureText(ours) : text);
    }

    /// <summary>
    /// A create the upstream refused for good. A 400 our validation missed is about an input (ASSET.INVALID) when an
    /// issue points at one of the task's media fields or the message speaks of one; otherwise INTERNAL. Either way the
    /// text is the upstream's message. A refused key is the operator's problem and is said without the key.
    /// </summary>
    public static (string Code, string Text) Refused(int status, string? message, IReadOnlyList<string> issuePaths, IReadOnlyCollection<string> mediaPaths)
    {
        if (status is 401 or 403) return ("INTERNAL", "The upstream provider refused this server's credentials. Please contact the operator.");
        var roots = mediaPaths.Select(p => p.Split('.')[0]).ToHashSet();
        var text = string.IsNullOrWhiteSpace(message) ? Simulation.FailureText("INTERNAL") : message;
        var aboutMedia = issuePaths.Any(p => roots.Contains(p.Split('.')[0]))
            || (issuePaths.Count == 0 && roots.Count > 0 && (text.Contains("asset", StringComparison.OrdinalIgnoreCase) || text.Contains("image", StringComparison.OrdinalIgnoreCase) || text.Contains("video", StringComparison.OrdinalIgnoreCase)));
        return (status is 400 or 422 && aboutMedia ? "ASSET.INVALID" : "INTERNAL", text);
    }

    public static (string Code, string Text) Unavailable() => ("THIRD_PARTY.UNAVAILABLE", Simulation.FailureText("THIRD_PARTY.UNAVAILABLE"));

    /// <summary>The upstream task vanished or was cancelled there, not by us: nothing to copy, nothing to charge.</summary>
    public static (string Code, string Text) Lost() => ("INTERNAL", "The upstream provider lost the task. Please try again.");
}
