using System.Diagnostics;
using Xunit;

namespace Reelay.Tests.Assets;

/// <summary>Which ffmpeg encoders this machine has, asked once, so optional codecs can be skipped rather than failed.</summary>
public static class FfmpegEncoders
{
    /// <summary>Runs ffmpeg and throws with its stderr when it fails, so a broken fixture explains itself.</summary>
    public static void Run(IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("ffmpeg did not start.");
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"ffmpeg exited with {process.ExitCode}: {stderr}");
    }

    private static readonly Lazy<string> List = new(() =>
    {
        var info = new ProcessStartInfo("ffmpeg") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-hide_banner", "-encoders" }) info.ArgumentList.Add(argument);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("ffmpeg did not start.");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        _ = stderr.Result;
        return stdout;
    });

    public static bool Has(string encoder) =>
        List.Value.Split('\n').Any(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [_, var name, ..] && name == encoder);
}

/// <summary>A fact that is skipped, with a reason, when ffmpeg lacks the encoder its fixture needs.</summary>
public sealed class EncoderFactAttribute : FactAttribute
{
    public EncoderFactAttribute(string encoder)
    {
        if (!FfmpegEncoders.Has(encoder))
            Skip = $"ffmpeg on this machine has no {encoder} encoder, so this fixture cannot be made (install an ffmpeg built with it).";
    }
}
