using Reelay.Server.Features.Engines.Preview;
using Reelay.Server.Features.Tasks;

namespace Reelay.Server.Features.Engines;

/// <summary>What an engine needs for one task; the same for the in-process workers and `reelay worker`.</summary>
/// <param name="Engine">"preview" or "noop" (the engines that run on this machine).</param>
/// <param name="InputPath">The local file of each stored input.</param>
/// <param name="OutputPath">Where the output goes, with the extension of the request's output format.</param>
public sealed record EngineJob(
    string Engine,
    GenerationRequest Request,
    Simulation? Simulation,
    Func<MediaInput, string> InputPath,
    string OutputPath,
    string FfmpegPath);

/// <summary>How a run ended when it did not produce an output; Detail is for the operator's log, never the client.</summary>
public sealed record EngineFailure(string Code, string Text, string? Detail = null);

/// <summary>
/// What a running task shares between its engine and its heartbeat: the progress to report, and once the heartbeat
/// learns the task must stop (cancelled, lease lost), why.
/// </summary>
public sealed class RunProgress
{
    private double _value;
    public double Value { get => Volatile.Read(ref _value); set => Volatile.Write(ref _value, value); }
    public volatile string? Stopped;
}

/// <summary>Runs a task's sandbox instructions and then its engine, reporting progress 0..1.</summary>
public static class EngineRun
{
    /// <summary>The engines a worker process can run itself; other catalog engines ("pool:NAME") are served by remote workers.</summary>
    public static readonly IReadOnlySet<string> LocalEngines = new HashSet<string> { "preview", "noop" };

    /// <summary>Engines that make several outputs (images of outputCount) write the first at the job's path and the others beside it.</summary>
    public static string OutputPath(string first, int index) =>
        index == 0 ? first : Path.Combine(Path.GetDirectoryName(first)!, $"{Path.GetFileNameWithoutExtension(first)}-{index}{Path.GetExtension(first)}");

    /// <summary>The outputs an engine wrote, in order: the first, then as many more as exist.</summary>
    public static IEnumerable<string> OutputPaths(string first)
    {
        for (var index = 0; index < MaxOutputs && File.Exists(OutputPath(first, index)); index++) yield return OutputPath(first, index);
    }

    public const int MaxOutputs = 16;

    /// <summary>The output file's extension: the request's format, except for noop, whose placeholder is always an MP4.</summary>
    public static string OutputExtension(string engine, GenerationRequest request) =>
        engine == "noop" ? ".mp4" : Outputs.OutputFormats.Extension(request.Output.Format);

    /// <summary>Null when the output was written; otherwise the failure to record. Cancellation throws.</summary>
    public static async Task<EngineFailure?> RunAsync(EngineJob job, Action<double> progress, CancellationToken cancellationToken)
    {
        double offset = 0;
        if (job.Simulation is { DelaySeconds: > 0 } delayed)
        {
            await SimulateDelayAsync(delayed.DelaySeconds, progress, cancellationToken);
            offset = 0.5;
        }
        if (job.Simulation?.FailureCode is { } code) return new EngineFailure(code, Simulation.FailureText(code));
        Directory.CreateDirectory(Path.GetDirectoryName(job.OutputPath)!);
        try
        {
            if (job.Engine == "noop")
            {
                await NoopEngine.WriteAsync(job.OutputPath, job.FfmpegPath, cancellationToken);
                return null;
            }
            if (job.Request.Output.Kind == "audio")
            {
                await PreviewAudioRenderer.RenderAsync(PreviewAudioJob.For(job), f => progress(offset + (1 - offset) * f), cancellationToken);
                return null;
            }
            await PreviewJob.RenderAsync(job, f => progress(offset + (1 - offset) * f), cancellationToken);
            return null;
        }
        catch (PreviewRenderException ex)
        {
            return new EngineFailure("INTERNAL.BAD_OUTPUT.CODE01", Simulation.FailureText("INTERNAL.BAD_OUTPUT.CODE01"), ex.Message);
        }
    }

    /// <summary>The sandbox's delay: RUNNING with progress advancing to one half over the delay.</summary>
    private static async Task SimulateDelayAsync(double seconds, Action<double> progress, CancellationToken cancellationToken)
    {
        var started = DateTime.UtcNow;
        while (true)
        {
            var elapsed = (DateTime.UtcNow - started).TotalSeconds;
            if (elapsed >= seconds) break;
            progress(0.5 * elapsed / seconds);
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(250, (seconds - elapsed) * 1000 + 1)), cancellationToken);
        }
        progress(0.5);
    }
}
