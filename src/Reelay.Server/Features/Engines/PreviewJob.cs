using Reelay.Server.Features.Engines.Preview;

namespace Reelay.Server.Features.Engines;

/// <summary>
/// How the preview engine reads the one generation request: the planned output (size, length, audio, format) and the
/// inputs by role — the first frame, the last frame, keyframes at their times, reference images in the frame, and a
/// source video for video-to-video.
/// </summary>
public static class PreviewJob
{
    public static PreviewRenderRequest For(EngineJob job)
    {
        var r = job.Request;
        var plan = r.Output;
        var images = r.Media.Where(m => m.Kind == "image").ToList();
        var source = r.Media.FirstOrDefault(m => m.Role == "source" && m.Kind == "video");
        var first = images.FirstOrDefault(m => m.Role == "first");
        var last = images.FirstOrDefault(m => m.Role == "last");
        var references = images.Where(m => m.Role == "reference").ToList();
        // Reference images alone (no first frame) still give the camera something to move over.
        var picture = first ?? (source is null ? references.FirstOrDefault() : null);
        return new PreviewRenderRequest(plan.Width, plan.Height, plan.Seconds, plan.Seed,
            picture is null ? null : job.InputPath(picture), r.PromptText, job.OutputPath, job.FfmpegPath,
            source is null ? null : job.InputPath(source))
        {
            Audio = plan.Audio,
            OutputFormat = PreviewOutputs.Formats.Contains(plan.Format) ? plan.Format : PreviewOutputs.Mp4,
            ProresProfile = plan.ProresProfile,
            LastImagePath = last is null ? null : job.InputPath(last),
            Keyframes = images.Where(m => m.Role == "keyframe")
                .Select(m => new PreviewKeyframe(job.InputPath(m), Math.Clamp(m.AtSeconds ?? 0, 0, plan.Seconds))).ToList(),
            ReferenceImages = references.Where(m => m != picture).Select(job.InputPath).ToList(),
        };
    }
}
