using System.Globalization;
using Reelay.Server.Features.Engines.Preview;

namespace Reelay.Server.Features.Engines;

/// <summary>
/// STAND-IN for the preview engine's image path (text_to_image), which another change is adding: one still at the
/// planned size in the planned format (png, jpg, webp) — the first input image covering the frame, or a seed-coloured
/// gradient — from one ffmpeg run. Only the RunBlob image families use it until that renderer lands; fold it into
/// the renderer's image path then and delete this file.
/// </summary>
public static class PreviewStillImageStandIn
{
    public static async Task RenderAsync(EngineJob job, Action<double> progress, CancellationToken cancellationToken)
    {
        var plan = job.Request.Output;
        var picture = job.Request.Media.FirstOrDefault(m => m.Kind == "image");
        var size = $"{plan.Width}x{plan.Height}";
        var temp = Path.Combine(Path.GetDirectoryName(job.OutputPath)!, $".{Guid.NewGuid():N}{Path.GetExtension(job.OutputPath)}");
        var args = new List<string> { "-hide_banner", "-loglevel", "error", "-nostdin", "-y" };
        if (picture is null)
        {
            var seed = plan.Seed % int.MaxValue;
            args.AddRange(["-f", "lavfi", "-i", $"gradients=s={size}:c0={Colour(seed)}:c1={Colour(seed + 1)}:n=2:seed={seed}:d=1"]);
            args.AddRange(["-vf", "format=rgb24"]);
        }
        else
        {
            args.AddRange(["-i", job.InputPath(picture)]);
            args.AddRange(["-vf", $"scale={plan.Width}:{plan.Height}:force_original_aspect_ratio=increase,crop={plan.Width}:{plan.Height},format=rgb24"]);
        }
        args.AddRange(["-frames:v", "1", "-update", "1"]);
        args.AddRange(Path.GetExtension(job.OutputPath) switch
        {
            ".jpg" => ["-c:v", "mjpeg", "-pix_fmt", "yuvj444p", "-q:v", "3"],
            ".webp" => ["-c:v", "libwebp", "-quality", "80"],
            _ => ["-c:v", "png"],
        });
        args.Add(temp);
        progress(0.1);
        try
        {
            var result = await FfmpegProcess.RunAsync(job.FfmpegPath, args, _ => { }, cancellationToken);
            if (result.ExitCode != 0 || !File.Exists(temp))
                throw new PreviewRenderException($"ffmpeg could not render the still ({result.ExitCode}): {string.Join(" | ", result.StderrTail)}");
            File.Move(temp, job.OutputPath, overwrite: true);
            progress(1);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>A mid-bright colour chosen by the seed, so different seeds give visibly different stills.</summary>
    private static string Colour(long seed)
    {
        var hash = (uint)(seed * 2654435761 % 4294967296);
        int Channel(int shift) => 64 + (int)((hash >> shift) & 0x7F);
        return string.Create(CultureInfo.InvariantCulture, $"0x{Channel(0):X2}{Channel(8):X2}{Channel(16):X2}");
    }
}
