using Reelay.Server.Features.Engines.Preview;

namespace Reelay.Server.Features.Engines;

/// <summary>How the preview engine reads the one generation request: the planned output and the inputs by role.</summary>
public static class PreviewJob
{
    public static PreviewRenderRequest For(EngineJob job)
    {
        var r = job.Request;
        var plan = r.Output;
        var source = r.Media.FirstOrDefault(m => m.Role == "source" && m.Kind == "video");
        var first = r.Media.FirstOrDefault(m => m.Role == "first" && m.Kind == "image")
            ?? r.Media.FirstOrDefault(m => m.Kind == "image" && m.Role is not ("last" or "keyframe"));
        return new PreviewRenderRequest(plan.Width, plan.Height, (int)Math.Max(1, Math.Round(plan.Seconds)), plan.Seed,
            first is null ? null : job.InputPath(first), r.PromptText, job.OutputPath, job.FfmpegPath,
            source is null ? null : job.InputPath(source));
    }
}
