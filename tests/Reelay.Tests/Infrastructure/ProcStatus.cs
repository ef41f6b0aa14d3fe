namespace Reelay.Tests.Infrastructure;

/// <summary>The server process's memory, from /proc/&lt;pid&gt;/status (Linux).</summary>
public static class ProcStatus
{
    /// <summary>A field such as VmRSS or VmHWM, in bytes.</summary>
    public static long Bytes(int pid, string field)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (!line.StartsWith(field + ":", StringComparison.Ordinal)) continue;
            var value = line[(field.Length + 1)..].Trim();
            return long.Parse(value.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0]) * 1024; // "12345 kB"
        }
        throw new InvalidOperationException($"/proc/{pid}/status has no {field}.");
    }

    /// <summary>Resets VmHWM to the current RSS (clear_refs "5", Linux ≥ 4.0); false when the kernel refuses.</summary>
    public static bool TryResetPeak(int pid)
    {
        try
        {
            File.WriteAllText($"/proc/{pid}/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Samples VmRSS every few milliseconds until disposed: a cross-check of VmHWM, and the fallback when it cannot be reset.</summary>
    public sealed class Sampler : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private long _max;

        public Sampler(int pid) => _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                _max = Math.Max(_max, Bytes(pid, "VmRSS"));
                try { await Task.Delay(5, _stop.Token); } catch (OperationCanceledException) { }
            }
        });

        public long Max => Interlocked.Read(ref _max);

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _loop;
            _stop.Dispose();
        }
    }
}
