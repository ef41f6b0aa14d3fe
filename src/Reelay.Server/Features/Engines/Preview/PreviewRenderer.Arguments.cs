namespace Reelay.Server.Features.Engines.Preview;

/// <summary>The files one render uses besides its inputs.</summary>
/// <param name="Output">The temp file ffmpeg (or the zip writer) produces; frame folder and LUT are named after it.</param>
/// <param name="SourceHasAudio">Video-to-video only: the source has an audio stream to keep.</param>
internal sealed record RenderFiles(string Output, string? FontFile, string? TextFile, bool SourceHasAudio);

/// <summary>
/// Pixel formats inside the graph. mp4 keeps the cheap 8-bit 4:2:0 path it always had; every other format works in
/// 8-bit planar RGB so its final stage converts to its own matrix (BT.709 / BT.2020) from RGB, not from YUV.
/// </summary>
internal sealed record WorkFormat(string Picture, string Motion, string Overlay, string Alpha)
{
    public static readonly WorkFormat Yuv420 = new("yuv420p", "yuv444p", "yuv420", "yuva420p");
    public static readonly WorkFormat Rgb = new("gbrp", "gbrp", "gbrp", "gbrap");
}

public static partial class PreviewRenderer
{
    /// <summary>The -i arguments of a render, numbering inputs as they are added.</summary>
    private sealed class GraphInputs
    {
        public List<string> Arguments { get; } = [];

        private int _count;

        public int Add(params string[] arguments)
        {
            Arguments.AddRange(arguments);
            return _count++;
        }

        /// <summary>
        /// A single decode of a still image: the loop filter repeats the scaled frame (far cheaper than `-loop 1`,
        /// which re-decodes and re-scales the full-size image for every output frame).
        /// </summary>
        public int AddImage(string path)
            => Add("-f", "image2", "-pattern_type", "none", "-framerate", Num(FramesPerSecond), "-i", FileUrl(path));
    }

    internal static IReadOnlyList<string> BuildArguments(PreviewRenderRequest request, RenderFiles files)
    {
        var format = Validate(request);
        var work = format.Codec == PreviewCodec.H264 ? WorkFormat.Yuv420 : WorkFormat.Rgb;
        var inputs = new GraphInputs();
        var chains = new List<string>();

        if (request.VideoPath is not null)
        {
            // Looped so the output is exactly DurationSeconds long even if the source is a little shorter.
            inputs.Add("-stream_loop", "-1", "-i", FileUrl(request.VideoPath));
            chains.Add(VideoFilterGraph(request, work));
        }
        else if (request.ImagePath is not null)
        {
            inputs.AddImage(request.ImagePath);
            chains.Add(ImageFilterGraph(request, work));
        }
        else
        {
            inputs.Add("-f", "lavfi", "-i", GradientSource(request));
            chains.Add(TextFilterGraph(request, files.FontFile, files.TextFile, work));
        }

        var composite = AddLayers(request, inputs, chains, "base", work);
        // The graph itself ends after exactly FrameCount frames (its image sources loop forever); -frames:v cannot do
        // it, because in ffmpeg 5 reaching it closes every stream of the output, cutting the audio short.
        chains.Add($"[{composite}]trim=end_frame={Num(FrameCount(request))},{FinalStage(format, LutFile(files.Output))}[v]");
        if (request.Audio)
        {
            chains.Add(AudioGraph(request, files.SourceHasAudio && request.VideoPath is not null));
        }

        var args = new List<string>
        {
            "-hide_banner", "-nostdin", "-nostats", "-loglevel", "error",
            "-progress", "pipe:1", "-y",
        };
        args.AddRange(inputs.Arguments);
        args.AddRange(["-filter_complex", string.Join(';', chains)]);
        AddOutputArguments(args, request, format, files);
        return args;
    }
}
