using System.Diagnostics;

namespace Reelay.Bench.Api;

/// <summary>
/// A process's CPU time (user + system). CPU time per request is what a read costs the server whatever else the
/// machine runs; requests per second also measure how much of the 2 cores it was given.
/// </summary>
public static class CpuTime
{
    public static TimeSpan Of(int pid)
    {
        using var process = Process.GetProcessById(pid);
        return process.TotalProcessorTime;
    }

    /// <summary>Runs <paramref name="load"/> and returns its result with the process's CPU microseconds per request.</summary>
    public static async Task<(WrkResult Run, double MicrosecondsPerRequest)> PerRequestAsync(int pid, Func<Task<WrkResult>> load)
    {
        var before = Of(pid);
        var run = await load();
        var spent = Of(pid) - before;
        return (run, run.Requests == 0 ? 0 : spent.TotalMicroseconds / run.Requests);
    }
}
