using System.Text.Encodings.Web;
using System.Text.Json;
using Reelay.Client;
using Spectre.Console;

namespace Reelay.Cli.Output;

/// <summary>
/// Everything the CLI prints. On a terminal: colour, tables and live progress. In a pipe: plain
/// aligned text and no progress bars. With --json: exactly one JSON document on stdout.
/// </summary>
public sealed class CliConsole(bool json)
{
    // Relaxed escaping: a script reading stdout gets "a & b" and "<", not "a \u0026 b"; JSON stays valid either way.
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public bool Json { get; } = json;
    public bool IsTerminal { get; } = !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("TERM") is not "dumb";

    /// <summary>Progress goes to stderr, and only when stderr is a terminal and no JSON was asked for: stdout stays the result.</summary>
    public ProgressLine Progress(string prefix) =>
        !Json && !Console.IsErrorRedirected && Environment.GetEnvironmentVariable("TERM") is not "dumb" ? new ProgressLine(Console.Error, prefix) : ProgressLine.None;

    public void WriteJson(object value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, JsonOptions));

    public void Line(string text) => Console.Out.WriteLine(text);

    public void Error(string text) => Console.Error.WriteLine(text);

    /// <summary>A table: Spectre's box drawing on a terminal, tab-free aligned columns in a pipe.</summary>
    public void Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var data = rows.ToList();
        if (IsTerminal)
        {
            var table = new Table().Border(TableBorder.Rounded);
            foreach (var header in headers) table.AddColumn(Markup.Escape(header));
            foreach (var row in data) table.AddRow(row.Select(cell => new Markup(Markup.Escape(cell))).ToArray());
            AnsiConsole.Write(table);
            return;
        }
        var widths = headers.Select((h, i) => Math.Max(h.Length, data.Count == 0 ? 0 : data.Max(r => r[i].Length))).ToList();
        Console.Out.WriteLine(string.Join("  ", headers.Select((h, i) => h.PadRight(widths[i]))).TrimEnd());
        foreach (var row in data) Console.Out.WriteLine(string.Join("  ", row.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
    }

    /// <summary>Prints an API error the way a developer needs it: message, each issue as path → message, request id.</summary>
    public int Fail(Exception exception)
    {
        var (code, lines) = Describe(exception);
        if (Json) WriteJson(new { error = lines[0], details = lines.Skip(1).ToList(), exitCode = code });
        else
        {
            Error((IsTerminal ? "\u001b[31merror:\u001b[0m " : "error: ") + lines[0]);
            foreach (var line in lines.Skip(1)) Error("  " + line);
        }
        return code;
    }

    public static (int Code, List<string> Lines) Describe(Exception exception) => exception switch
    {
        BadRequestException bad => (ExitCodes.RequestRejected, [bad.Error ?? bad.Message, .. bad.Issues.Select(i => $"{i.PathText}: {i.Message} ({i.Code})"), .. RequestId(bad)]),
        TaskFailedException failed => (ExitCodes.TaskFailed, [$"task {failed.TaskId} {failed.Task.RawStatus.ToLowerInvariant()}: {failed.Failure ?? "cancelled"}", .. failed.FailureCode is null ? Array.Empty<string>() : [$"failureCode: {failed.FailureCode}"]]),
        TaskTimedOutException timedOut => (ExitCodes.TimedOut, [$"task {timedOut.TaskId} did not finish within {timedOut.Timeout.TotalSeconds:0} s (last status {timedOut.Task.RawStatus})"]),
        ApiTimeoutException timeout => (ExitCodes.Unreachable, [timeout.Message]),
        ApiConnectionException connection => (ExitCodes.Unreachable, [connection.Message]),
        InternalServerException or ServiceUnavailableException => (ExitCodes.ServerError, [((ApiException)exception).Error ?? exception.Message, .. RequestId((ApiException)exception)]),
        ApiException api => (ExitCodes.RequestRejected, [api.Error ?? api.Message, .. RequestId(api)]),
        HttpRequestException http => (ExitCodes.Unreachable, [http.Message]),
        Commands.RemoteError remote => (remote.Status >= 500 ? ExitCodes.ServerError : ExitCodes.RequestRejected, [.. remote.Message.Split("\n  ")]),
        Worker.WorkerProtocolException refused => (refused.Status >= 500 ? ExitCodes.ServerError : ExitCodes.RequestRejected, [refused.Message]),
        UsageException usage => (ExitCodes.Usage, [usage.Message]),
        // The message without .NET's " (Parameter 'apiKey')": the CLI names the option or variable itself.
        ArgumentException argument => (ExitCodes.Usage, [argument.ParamName is { } name ? argument.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : argument.Message]),
        InvalidOperationException or IOException => (ExitCodes.Usage, [exception.Message]),
        _ => (ExitCodes.ServerError, [exception.Message]),
    };

    private static IEnumerable<string> RequestId(ApiException api) => api.RequestId is null ? [] : [$"request id: {api.RequestId}"];
}

/// <summary>A mistake in how the command was called (a missing file, a malformed key): exit code 1, message as is.</summary>
public sealed class UsageException(string message) : Exception(message);
