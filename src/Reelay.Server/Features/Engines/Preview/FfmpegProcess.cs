using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace Reelay.Server.Features.Engines.Preview;

/// <summary>The outcome of one ffmpeg run that was not cancelled.</summary>
internal sealed record FfmpegResult(int ExitCode, IReadOnlyList<string> StderrTail);

/// <summary>
/// Runs one ffmpeg process with an argument list (never a shell string), pumping stdout and
/// stderr concurrently so neither pipe can fill up and deadlock the child.
/// </summary>
internal static class FfmpegProcess
{
    /// <summary>How many trailing stderr lines are kept for error messages.</summary>
    public const int StderrTailLines = 20;

    /// <summary>
    /// Starts <paramref name="ffmpegPath"/> with <paramref name="arguments"/>, hands every stdout line to
    /// <paramref name="onStdoutLine"/> and waits for the process to exit. Cancellation kills the whole
    /// process tree, waits for it to be gone and then throws <see cref="OperationCanceledException"/>.
    /// If <paramref name="onStdoutLine"/> throws, the process is killed and the exception propagates.
    /// </summary>
    public static async Task<FfmpegResult> RunAsync(
        string ffmpegPath,
        IEnumerable<string> arguments,
        Action<string> onStdoutLine,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();

        var startInfo = new ProcessStartInfo(ffmpegPath)
        {
            UseShellExecute = false,
            CreateNoWindow = true,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = new Process { StartInfo = startInfo };
        try
        {
            if (!process.Start())
            {
                throw new PreviewRenderException($"Could not start ffmpeg ('{ffmpegPath}').");
            }
        }
        catch (Exception ex) when (ex is Win32Exception or InvalidOperationException or PlatformNotSupportedException)
        {
            throw new PreviewRenderException($"Could not start ffmpeg ('{ffmpegPath}'): {ex.Message}");
        }

        // ffmpeg also gets -nostdin; closing our end means it can never wait on us.
        try
        {
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The process may already have exited; nothing to close.
        }

        var stderrTail = new Queue<string>(StderrTailLines + 1);
        var stdoutTask = PumpStdoutAsync(process, onStdoutLine);
        var stderrTask = PumpStderrAsync(process.StandardError, stderrTail);

        using (cancellationToken.Register(static state => KillTree((Process)state!), process))
        {
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            await Task.WhenAll(stdoutTask, stderrTask).ConfigureAwait(false);
        }

        cancellationToken.ThrowIfCancellationRequested();
        return new FfmpegResult(process.ExitCode, stderrTail.ToArray());
    }

    private static async Task PumpStdoutAsync(Process process, Action<string> onLine)
    {
        var reader = process.StandardOutput;
        try
        {
            while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                onLine(line);
            }
        }
        catch
        {
            // Stop the child before propagating: nobody reads its stdout any more.
            KillTree(process);
            throw;
        }
    }

    private static async Task PumpStderrAsync(StreamReader reader, Queue<string> tail)
    {
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            tail.Enqueue(line);
            if (tail.Count > StderrTailLines)
            {
                tail.Dequeue();
            }
        }
    }

    private static void KillTree(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or Win32Exception or NotSupportedException)
        {
            // Already exited (or exiting): nothing left to kill.
        }
    }
}
