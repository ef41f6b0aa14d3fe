using System.Text.Json;
using System.Text.Json.Nodes;
using Reelay.Server.Features.Catalog;
using Reelay.Server.Features.Engines.Preview;
using Reelay.Server.Features.Tasks;

namespace Reelay.Server.Features.Engines;

/// <summary>
/// How the preview engine reads the one generation request: the planned output (size, length, audio, format, count,
/// frame rate) and the inputs by role — the first frame, the last frame, keyframes at their times, reference images in
/// the frame, a source video or image, a character and its driving reference — and which renderer makes it.
/// </summary>
public static class PreviewJob
{
    /// <summary>Renders the job with the renderer of its output kind and endpoint.</summary>
    public static async Task RenderAsync(EngineJob job, Action<double> progress, CancellationToken cancellationToken)
    {
        var r = job.Request;
        switch (r.Endpoint)
        {
            case "video_upscale":
                await VideoTransformRenderer.RenderAsync(Transform(job), progress, cancellationToken);
                return;
            case "character_performance":
                await VideoTransformRenderer.RenderAsync(Performance(job), progress, cancellationToken);
                return;
            case "video_to_hdr":
                var source = job.InputPath(r.WithRole("source").First());
                var keepAudio = await PreviewRenderer.HasAudioStreamAsync(job.FfmpegPath, source, cancellationToken);
                await PreviewRenderer.RenderAsync(For(job) with { Faithful = true, Audio = keepAudio }, progress, cancellationToken);
                return;
        }
        if (r.Output.Kind == "image") await ImageRenderer.RenderAsync(Image(job), progress, cancellationToken);
        else await PreviewRenderer.RenderAsync(For(job), progress, cancellationToken);
    }

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

    /// <summary>
    /// Stills: outputCount files (the first at the job's path, the others beside it); an upscale scales its source.
    /// RunBlob edits (images but no prompt-only request) draw over their first image; text-to-image shows every
    /// reference as a thumbnail over a gradient.
    /// </summary>
    public static ImageRenderRequest Image(EngineJob job)
    {
        var r = job.Request;
        var plan = r.Output;
        var paths = Enumerable.Range(0, plan.Count).Select(i => EngineRun.OutputPath(job.OutputPath, i)).ToList();
        var format = ImageRenderer.Formats.Contains(plan.Format) ? plan.Format : "png";
        var references = r.Media.Where(m => m.Kind == "image" && m.Role == "reference").Select(job.InputPath).ToList();
        var source = r.Media.FirstOrDefault(m => m.Kind == "image" && m.Role == "source");
        return new ImageRenderRequest(plan.Width, plan.Height, plan.Seed, r.PromptText, paths, format, job.FfmpegPath)
        {
            Alpha = plan.Alpha && format == "png",
            UpscaleSource = source is null ? null : job.InputPath(source),
            BackgroundImage = r.Endpoint.StartsWith("runblob_", StringComparison.Ordinal) ? references.FirstOrDefault() : null,
            ReferenceImages = references,
            Sharpen = Number(r.Options, "sharpen"),
            SmartGrain = Number(r.Options, "smartGrain"),
            UltraDetail = Number(r.Options, "ultraDetail"),
            Denoise = Text(r.Options, "flavor") == "photo_denoiser",
        };
    }

    /// <summary>video_upscale: the source scaled to the plan's size (magnific) or re-timed to its frame rate (enhance_frame_rate).</summary>
    public static VideoTransformRequest Transform(EngineJob job)
    {
        var r = job.Request;
        var plan = r.Output;
        return new VideoTransformRequest(plan.Width, plan.Height, plan.Seconds, job.InputPath(r.WithRole("source").First()), job.OutputPath, job.FfmpegPath)
        {
            FrameRate = plan.FrameRate,
            Sharpen = Number(r.Options, "sharpen"),
            SmartGrain = Number(r.Options, "smartGrain"),
            Creativity = Number(r.Options, "creativity"),
            Vivid = Text(r.Options, "flavor") == "vivid",
        };
    }

    /// <summary>character_performance: the character (image or video) driven by the reference video, for the reference's length.</summary>
    public static VideoTransformRequest Performance(EngineJob job)
    {
        var r = job.Request;
        var plan = r.Output;
        var character = r.WithRole("character").First();
        return new VideoTransformRequest(plan.Width, plan.Height, plan.Seconds, job.InputPath(r.WithRole("driver").First()), job.OutputPath, job.FfmpegPath)
        {
            CharacterPath = job.InputPath(character),
            CharacterIsVideo = character.Kind == "video",
            ExpressionIntensity = (int)(JsonNumbers.Double(r.Options["expressionIntensity"]) ?? 3) + (Flag(r.Options, "bodyControl") ? 1 : 0),
        };
    }

    private static double Number(JsonObject options, string name) => JsonNumbers.Double(options[name]) ?? 0;

    private static string? Text(JsonObject options, string name) =>
        options[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    private static bool Flag(JsonObject options, string name) => options[name]?.GetValueKind() == JsonValueKind.True;
}
