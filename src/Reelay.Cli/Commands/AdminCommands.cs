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
        orgCreate.Action((p, c, ct) => CallAsync(p, c, HttpMethod.Post, "/admin/v1/organizations", new { name = p.GetValue(name), credits = p.GetValue(credits) }, ct, (console, org) =>
        {
            console.Line($"created organization {S(org, "name")} ({S(org, "id")}) with {Cli.Credits(org.GetProperty("creditBalance").GetInt64())} credits");
            console.Line($"next: reelay admin keys create {S(org, "id")}");
        }));
        var orgId = new Argument<string>("organization-id");
        var orgGet = new Command("get", "Show an organization, its balance and limits") { orgId };
        orgGet.Action((p, c, ct) => CallAsync(p, c, HttpMethod.Get, $"/admin/v1/organizations/{p.GetValue(orgId)}", null, ct, PrintOrganization));
        var suspend = new Command("suspend", "Suspend an organization: its keys stop working") { orgId };
        suspend.Action((p, c, ct) => CallAsync(p, c, HttpMethod.Post, $"/admin/v1/organizations/{p.GetValue(orgId)}/suspend", null, ct,
            (console, org) => console.Line($"organization {S(org, "name")} ({S(org, "id")}) suspended: its keys stop working")));
        var unsuspend = new Command("unsuspend", "Lift a suspension") { orgId };
        unsuspend.Action((p, c, ct) => CallAsync(p, c, HttpMethod.Post, $"/admin/v1/organizations/{p.GetValue(orgId)}/unsuspend", null, ct,
            (console, org) => console.Line($"organization {S(org, "name")} ({S(org, "id")}) is active again")));
        admin.Subcommands.Add(new Command("orgs", "Organizations") { orgCreate, orgGet, suspend, unsuspend });

        var keyName = new Option<string>("--name") { Description = "A name for the key", DefaultValueFactory = _ => "cli" };
        var keyCreate = new Command("create", "Create an API key (shown once)") { orgId, keyName };
        keyCreate.Action((p, c, ct) => CallAsync(p, c, HttpMethod.Post, $"/admin/v1/organizations/{p.GetValue(orgId)}/keys", new { name = p.GetValue(keyName) }, ct, (console, key) =>
        {
            console.Line($"created key {S(key, "name")} (id {S(key, "id")}) for {S(key, "organizationId")}; it is shown only now:");
            console.Line($"export RUNWAYML_API_SECRET={S(key, "key")}");
        }));
        var keyId = new Argument<string>("key-id");
        var keyDisable = new Command("disable", "Disable an API key") { keyId };
        keyDisable.Action((p, c, ct) => CallAsync(p, c, HttpMethod.Post, $"/admin/v1/keys/{p.GetValue(keyId)}/disable", null, ct,
            (console, key) => console.Line($"key {S(key, "id")} disabled")));
        admin.Subcommands.Add(new Command("keys", "API keys") { keyCreate, keyDisable });

        var amount = new Option<long>("--credits") { Description = "Credits to add (negative to deduct)", Required = true };
        var reason = new Option<string?>("--reason") { Description = "Why (kept in the ledger)" };
        var grant = new Command("grant", "Grant credits to an organization") { orgId, amount, reason };
        grant.Action((p, c, ct) => CallAsync(p, c, HttpMethod.Post, $"/admin/v1/organizations/{p.GetValue(orgId)}/credits", new { credits = p.GetValue(amount), reason = p.GetValue(reason) }, ct,
            (console, result) => console.Line($"{(p.GetValue(amount) < 0 ? "deducted" : "granted")} {Cli.Credits(Math.Abs(p.GetValue(amount)))} credits: {S(result, "organizationId")} now has {Cli.Credits(result.GetProperty("creditBalance").GetInt64())} credits")));
        admin.Subcommands.Add(new Command("credits", "Credits") { grant });

        var model = new Option<string>("--model") { Description = "Model id, e.g. gen4.5", Required = true };
        var concurrent = new Option<int?>("--max-concurrent") { Description = "maxConcurrentGenerations" };
        var daily = new Option<int?>("--max-daily") { Description = "maxDailyGenerations" };
        var limits = new Command("set", "Set an organization's per-model limits") { orgId, model, concurrent, daily };
        limits.Action((p, c, ct) => CallAsync(p, c, HttpMethod.Put, $"/admin/v1/organizations/{p.GetValue(orgId)}/limits",
            new { models = new Dictionary<string, object?> { [p.GetValue(model)!] = new { maxConcurrentGenerations = p.GetValue(concurrent), maxDailyGenerations = p.GetValue(daily) } } }, ct,
            (console, org) => console.Line(org.GetProperty("limits").TryGetProperty(p.GetValue(model)!, out var set)
                ? $"{p.GetValue(model)} on {S(org, "id")}: {set.GetProperty("maxConcurrentGenerations")} concurrent, {set.GetProperty("maxDailyGenerations")} a day"
                : $"limits of {S(org, "id")} updated")));
        admin.Subcommands.Add(new Command("limits", "Per-model limits") { limits });
        return admin;
    }

    /// <summary>One admin call: with --json the answer as sent (what operators script against), else a sentence or a table.</summary>
    private static async Task<int> CallAsync(ParseResult parse, CliConsole console, HttpMethod method, string path, object? body, CancellationToken cancellationToken,
        Action<CliConsole, JsonElement> print)
    {
        var token = parse.GetValue(Token) ?? Environment.GetEnvironmentVariable("REELAY_ADMIN_TOKEN")
            ?? throw new UsageException("No admin token: pass --admin-token or set REELAY_ADMIN_TOKEN (the server's Admin:Token).");
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
            throw new RemoteError((int)response.StatusCode, $"{message} ({(int)response.StatusCode})");
        }
        if (console.Json) console.WriteJson(document.RootElement);
        else print(console, document.RootElement);
        return ExitCodes.Success;
    }

    private static void PrintOrganization(CliConsole console, JsonElement org)
    {
        console.Line($"{S(org, "name")} ({S(org, "id")}), {(org.GetProperty("suspended").GetBoolean() ? "suspended" : "active")}, created {S(org, "createdAt")}");
        console.Line($"balance: {Cli.Credits(org.GetProperty("creditBalance").GetInt64())} credits");
        console.Table(["model", "max concurrent", "max daily"], org.GetProperty("limits").EnumerateObject().Select(m => (IReadOnlyList<string>)
            [m.Name, m.Value.GetProperty("maxConcurrentGenerations").ToString(), m.Value.GetProperty("maxDailyGenerations").ToString()]));
    }

    private static string S(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() ?? "" : "";
}
