using System.Globalization;

namespace Reelay.Cli.Output;

/// <summary>
/// One live line on the terminal: <c>task 1a2b3c4d: running ━━━━━━────── 42%</c>, redrawn in place as the state changes,
/// and left behind as its final frame (<c>done in 3.2 s ━━━━━━━━━━━━ 100%</c>). The label says the state and the one
/// percentage says how far: never a percentage in the label too. Off a terminal it prints nothing.
/// </summary>
public sealed class ProgressLine(TextWriter? terminal, string prefix) : IDisposable
{
    public const int BarWidth = 24;
    private string? _drawn;
    private bool _finished;

    /// <summary>A line that draws nothing (a pipe, --json).</summary>
    public static ProgressLine None { get; } = new(null, "");

    /// <summary>The frame's text (pure; tests call it): prefix, label, bar, then the percentage, last.</summary>
    public static string Frame(string prefix, string label, double fraction, int columns = 80)
    {
        var clamped = double.IsFinite(fraction) ? Math.Clamp(fraction, 0, 1) : 0;
        var percent = ((int)Math.Floor(clamped * 100)).ToString(CultureInfo.InvariantCulture);
        var head = prefix.Length == 0 ? label : $"{prefix}: {label}";
        // A frame wider than the terminal wraps, and "erase line" would then clear only its last row: shrink the bar.
        var width = Math.Clamp(columns - 1 - head.Length - 6, 8, BarWidth);
        var filled = (int)Math.Round(clamped * width);
        return $"{head} {new string('━', filled)}{new string('─', width - filled)} {percent,3}%";
    }

    private static int Columns()
    {
        try
        {
            return Console.WindowWidth is > 0 and var width ? width : 80;
        }
        catch (IOException)
        {
            return 80;
        }
    }

    public void Show(string label, double fraction)
    {
        if (terminal is null || _finished) return;
        var frame = Frame(prefix, label, fraction, Columns());
        if (frame == _drawn) return;
        _drawn = frame;
        // Carriage return and "erase line": the frame replaces the previous one instead of scrolling.
        terminal.Write("\r\u001b[2K" + frame);
        terminal.Flush();
    }

    /// <summary>Draws the last frame and ends the line, so later output starts below it.</summary>
    public void Finish(string label, double fraction)
    {
        if (terminal is null || _finished) return;
        Show(label, fraction);
        _finished = true;
        terminal.WriteLine();
        terminal.Flush();
    }

    /// <summary>An interrupted line (an exception) still ends, so the error prints on a line of its own.</summary>
    public void Dispose()
    {
        if (terminal is null || _finished || _drawn is null) return;
        _finished = true;
        terminal.WriteLine();
    }

    public static string Seconds(TimeSpan elapsed) => elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";

    public static string Bytes(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => (bytes / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KB",
        _ => (bytes / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture) + " MB",
    };
}
