using System.CommandLine;
using Reelay.Cli.Output;
using Reelay.Client;

namespace Reelay.Cli.Commands;

/// <summary>`reelay balance` and `reelay usage`.</summary>
public static class AccountCommands
{
    public static Command Balance()
    {
        var command = new Command("balance", "Credit balance, per-model limits and today's usage");
        command.Action(async (parse, console, ct) =>
        {
            using var client = Cli.Client(parse);
            var org = await client.GetOrganizationAsync(cancellationToken: ct);
            if (console.Json)
            {
                console.WriteJson(org);
                return ExitCodes.Success;
            }
            console.Line($"balance: {Cli.Credits(org.CreditBalance)} credits (USD {org.CreditBalance / 100m:0.00})");
            console.Table(["model", "max concurrent", "max daily", "used in 24 h"], org.Tier.Models.Select(m => (IReadOnlyList<string>)
            [
                m.Key, m.Value.MaxConcurrentGenerations.ToString(), m.Value.MaxDailyGenerations.ToString(),
                (org.Usage.Models.TryGetValue(m.Key, out var used) ? used.DailyGenerations : 0).ToString(),
            ]));
            return ExitCodes.Success;
        });
        return command;
    }

    public static Command Usage()
    {
        var start = new Option<DateOnly?>("--start") { Description = "First day (YYYY-MM-DD, UTC)" };
        var before = new Option<DateOnly?>("--before") { Description = "Day after the last (YYYY-MM-DD, exclusive)" };
        var all = new Option<bool>("--all-days") { Description = "Also list days without usage" };
        var command = new Command("usage", "Credits charged per day and model (default: the last 30 days)") { start, before, all };
        command.Action(async (parse, console, ct) =>
        {
            using var client = Cli.Client(parse);
            var usage = await client.GetUsageAsync(new UsageRequest { StartDate = parse.GetValue(start), BeforeDate = parse.GetValue(before) }, cancellationToken: ct);
            if (console.Json)
            {
                console.WriteJson(usage);
                return ExitCodes.Success;
            }
            var days = usage.Results.Where(d => parse.GetValue(all) || d.UsedCredits.Count > 0).ToList();
            console.Table(["date", .. usage.Models, "total"], days.Select(d => (IReadOnlyList<string>)
            [
                d.Date.ToString("yyyy-MM-dd"),
                .. usage.Models.Select(m => Cli.Credits(d.UsedCredits.Where(u => u.Model == m).Sum(u => u.Amount))),
                Cli.Credits(d.UsedCredits.Sum(u => u.Amount)),
            ]));
            if (days.Count == 0) console.Line("no credits charged in this period");
            return ExitCodes.Success;
        });
        return command;
    }
}
