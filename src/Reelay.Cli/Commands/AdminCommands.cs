using System.CommandLine;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Reelay.Cli.Output;

namespace Reelay.Cli.Commands;

/// <summary>`reelay admin …`: organizations, keys, credits and limits through the admin API.</summary>
public static class AdminCommands
{
    private static readonly Option<string?> Token = new("--admin-token") { Description = "The server's Admin:Token (default: REELAY_ADMIN_TOKEN)", Recursive = true };

    public static Command Create()
    {
        var admin = new Command("admin", "Administer organizations, keys, credits and limits (needs the server's Admin:Token)") { Token };

        var name = new Option<string>("--name") { Description = "Name", Required = true };
        var credits = new Option<long>("--credits") { Description = "Credits (1 credit = USD 0.01)" };
        var orgCreate = new Command("create", "Create an organization") { name, credits };
        orgCreate.Action((p, c, ct) => CallAsync(p, c, HttpMethod.Post, "/admin/v1/organizations", new { name = p.GetValue(name), credits = p.GetValue(credits) }, ct));
        var orgId = new Argument<string>("organization-id");
        var orgGet = new Command("get", "Show an organization, its balance and limits") { orgId };
        orgGet.Action((p, c, ct) => CallAsync(p, c, HttpMethod.Get, $"/admin/v1/organizations/{p.GetValue(orgId)}", null, ct));
        var suspend = new Command("suspend", "Suspend an organization: its keys stop working") { orgId };
        suspend.Action((p, c, ct) => CallAsync(p, c, HttpMethod.Post, $"/admin/v1/organizations/{p.GetValue(orgId)}/suspend", null, ct));
        var unsuspend = new Command("unsuspend", "Lift a suspension") { orgId };
        unsuspend.Action((p, c, ct) => CallAsync(p, c, HttpMethod.Post, $"/admin/v1/organizations/{p.GetValue(orgId)}/unsuspend", null, ct));
        admin.Subcommands.Add(new Command("orgs", "Organizations") { orgCreate, orgGet, suspend, unsuspend });

        var keyName = new Option<string>("--name") { Description = "A name for the key", DefaultValueFactory = _ => "cli" };
        var keyCreate = new Command("create", "Create an API key (shown once)") { orgId, keyName };
        keyCreate.Action((p, c, ct) => CallAsync(p, c, HttpMethod.Post, $"/admin/v1/organizations/{p.GetValue(orgId)}/keys", new { name = p.GetValue(keyName) }, ct));
        var keyId = new Argument<string>("key-id");
        var keyDisable = new Command("disable", "Disable an API key") { keyId };
        keyDisable.Action((p, c, ct) => CallAsync(p, c, HttpMethod.Post, $"/admin/v1/keys/{p.GetValue(keyId)}/disable", null, ct));
        admin.Subcommands.Add(new Command("keys", "API keys") { keyCreate, keyDisable });

        var amount = new Option<long>("--credits") { Description = "Credits to add (negative to deduct)", Required = true };
        var reason = new Option<string?>("--reason") { Description = "Why (kept in the ledger)" };
        var grant = new Command("grant", "Grant credits to an organization") { orgId, amount, reason };
        grant.Action((p, c, ct) => CallAsync(p, c, HttpMethod.Post, $"/admin/v1/organizations/{p.GetValue(orgId)}/credits", new { credits = p.GetValue(amount), reason = p.GetValue(reason) }, ct));
        admin.Subcommands.Add(new Command("credits", "Credits") { grant });

        var model = new Option<string>("--model") { Description = "Model id, e.g. gen4.5", Required = true };
        var concurrent = new Option<int?>("--max-concurrent") { Description = "maxConcurrentGenerations" };
        var daily = new Option<int?>("--max-daily") { Description = "maxDailyGenerations" };
        var limits = new Command("set", "Set an organization's per-model limits") { orgId, model, concurrent, daily };
        limits.Action((p, c, ct) => CallAsync(p, c, HttpMethod.Put, $"/admin/v1/organizations/{p.GetValue(orgId)}/limits",
            new { models = new Dictionary<string, object?> { [p.GetValue(model)!] = new { maxConcurrentGenerations = p.GetValue(concurrent), maxDailyGenerations = p.GetValue(daily) } } }, ct));
        admin.Subcommands.Add(new Command("limits", "Per-model limits") { limits });
        return admin;
    }

    /// <summary>One admin call; the answer is printed as JSON (it is what operators script against) or as key: value lines.</summary>
    private static async Task<int> CallAsync(ParseResult parse, CliConsole console, HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        var token = parse.GetValue(Token) ?? Environment.GetEnvironmentVariable("REELAY_ADMIN_TOKEN")
            ?? throw new ArgumentException("No admin token: pass --admin-token or set REELAY_ADMIN_TOKEN.");
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(method, Cli.ServerUrl(parse) + path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null) request.Content = JsonContent.Create(body);
        using var response = await http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        using var document = JsonDocument.Parse(text.Length == 0 ? "{}" : text);
        if (!response.IsSuccessStatusCode)
        {
            var message = document.RootElement.TryGetProperty("error", out var e) ? e.GetString() : text;
            console.Error($"error: {message} ({(int)response.StatusCode})");
            return (int)response.StatusCode >= 500 ? ExitCodes.ServerError : ExitCodes.RequestRejected;
        }
        if (console.Json) console.WriteJson(document.RootElement);
        else foreach (var property in document.RootElement.EnumerateObject()) console.Line($"{property.Name}: {property.Value}");
        return ExitCodes.Success;
    }
}
