using System.Diagnostics;
using System.Text;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Cli;

/// <summary>
/// What a person sees after a program wrote to their terminal: carriage returns go back to the line's start, "erase
/// line" (ESC [2K) clears it, newlines move down, other escape sequences (cursor modes) draw nothing.
/// </summary>
public static class TerminalScreen
{
    public static IReadOnlyList<string> Lines(string raw)
    {
        var lines = new List<string>();
        var line = new StringBuilder();
        var column = 0;
        for (var i = 0; i < raw.Length; i++)
        {
            var c = raw[i];
            if (c == '\u001b')
            {
                var end = i + 1;
                if (end < raw.Length && raw[end] == '[')
                {
                    end++;
                    while (end < raw.Length && !char.IsAsciiLetter(raw[end])) end++;
                    if (raw.AsSpan(i, Math.Min(end + 1, raw.Length) - i).SequenceEqual("\u001b[2K")) { line.Clear(); column = 0; }
                }
                i = end; // ESC= and the like: one character after ESC
                continue;
            }
            switch (c)
            {
                case '\r': column = 0; break;
                case '\n':
                    lines.Add(line.ToString().TrimEnd());
                    line.Clear();
                    column = 0;
                    break;
                default:
                    if (column < line.Length) line[column] = c;
                    else line.Append(c);
                    column++;
                    break;
            }
        }
        if (line.Length > 0) lines.Add(line.ToString().TrimEnd());
        return lines;
    }

    /// <summary>Runs a shell command under a pseudo-terminal (util-linux `script`, in every Debian), as a person at a terminal would.</summary>
    public static async Task<CliRunner.Result> RunAsync(string command, IDictionary<string, string?> env, string directory)
    {
        Assert.True(File.Exists("/usr/bin/script"), "util-linux script is needed to provide a terminal");
        var info = new ProcessStartInfo("/usr/bin/script") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = directory };
        foreach (var a in new[] { "-qfec", command, "/dev/null" }) info.ArgumentList.Add(a);
        foreach (var name in new[] { "REELAY_BASE_URL", "REELAY_API_SECRET", "REELAY_ADMIN_TOKEN", "RUNWAYML_API_SECRET", "RUNWAYML_BASE_URL" }) info.Environment.Remove(name);
        foreach (var (k, v) in env) info.Environment[k] = v;
        info.Environment["TERM"] = "xterm-256color";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(cts.Token);
        return new CliRunner.Result(process.ExitCode, await stdout, await stderr);
    }

    public static string Reelay(string arguments) => $"dotnet {TestPaths.CliDll} {arguments}";
}
