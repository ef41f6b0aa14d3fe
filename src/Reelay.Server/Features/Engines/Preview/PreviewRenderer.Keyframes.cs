using static System.FormattableString;

namespace Reelay.Server.Features.Engines.Preview;

/// <summary>
/// When a full-frame image layer is visible: from <see cref="From"/> (fading in over <see cref="FadeInSeconds"/>,
/// 0 = a cut) until <see cref="Until"/>, fading out from <see cref="FadeOutAt"/> over <see cref="FadeOutSeconds"/>.
/// </summary>
internal readonly record struct LayerTiming(double From, double FadeInSeconds, double Until, double FadeOutAt, double FadeOutSeconds);

// Images composited over the base picture, each decoded once and repeated by the loop filter: keyframes (full frame
// around their time, cross-fading into the next), the last image (faded in during the final second) and the
// reference images (a row of thumbnails on top of everything).
public static partial class PreviewRenderer
{
    /// <summary>How long a keyframe next to the base picture stays fully visible on each side of its time.</summary>
    private const double KeyframeHold = 0.25;

    /// <summary>Fade between the base picture and the first / last keyframe.</summary>
    private const double KeyframeEdgeFade = 0.5;

    /// <summary>Longest cross-fade between consecutive keyframes (it is also at most half their gap).</summary>
    private const double MaxCrossFade = 1.0;

    private const double LastImageFade = 1.0;

    /// <summary>Visibility of keyframes at <paramref name="times"/> (sorted ascending) in a clip of <paramref name="duration"/>.</summary>
    internal static LayerTiming[] KeyframeTimings(IReadOnlyList<double> times, double duration)
    {
        var timings = new LayerTiming[times.Count];
        for (var i = 0; i < times.Count; i++)
        {
            double from, fadeIn;
            if (i == 0)
            {
                var end = Math.Max(0, times[0] - KeyframeHold);
                fadeIn = Math.Min(KeyframeEdgeFade, end);
                from = end - fadeIn;
            }
            else
            {
                // Centred on the midpoint: each keyframe is the whole frame at its own time.
                fadeIn = Math.Min(MaxCrossFade, (times[i] - times[i - 1]) / 2);
                from = (times[i] + times[i - 1]) / 2 - fadeIn / 2;
            }

            timings[i] = new LayerTiming(from, fadeIn, duration, duration, 0);
        }

        for (var i = 0; i < times.Count - 1; i++)
        {
            // Hidden once the next one is fully in: it lies on top, so nothing shows through.
            timings[i] = timings[i] with { Until = timings[i + 1].From + timings[i + 1].FadeInSeconds };
        }

        if (times.Count > 0)
        {
            var fadeOutAt = Math.Min(duration, times[^1] + KeyframeHold);
            timings[^1] = timings[^1] with { FadeOutAt = fadeOutAt, FadeOutSeconds = Math.Min(KeyframeEdgeFade, duration - fadeOutAt) };
        }

        return timings;
    }

    /// <summary>Thumbnail box size and margin for <paramref name="count"/> reference images in a row.</summary>
    internal static (int Width, int Height, int Margin) ThumbnailLayout(int width, int height, int count)
    {
        var margin = Math.Max(2, height / 80 * 2);
        var thumbWidth = Math.Min(width / 5, (width - (count + 1) * margin) / Math.Max(1, count));
        thumbWidth = Math.Max(8, thumbWidth / 2 * 2);
        var thumbHeight = Math.Max(8, (int)Math.Round(thumbWidth * (double)height / width / 2) * 2);
        return (thumbWidth, thumbHeight, margin);
    }

    /// <summary>Appends the layer chains after <paramref name="current"/> and returns the label of the composite.</summary>
    private static string AddLayers(PreviewRenderRequest r, GraphInputs inputs, List<string> chains, string current, WorkFormat work)
    {
        var duration = RenderedSeconds(r);
        var keyframes = r.Keyframes.OrderBy(k => k.AtSeconds).ToArray();
        var timings = KeyframeTimings(keyframes.Select(k => Math.Min(k.AtSeconds, duration)).ToArray(), duration);
        for (var i = 0; i < keyframes.Length; i++)
        {
            current = AddFullFrameLayer(r, inputs, chains, current, work, keyframes[i].ImagePath, timings[i], $"k{i}");
        }

        if (r.LastImagePath is not null)
        {
            var fade = Math.Min(LastImageFade, duration / 2);
            // Fully in on the last frame (at duration - 1/fps), so the video really ends on the image.
            var from = Math.Max(0, duration - 1.0 / FramesPerSecond - fade);
            current = AddFullFrameLayer(r, inputs, chains, current, work, r.LastImagePath, new LayerTiming(from, fade, duration, duration, 0), "last");
        }

        var (thumbWidth, thumbHeight, margin) = ThumbnailLayout(r.Width, r.Height, r.ReferenceImages.Count);
        for (var i = 0; i < r.ReferenceImages.Count; i++)
        {
            var index = inputs.AddImage(r.ReferenceImages[i]);
            // A dark 1-2 px frame around each thumbnail keeps it readable on any background.
            var border = Math.Max(1, thumbHeight / 40);
            chains.Add(Invariant($"[{index}:v]scale=w={thumbWidth - 2 * border}:h={thumbHeight - 2 * border}:force_original_aspect_ratio=decrease:flags=bicubic,") +
                       Invariant($"format=gbrp,setsar=1,pad=w={thumbWidth}:h={thumbHeight}:x=(ow-iw)/2:y=(oh-ih)/2:color=0x101010,format={work.Alpha},") +
                       LoopForever() + Invariant($"[ref{i}]"));
            var x = margin + i * (thumbWidth + margin);
            var y = r.Height - margin - thumbHeight;
            chains.Add(Invariant($"[{current}][ref{i}]overlay=x={x}:y={y}:format={work.Overlay}[withref{i}]"));
            current = $"withref{i}";
        }

        return current;
    }

    private static string AddFullFrameLayer(
        PreviewRenderRequest r, GraphInputs inputs, List<string> chains, string current, WorkFormat work, string image, LayerTiming t, string label)
    {
        var index = inputs.AddImage(image);
        var fades = "";
        var frame = 1.0 / FramesPerSecond;
        if (t.FadeInSeconds >= frame / 2)
        {
            fades += Invariant($",fade=t=in:st={Num(t.From)}:d={Num(t.FadeInSeconds)}:alpha=1");
        }

        if (t.FadeOutSeconds >= frame / 2)
        {
            fades += Invariant($",fade=t=out:st={Num(t.FadeOutAt)}:d={Num(t.FadeOutSeconds)}:alpha=1");
        }

        chains.Add(Invariant($"[{index}:v]scale=w={r.Width}:h={r.Height}:force_original_aspect_ratio=increase:flags=bicubic,") +
                   Invariant($"crop=w={r.Width}:h={r.Height},setsar=1,format={work.Alpha},") + LoopForever() + fades + $"[{label}]");

        // Outside its window the overlay is switched off, so hidden layers cost no blending.
        var always = t.From <= 0 && t.Until >= RenderedSeconds(r);
        var enable = always ? "" : Invariant($":enable='between(t,{Num(t.From)},{Num(t.Until)})'");
        chains.Add($"[{current}][{label}]overlay=format={work.Overlay}{enable}[with{label}]");
        return "with" + label;
    }

    /// <summary>Repeats the one decoded (and already scaled) frame with 24 fps timestamps from zero.</summary>
    private static string LoopForever() => Invariant($"loop=loop=-1:size=1:start=0,settb=expr=1/{FramesPerSecond},setpts=N");
}
