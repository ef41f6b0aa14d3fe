using System.Diagnostics;
using Reelay.Cli.Output;

namespace Reelay.Cli.Commands;

/// <summary>Saves a task's outputs, with a progress line on a terminal; a file appears only once complete.</summary>
public static class Downloads
{
    /// <summary>
    /// Where each output goes: --out for the first (numbered -2, -3… for the rest), else the task id; the extension
    /// comes from the output URL (.mp4, .png, .mp3…) when --out has none (pure).
    /// </summary>
    public static IReadOnlyList<string> Paths(string taskId, IReadOnlyList<string> outputs, string? requested) =>
        outputs.Select((url, i) =>
        {
            var extension = Uri.TryCreate(url, UriKind.Absolute, out var uri) && Path.GetExtension(uri.AbsolutePath) is { Length: > 1 } e ? e : ".mp4";
            var path = requested ?? taskId + extension;
            if (Path.GetExtension(path).Length == 0) path += extension;
            return i == 0 ? path : Path.Combine(Path.GetDirectoryName(path) ?? "", $"{Path.GetFileNameWithoutExtension(path)}-{i + 1}{Path.GetExtension(path)}");
        }).ToList();

    public static async Task<IReadOnlyList<string>> SaveAllAsync(CliConsole console, string taskId, IReadOnlyList<string> outputs, string? requested, CancellationToken cancellationToken)
    {
        var paths = Paths(taskId, outputs, requested);
        for (var i = 0; i < outputs.Count; i++) await SaveAsync(console, outputs[i], paths[i], cancellationToken);
        return paths;
    }

    public static async Task SaveAsync(CliConsole console, string url, string path, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
        using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new RemoteError((int)response.StatusCode, $"downloading the output failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        var total = response.Content.Headers.ContentLength;
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var partial = full + ".part";
        var clock = Stopwatch.StartNew();
        using var line = console.Progress(Path.GetFileName(path));
        long copied = 0, drawnAt = -1000;
        await using (var body = await response.Content.ReadAsStreamAsync(cancellationToken))
        await using (var file = File.Create(partial))
        {
            var buffer = new byte[81920];
            int read;
            while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                copied += read;
                if (clock.ElapsedMilliseconds - drawnAt < 100) continue; // a redraw per 80 KB would flood a slow terminal
                drawnAt = clock.ElapsedMilliseconds;
                line.Show(total is > 0 ? $"downloading {ProgressLine.Bytes(copied)} of {ProgressLine.Bytes(total.Value)}" : $"downloading {ProgressLine.Bytes(copied)}", total is > 0 ? (double)copied / total.Value : 0);
            }
        }
        File.Move(partial, full, overwrite: true);
        line.Finish($"downloaded {ProgressLine.Bytes(copied)} in {ProgressLine.Seconds(clock.Elapsed)}", 1);
    }
}
