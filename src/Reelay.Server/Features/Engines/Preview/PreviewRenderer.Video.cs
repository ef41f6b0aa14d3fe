using static System.FormattableString;

namespace Reelay.Server.Features.Engines.Preview;

public static partial class PreviewRenderer
{
    /// <summary>
    /// Video-to-video: the source re-framed to the output ratio (cover, centred crop) with a colour
    /// grade chosen from the seed, so the preview visibly "restyles" its input (hue works on YUV; the work format
    /// conversion follows it).
    /// </summary>
    private static string VideoFilterGraph(PreviewRenderRequest r, WorkFormat work)
    {
        var hue = (int)(Mix(r.Seed, 7) % 360);
        var grade = r.Faithful ? "" : Invariant($"hue=h={hue}:s=1.25,");
        return Invariant($"[0:v]scale=w={r.Width}:h={r.Height}:force_original_aspect_ratio=increase,crop=w={r.Width}:h={r.Height},") +
               Invariant($"setsar=1,fps={FramesPerSecond},{grade}format={work.Picture}[base]");
    }
}
