using System.CommandLine;
using Reelay.Cli.Commands;
using Reelay.Cli.Output;

// The `reelay` command line: a table of contents of its commands.
var root = new RootCommand("reelay: run a Reelay server, administer it, and make videos with it.\n\n" + ExitCodes.Help)
{
    Cli.BaseUrl,
    Cli.ApiKey,
    Cli.Json,
    ServeCommand.Create(),
    MigrateCommand.Create(),
    WorkerCommand.Create(),
    AdminCommands.Create(),
    GenerateCommands.Create(),
    TaskCommands.Create(),
    AccountCommands.Balance(),
    AccountCommands.Usage(),
    HistoryCommand.Create(),
    AssetsCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
