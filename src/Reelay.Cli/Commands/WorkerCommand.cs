using System.CommandLine;
using System.Runtime.InteropServices;
using Reelay.Cli.Output;
using Reelay.Cli.Worker;
using Reelay.Server.Features.Health;

namespace Reelay.Cli.Commands;

/// <summary>`reelay worker`: runs tasks for a Reelay server on this machine through the worker protocol.</summary>
public static class WorkerCommand
{
    public static Command Create()
    {
        var server = new Option<string?>("--server") { Description = "Server URL, or several comma-separated (tried in turn when one is down). Default: REELAY_BASE_URL or http://127.0.0.1:8080" };
        var token = new Option<string?>("--token") { Description = "The servers' Workers:Token (default: REELAY_WORKER_TOKEN)" };
        var models = new Option<string>("--models") { Description = "Comma-separated model ids to take tasks for", Required = true };
        var concurrency = new Option<int>("--concurrency") { Description = "Tasks run at once", DefaultValueFactory = _ => 1 };
        var id = new Option<string?>("--id") { Description = "This worker's name in leases and logs (default: host-pid)" };
        var engine = new Option<string>("--engine") { Description = "auto (noop models: noop, others: preview), preview or noop", DefaultValueFactory = _ => "auto" };
        var workDir = new Option<string?>("--work-dir") { Description = "Where inputs and renders go while a task runs (default: a temporary directory)" };
        var ffmpeg = new Option<string>("--ffmpeg") { Description = "ffmpeg executable", DefaultValueFactory = _ => "ffmpeg" };
        var command = new Command("worker", "Run tasks for a Reelay server on this machine (the worker protocol, Bearer Workers:Token); the preview engine renders them")
        {
            server, token, models, concurrency, id, engine, workDir, ffmpeg,
        };
        command.Action(async (parse, console, cancellationToken) =>
        {
            var servers = (parse.GetValue(server) ?? Environment.GetEnvironmentVariable("REELAY_BASE_URL") ?? "http://127.0.0.1:8080")
                .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(u => Uri.TryCreate(u.TrimEnd('/') + "/", UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
                    ? uri : throw new ArgumentException($"--server: '{u}' is not an http(s) URL."))
                .ToList();
            var secret = parse.GetValue(token) ?? Environment.GetEnvironmentVariable("REELAY_WORKER_TOKEN")
                ?? throw new ArgumentException("--token (or REELAY_WORKER_TOKEN) is required: the servers' Workers:Token.");
            var modelList = parse.GetValue(models)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
            if (modelList.Count == 0) throw new ArgumentException("--models needs at least one model id.");
            if (parse.GetValue(concurrency) is < 1 or > 64) throw new ArgumentException("--concurrency must be between 1 and 64.");
            if (parse.GetValue(engine) is not ("auto" or "preview" or "noop")) throw new ArgumentException("--engine must be auto, preview or noop.");
            // Fail here rather than fail every task: the engines need ffmpeg on this machine.
            try { await FfmpegProbe.VersionAsync(parse.GetValue(ffmpeg)!); }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw new InvalidOperationException($"ffmpeg is needed to run tasks and '{parse.GetValue(ffmpeg)}' does not run ({ex.Message}); install it or pass --ffmpeg.");
            }
            var directory = parse.GetValue(workDir) ?? Path.Combine(Path.GetTempPath(), $"reelay-worker-{Environment.ProcessId}");
            Directory.CreateDirectory(directory);
            var settings = new WorkerSettings(
                parse.GetValue(id) ?? $"{Environment.MachineName}-{Environment.ProcessId}", modelList, parse.GetValue(concurrency),
                parse.GetValue(engine)!, directory, parse.GetValue(ffmpeg)!);

            // SIGTERM (systemd, Kubernetes) stops as gracefully as Ctrl+C: running tasks go back to the queue.
            using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stopping.Cancel(); });
            using var api = new WorkerApi(servers, secret, Console.Out);
            console.Line($"reelay worker {settings.WorkerId}: {settings.Concurrency} slot(s) for {string.Join(", ", modelList)} via {string.Join(", ", servers)}");
            await new RemoteWorker(api, settings, Console.Out).RunAsync(stopping.Token);
            console.Line($"reelay worker {settings.WorkerId}: stopped");
            if (parse.GetValue(workDir) is null) try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
            return ExitCodes.Success;
        });
        return command;
    }
}
