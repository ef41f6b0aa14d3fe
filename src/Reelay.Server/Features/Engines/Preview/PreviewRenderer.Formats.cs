namespace Reelay.Server.Features.Engines.Preview;

internal enum PreviewCodec { H264, Hevc, ProRes, Png, Exr }

/// <summary>What the output's pixels mean, and so which LUT (if any) and which tags the final stage applies.</summary>
internal enum PreviewColour { Untagged, Bt709, Pq, Hlg, LinearBt709, LinearAcesCg }

/// <summary>One resolved output format: codec, colour, encoder pixel format and profile (x265 name or ProRes number).</summary>
internal sealed record FormatSpec(string Name, PreviewCodec Codec, PreviewColour Colour, string PixelFormat, string Profile = "", string? AcesVersion = null)
{
    public bool IsSequence => Codec is PreviewCodec.Png or PreviewCodec.Exr;

    public bool NeedsLut => Colour is PreviewColour.Pq or PreviewColour.Hlg or PreviewColour.LinearBt709 or PreviewColour.LinearAcesCg;

    public string FrameExtension => Codec == PreviewCodec.Exr ? ".exr" : ".png";
}

// The per-format tail of the graph (colour conversion, tags) and the encoder/muxer arguments.
public static partial class PreviewRenderer
{
    /// <summary>ProRes profile names in prores_ks profile-number order (0..5).</summary>
    private static readonly string[] ProresProfiles = ["422 Proxy", "422 LT", "422", "422 HQ", "4444", "4444 XQ"];

    private static readonly string[] HdrProresProfiles = ["422", "422 HQ", "4444"];

    // ST 2086 mastering display for the PQ outputs: BT.2020 primaries, D65, 1000 / 0.0001 cd/m² (x265 units).
    private const string MasterDisplay = "G(8500,39850)B(6550,2300)R(35400,14600)WP(15635,16450)L(10000000,1)";

    private static FormatSpec ResolveFormat(PreviewRenderRequest r) => r.OutputFormat switch
    {
        PreviewOutputs.Mp4 => new(r.OutputFormat, PreviewCodec.H264, PreviewColour.Untagged, "yuv420p"),
        "hdr10" => new(r.OutputFormat, PreviewCodec.Hevc, PreviewColour.Pq, "yuv420p10le", "main10"),
        "hlg" => new(r.OutputFormat, PreviewCodec.Hevc, PreviewColour.Hlg, "yuv420p10le", "main10"),
        "sdr_rec709_10bit" => new(r.OutputFormat, PreviewCodec.Hevc, PreviewColour.Bt709, "yuv420p10le", "main10"),
        "hdr_pq_12bit_master" => new(r.OutputFormat, PreviewCodec.Hevc, PreviewColour.Pq, "yuv444p12le", "main444-12"),
        "prores" => ProRes(r, PreviewColour.Bt709, "4444", ProresProfiles),
        "hdr_prores" => ProRes(r, PreviewColour.Pq, "422 HQ", HdrProresProfiles),
        "png_sequence" => new(r.OutputFormat, PreviewCodec.Png, PreviewColour.Untagged, "rgb24"),
        "hdr_png_sequence" => new(r.OutputFormat, PreviewCodec.Png, PreviewColour.Pq, "rgb48be"),
        "hdr_exr_sequence" => new(r.OutputFormat, PreviewCodec.Exr, PreviewColour.LinearBt709, "gbrpf32le"),
        "hdr_exr_acescg_sequence_1_3" => new(r.OutputFormat, PreviewCodec.Exr, PreviewColour.LinearAcesCg, "gbrpf32le", AcesVersion: "1.3"),
        "hdr_exr_acescg_sequence_2_0" => new(r.OutputFormat, PreviewCodec.Exr, PreviewColour.LinearAcesCg, "gbrpf32le", AcesVersion: "2.0"),
        var other => throw new ArgumentException(
            $"Unknown output format '{other}'; expected one of {string.Join(", ", PreviewOutputs.Formats)}.", nameof(r.OutputFormat)),
    };

    private static FormatSpec ProRes(PreviewRenderRequest r, PreviewColour colour, string defaultProfile, string[] allowed)
    {
        var name = r.ProresProfile ?? defaultProfile;
        if (!allowed.Contains(name, StringComparer.OrdinalIgnoreCase))
        {
            throw new ArgumentException(
                $"ProRes profile '{name}' is not available for {r.OutputFormat}; expected one of {string.Join(", ", allowed)}.",
                nameof(r.ProresProfile));
        }

        var number = Array.FindIndex(ProresProfiles, p => string.Equals(p, name, StringComparison.OrdinalIgnoreCase));
        // The 4444 profiles carry an (opaque) alpha plane; the 422 ones are 10-bit 4:2:2.
        return new(r.OutputFormat, PreviewCodec.ProRes, colour, number >= 4 ? "yuva444p10le" : "yuv422p10le", Num(number));
    }

    /// <summary>
    /// The filters from the working picture (8-bit yuv420p for mp4, 8-bit gbrp otherwise) to what the encoder gets.
    /// The HDR and linear targets go through 16-bit/float RGB and the LUT, so the extra bits hold real gradations.
    /// </summary>
    private static string FinalStage(FormatSpec f, string lutFile)
    {
        var lut = "lut3d=file=" + EscapeFilterValue(lutFile) + ":interp=tetrahedral";
        var trc = f.Colour == PreviewColour.Hlg ? "arib-std-b67" : "smpte2084";
        return f.Colour switch
        {
            PreviewColour.Untagged => $"format={f.PixelFormat}",
            PreviewColour.Bt709 =>
                $"scale=out_color_matrix=bt709:out_range=tv,format={f.PixelFormat},{SetParams("bt709", "bt709", "bt709", "tv")}",
            PreviewColour.Pq when f.Codec == PreviewCodec.Png =>
                $"format=gbrp16le,{lut},format={f.PixelFormat},{SetParams("bt2020", trc, "gbr", "pc")}",
            PreviewColour.Pq or PreviewColour.Hlg =>
                $"format=gbrp16le,{lut},scale=out_color_matrix=bt2020:out_range=tv,format={f.PixelFormat},{SetParams("bt2020", trc, "bt2020nc", "tv")}",
            _ => $"format=gbrpf32le,{lut},format={f.PixelFormat}",
        };
    }

    // Frame tags: prores_ks writes the frame's (not the codec context's) colour values into every frame header.
    private static string SetParams(string primaries, string transfer, string matrix, string range)
        => $"setparams=color_primaries={primaries}:color_trc={transfer}:colorspace={matrix}:range={range}";

    /// <summary>
    /// x264's fastest preset for every H.264 preview. A preview is waited on, not kept: at 1280x720 for 5 s the encoder
    /// was 45 % of a render's CPU at veryfast (2.4 s against 1.4 s at ultrafast); ultrafast's files are about three
    /// times larger (350 KB against 120 KB) and look the same.
    /// </summary>
    internal const string H264Preset = "ultrafast";

    private static string[] VideoEncoderArguments(FormatSpec f) => f.Codec switch
    {
        PreviewCodec.H264 => ["-c:v", "libx264", "-preset", H264Preset, "-crf", "28", "-pix_fmt", "yuv420p"],
        PreviewCodec.Hevc => ["-c:v", "libx265", "-preset", "ultrafast", "-crf", "26", "-profile:v", f.Profile,
            "-pix_fmt", f.PixelFormat, "-x265-params", X265Params(f), "-tag:v", "hvc1"],
        PreviewCodec.ProRes => ["-c:v", "prores_ks", "-profile:v", f.Profile, "-pix_fmt", f.PixelFormat],
        PreviewCodec.Png => ["-c:v", "png", "-pix_fmt", f.PixelFormat],
        _ => ["-c:v", "exr", "-format", "half", "-compression", "zip16", "-pix_fmt", f.PixelFormat],
    };

    // PQ outputs also carry HDR10 static metadata; MaxCLL is exact (reference white, 203 cd/m², is the brightest
    // value the LUT produces), MaxFALL is left 0 ("unknown") because it is not measured.
    private static string X265Params(FormatSpec f)
        => f.Colour == PreviewColour.Pq
            ? $"log-level=error:hdr10=1:repeat-headers=1:master-display={MasterDisplay}:max-cll={Num(PqReferenceWhiteNits)},0"
            : "log-level=error";

    /// <summary>Stream/container colour tags for the encoders and mp4/mov muxers (the sequences carry their own).</summary>
    private static string[] ColourArguments(FormatSpec f) => f.Colour switch
    {
        PreviewColour.Bt709 => ["-color_primaries", "bt709", "-color_trc", "bt709", "-colorspace", "bt709", "-color_range", "tv"],
        PreviewColour.Pq => ["-color_primaries", "bt2020", "-color_trc", "smpte2084", "-colorspace", "bt2020nc", "-color_range", "tv"],
        PreviewColour.Hlg => ["-color_primaries", "bt2020", "-color_trc", "arib-std-b67", "-colorspace", "bt2020nc", "-color_range", "tv"],
        _ => [],
    };

    private static void AddOutputArguments(List<string> args, PreviewRenderRequest r, FormatSpec f, RenderFiles files)
    {
        // -t only caps the output; the graph's trim already ends the video after the right number of frames.
        var seconds = Num(RenderedSeconds(r));
        args.AddRange(["-map", "[v]", "-t", seconds, "-r", Num(FramesPerSecond)]);
        if (f.IsSequence)
        {
            var frames = FramesDirectory(files.Output);
            // image2 reads the path as a pattern: a literal % in the directory has to be doubled.
            var pattern = "file:" + Path.GetFullPath(frames).Replace("%", "%%", StringComparison.Ordinal)
                + Path.DirectorySeparatorChar + "frame.%04d" + f.FrameExtension;
            args.Add("-an");
            args.AddRange(VideoEncoderArguments(f));
            args.AddRange(["-flags:v", "+bitexact", "-f", "image2", "-start_number", "1", pattern]);
            if (r.Audio)
            {
                args.AddRange(["-map", "[a]", "-t", seconds, "-vn", "-c:a", "pcm_s16le",
                    "-fflags", "+bitexact", "-map_metadata", "-1", "-f", "wav", FileUrl(Path.Combine(frames, AudioEntryName))]);
            }

            return;
        }

        args.AddRange(r.Audio ? ["-map", "[a]", "-c:a", "aac", "-b:a", "160k"] : ["-an"]);
        args.AddRange(VideoEncoderArguments(f));
        args.AddRange(ColourArguments(f));
        args.AddRange(
        [
            "-movflags", "+faststart",
            "-fflags", "+bitexact", "-flags:v", "+bitexact", "-map_metadata", "-1",
            "-f", PreviewOutputs.For(f.Name).Extension == ".mov" ? "mov" : "mp4", FileUrl(files.Output),
        ]);
    }

    /// <summary>Where ffmpeg writes the frames of a sequence format before they are zipped.</summary>
    private static string FramesDirectory(string tempOutputPath) => tempOutputPath + ".frames";

    /// <summary>The 3D LUT (.cube) of the colour conversion, next to the temp output.</summary>
    private static string LutFile(string tempOutputPath) => tempOutputPath + ".cube";

    private static async Task PrepareFormatFilesAsync(FormatSpec f, string tempOutputPath, CancellationToken cancellationToken)
    {
        if (f.IsSequence)
        {
            Directory.CreateDirectory(FramesDirectory(tempOutputPath));
        }

        if (f.NeedsLut)
        {
            await File.WriteAllTextAsync(LutFile(tempOutputPath), CubeLut(f.Colour), Utf8NoBom, cancellationToken).ConfigureAwait(false);
        }
    }
}
