using System.CommandLine;
using System.Net.Http.Headers;
using System.Text.Json;
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

    /// <summary>--api-key, REELAY_API_SECRET or RUNWAYML_API_SECRET, with where it came from; null when none is set.</summary>
    private static (string Key, string Source)? KeyWithSource(ParseResult parse) =>
        parse.GetValue(ApiKey) is { } given ? (given, "--api-key")
        : Environment.GetEnvironmentVariable("REELAY_API_SECRET") is { Length: > 0 } reelay ? (reelay, "REELAY_API_SECRET")
        : Environment.GetEnvironmentVariable("RUNWAYML_API_SECRET") is { Length: > 0 } runway ? (runway, "RUNWAYML_API_SECRET")
        : null;

    public static string? Key(ParseResult parse) => KeyWithSource(parse)?.Key;

    /// <summary>The key, or a usage error that says how to provide one (the SDK's own wording names its constructor).</summary>
    public static string RequireKey(ParseResult parse) => Key(parse)
        ?? throw new UsageException("No API key: pass --api-key or set RUNWAYML_API_SECRET (the server prints a ready-to-paste export line when it first starts).");

    /// <summary>A client on the shared options; a malformed key or URL is a usage error naming the option or variable it came from.</summary>
    public static ReelayClient Client(ParseResult parse, HttpMessageHandler? handler = null)
    {
        var (key, source) = KeyWithSource(parse) ?? (RequireKey(parse), "");
        try
        {
            return new ReelayClient(key, ServerUrl(parse), handler is null ? null : new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan });
        }
        catch (ArgumentException ex) when (ex.ParamName == "apiKey")
        {
            throw new UsageException($"{source}: {ex.Message.Replace(" (Parameter 'apiKey')", "", StringComparison.Ordinal)}");
        }
        catch (ArgumentException ex) when (ex.ParamName == "baseUrl")
        {
            throw new UsageException(ex.Message.Replace(" (Parameter 'baseUrl')", "", StringComparison.Ordinal));
        }
    }

    /// <summary>
    /// An input given on the command line: an https/http/data/runway URI is sent as is, anything else is a local file,
    /// uploaded first (so a typo reads "file not found", not "Invalid URL").
    /// </summary>
    public static async Task<string> MediaUriAsync(ReelayClient client, string option, string source, CancellationToken cancellationToken)
    {
        if (IsUri(source)) return source;
        if (!File.Exists(source)) throw new UsageException($"{option}: file not found: {source}");
        return await client.UploadFileAsync(source, cancellationToken: cancellationToken);
    }

    public static bool IsUri(string source) =>
        Uri.TryCreate(source, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http" or "data" or "runway";

    /// <summary>A GET of one of Reelay's own JSON routes (history, task list) with the key; errors as the typed client throws them.</summary>
    public static async Task<JsonDocument> GetJsonAsync(ParseResult parse, string pathAndQuery, CancellationToken cancellationToken)
    {
        var key = RequireKey(parse);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        using var request = new HttpRequestMessage(HttpMethod.Get, ServerUrl(parse) + pathAndQuery);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        request.Headers.Add("X-Runway-Version", "2024-11-06");
        using var response = await http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.IsSuccessStatusCode) return JsonDocument.Parse(text);
        string message = text;
        var issues = new List<string>();
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String) message = e.GetString()!;
            if (document.RootElement.TryGetProperty("issues", out var list) && list.ValueKind == JsonValueKind.Array)
                issues.AddRange(list.EnumerateArray().Select(i => $"{string.Join('.', i.GetProperty("path").EnumerateArray())}: {i.GetProperty("message").GetString()}"));
        }
        catch (JsonException)
        {
            // not JSON: the text is the message
        }
        throw new RemoteError((int)response.StatusCode, string.Join("\n  ", [message, .. issues]));
    }

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

/// <summary>An error answer from one of Reelay's own routes (the typed client covers the Runway ones).</summary>
public sealed class RemoteError(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}
