using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Reelay.Cli.Output;
using Reelay.Server.Infrastructure;

namespace Reelay.Cli.Commands;

/// <summary>
/// `reelay migrate`: applies the database migrations explicitly (servers also apply them at start-up;
/// with several nodes an operator may prefer to migrate once, before rolling out).
/// </summary>
public static class MigrateCommand
{
    public static Command Create()
    {
        var command = new Command("migrate", "Apply database migrations and exit. Reads the server's settings: --Data:Directory, --Database:Provider, --ConnectionStrings:Reelay (or their environment variables)")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.Action((parse, console, _) =>
        {
            var config = new ConfigurationBuilder()
                .AddEnvironmentVariables()
                .AddCommandLine(parse.UnmatchedTokens.ToArray())
                .Build();
            var options = ReelayOptions.From(config);
            Directory.CreateDirectory(options.DataDirectory);
            var applied = Migrations.Apply(Db.From(options));
            if (console.Json) console.WriteJson(new { provider = options.DatabaseProvider, applied });
            else console.Line(applied.Count == 0 ? "the database is up to date" : $"applied {string.Join(", ", applied)}");
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }
}
