using System.Globalization;

namespace Reelay.Bench.Api;

/// <summary>
/// A process's CPU time (user + system) from /proc/&lt;pid&gt;/stat. CPU time per request is what a read costs the
/// server whatever else the machine runs; requests per second also measure how much of the 2 cores it was given.
/// </summary>
public static class CpuTime
{
    public static TimeSpan Of(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // The fields after the command name, which is in parentheses and may hold spaces: state is field 3, utime 14, stime 15.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / (double)ClockTicksPerSecond);
    }

    /// <summary>USER_HZ: 100 on every Linux architecture .NET runs on.</summary>
    private const int ClockTicksPerSecond = 100;

    /// <summary>Runs <paramref name="load"/> and returns its result with the process's CPU microseconds per request.</summary>
    public static async Task<(WrkResult Run, double MicrosecondsPerRequest)> PerRequestAsync(int pid, Func<Task<WrkResult>> load)
    {
        var before = Of(pid);
        var run = await load();
        var spent = Of(pid) - before;
        return (run, run.Requests == 0 ? 0 : spent.TotalMicroseconds / run.Requests);
    }
}
