using System.CommandLine;
using Reelay.Cli.Output;
using Reelay.Client;

namespace Reelay.Cli.Commands;

/// <summary>Options every command shares, and the glue that turns a command's work into an exit code.</summary>
public static class Cli
{
    public static readonly Option<string?> BaseUrl = new("--base-url") { Description = "Server URL (default: REELAY_BASE_URL, RUNWAYML_BASE_URL or http://127.0.0.1:8080)", Recursive = true };
    public static readonly Option<string?> ApiKey = new("--api-key") { Description = "API key (default: REELAY_API_SECRET or RUNWAYML_API_SECRET)", Recursive = true };
    public static readonly Option<bool> Json = new("--json") { Description = "Print one JSON document for scripts", Recursive = true };

    // The Runway SDKs' variables work too: the server's banner suggests RUNWAYML_API_SECRET, so one export serves both.
    public static string ServerUrl(ParseResult parse) =>
        (parse.GetValue(BaseUrl) ?? Environment.GetEnvironmentVariable("REELAY_BASE_URL") ?? Environment.GetEnvironmentVariable("RUNWAYML_BASE_URL")
         ?? "http://127.0.0.1:8080").TrimEnd('/');

    /// <summary>--api-key, REELAY_API_SECRET or RUNWAYML_API_SECRET; null when none is set.</summary>
    public static string? Key(ParseResult parse) =>
        parse.GetValue(ApiKey) ?? Environment.GetEnvironmentVariable("REELAY_API_SECRET") ?? Environment.GetEnvironmentVariable("RUNWAYML_API_SECRET");

    public static ReelayClient Client(ParseResult parse) => new(Key(parse), ServerUrl(parse));

    /// <summary>Runs a command body; any error becomes a message on stderr (or JSON) and its documented exit code.</summary>
    public static void Action(this Command command, Func<ParseResult, CliConsole, CancellationToken, Task<int>> body) =>
        command.SetAction(async (parse, cancellationToken) =>
        {
            var console = new CliConsole(parse.GetValue(Json));
            try
            {
                return await body(parse, console, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                console.Error("cancelled");
                return 130;
            }
            catch (Exception ex)
            {
                return console.Fail(ex);
            }
        });

    public static string Credits(long credits) => credits.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
}
