using System.CommandLine;
using System.Diagnostics;

namespace Reelay.Cli.Commands;

/// <summary>`reelay serve`: the same server as ./serve.sh, shipped next to the tool.</summary>
public static class ServeCommand
{
    public static Command Create()
    {
        var command = new Command("serve", "Run the Reelay server (SQLite in ./data and the preview engine by default). Other arguments go to the server, e.g. --urls, --Admin:Token=…")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var directory = AppContext.BaseDirectory;
            var info = new ProcessStartInfo("dotnet") { UseShellExecute = false };
            info.ArgumentList.Add(Path.Combine(directory, "Reelay.Server.dll"));
            info.ArgumentList.Add("--contentRoot");
            info.ArgumentList.Add(directory);
            foreach (var token in parse.UnmatchedTokens) info.ArgumentList.Add(token);
            using var server = Process.Start(info) ?? throw new InvalidOperationException("Could not start the server.");
            try
            {
                await server.WaitForExitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C reached the server too (same process group); give it a moment to stop gracefully.
                if (!server.WaitForExit(TimeSpan.FromSeconds(10))) server.Kill(entireProcessTree: true);
            }
            return server.HasExited ? server.ExitCode : 0;
        });
        return command;
    }
}
