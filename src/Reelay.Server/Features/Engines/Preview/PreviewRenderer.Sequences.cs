using System.IO.Compression;
using System.Text.Json;

namespace Reelay.Server.Features.Engines.Preview;

// The image-sequence formats: ffmpeg writes frame.0001.png... (and audio.wav) into a temp folder, and this packs them
// with the colour metadata into the zip.
public static partial class PreviewRenderer
{
    private const string AudioEntryName = "audio.wav";

    /// <summary>A fixed entry time: the same request gives a byte-identical zip.</summary>
    private static readonly DateTimeOffset ZipEntryTime = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static async Task WriteSequenceZipAsync(
        PreviewRenderRequest r, FormatSpec f, string tempOutputPath, Action<double> progress, CancellationToken cancellationToken)
    {
        var directory = FramesDirectory(tempOutputPath);
        var frames = Directory.GetFiles(directory, "frame.*" + f.FrameExtension).Order(StringComparer.Ordinal).ToArray();
        if (frames.Length == 0)
        {
            throw new PreviewRenderException("ffmpeg exited successfully but wrote no frames.");
        }

        var audio = Path.Combine(directory, AudioEntryName);
        if (r.Audio && !File.Exists(audio))
        {
            throw new PreviewRenderException("ffmpeg exited successfully but wrote no audio.");
        }

        await using var stream = new FileStream(tempOutputPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        await using var zip = await ZipArchive.CreateAsync(stream, ZipArchiveMode.Create, leaveOpen: false, entryNameEncoding: null, cancellationToken)
            .ConfigureAwait(false);
        for (var i = 0; i < frames.Length; i++)
        {
            // PNG and EXR are compressed already: deflating them again costs time for a percent or two.
            await AddFileAsync(zip, frames[i], CompressionLevel.NoCompression, (input, output, ct) => CopyFrameAsync(f, input, output, ct), cancellationToken)
                .ConfigureAwait(false);
            progress((i + 1.0) / (frames.Length + 1));
        }

        if (r.Audio)
        {
            await AddFileAsync(zip, audio, CompressionLevel.Fastest, static (input, output, ct) => input.CopyToAsync(output, ct), cancellationToken)
                .ConfigureAwait(false);
        }

        if (f.Colour != PreviewColour.Untagged)
        {
            await AddBytesAsync(zip, "colorimetry.json", ColorimetryJson(r, f, frames.Length), cancellationToken).ConfigureAwait(false);
        }

        if (f.AcesVersion is not null)
        {
            await AddBytesAsync(zip, "provenance.json", ProvenanceJson(r, f, frames.Length), cancellationToken).ConfigureAwait(false);
        }

        progress(1.0);
    }

    private static Task CopyFrameAsync(FormatSpec f, Stream input, Stream output, CancellationToken cancellationToken) => f switch
    {
        { Codec: PreviewCodec.Png, Colour: PreviewColour.Pq } => CopyPngWithCicpAsync(input, output, cancellationToken),
        { Codec: PreviewCodec.Exr } => CopyExrWithChromaticitiesAsync(input, output, Chromaticities(f.Colour), cancellationToken),
        _ => input.CopyToAsync(output, cancellationToken),
    };

    private static async Task AddFileAsync(
        ZipArchive zip, string path, CompressionLevel level, Func<Stream, Stream, CancellationToken, Task> copy, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var entry = zip.CreateEntry(Path.GetFileName(path), level);
        entry.LastWriteTime = ZipEntryTime;
        await using var input = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        await using var output = await entry.OpenAsync(cancellationToken).ConfigureAwait(false);
        await copy(input, output, cancellationToken).ConfigureAwait(false);
    }

    private static async Task AddBytesAsync(ZipArchive zip, string name, byte[] bytes, CancellationToken cancellationToken)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
        entry.LastWriteTime = ZipEntryTime;
        await using var output = await entry.OpenAsync(cancellationToken).ConfigureAwait(false);
        await output.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>What the frames hold, stated plainly (including that this is a preview mapping, not a grade).</summary>
    private static byte[] ColorimetryJson(PreviewRenderRequest r, FormatSpec f, int frames) => WriteJson(w =>
    {
        w.WriteBoolean("preview", true);
        w.WriteString("format", f.Name);
        WriteFrameFacts(w, r, f, frames);
        var (primaries, white, transfer) = f.Colour switch
        {
            PreviewColour.Pq => ("bt2020", "D65", "smpte2084"),
            PreviewColour.LinearAcesCg => ("aces-ap1", "ACES (~D60)", "linear"),
            _ => ("bt709", "D65", "linear"),
        };
        w.WriteString("primaries", primaries);
        w.WriteString("whitePoint", white);
        w.WriteString("transfer", transfer);
        w.WriteString("matrix", "rgb");
        w.WriteString("range", "full");
        w.WriteStartArray("chromaticities");
        foreach (var value in Chromaticities(f.Colour))
        {
            w.WriteNumberValue(Math.Round(value, 5));
        }

        w.WriteEndArray();
        if (f.Colour == PreviewColour.Pq)
        {
            w.WriteNumber("referenceWhiteNits", PqReferenceWhiteNits);
            w.WriteString("inFileTags", "cICP chunk 9/16/0/1 (BT.2020, PQ, RGB, full range) and cHRM in every frame");
        }
        else
        {
            w.WriteNumber("referenceWhite", 1.0);
            w.WriteString("inFileTags", "OpenEXR chromaticities attribute in every frame");
        }

        w.WriteString("conversion", "SDR render (BT.709 primaries, BT.1886 gamma 2.4) mapped by a 33-point 3D LUT; " +
            "SDR white is placed at the reference white above. Not an HDR grade: nothing exceeds reference white.");
    });

    private static byte[] ProvenanceJson(PreviewRenderRequest r, FormatSpec f, int frames) => WriteJson(w =>
    {
        w.WriteBoolean("preview", true);
        w.WriteString("generator", "Reelay preview engine (ffmpeg, exr encoder)");
        w.WriteString("format", f.Name);
        w.WriteString("acesVersion", f.AcesVersion);
        w.WriteString("colorSpace", "ACEScg");
        w.WriteString("encoding", "AP1 primaries, linear, half float; the same in ACES 1.3 and 2.0");
        w.WriteString("source", r.VideoPath is not null ? "video-to-video" : r.ImagePath is not null ? "image-to-video" : "text-to-video");
        w.WriteNumber("seed", r.Seed);
        WriteFrameFacts(w, r, f, frames);
        w.WriteString("inputTransform", "none (not an ACES IDT): BT.1886 decode, then BT.709 to AP1 with a Bradford D65 to D60 adaptation");
        w.WriteBoolean("acesContainer", false);
    });

    private static void WriteFrameFacts(Utf8JsonWriter w, PreviewRenderRequest r, FormatSpec f, int frames)
    {
        w.WriteNumber("width", r.Width);
        w.WriteNumber("height", r.Height);
        w.WriteNumber("framesPerSecond", FramesPerSecond);
        w.WriteNumber("frames", frames);
        w.WriteString("framePattern", "frame.%04d" + f.FrameExtension);
        w.WriteString("pixels", f.Codec == PreviewCodec.Exr ? "RGB half float (16-bit), ZIP16 compression" : "RGB 16 bits per channel");
    }

    private static byte[] WriteJson(Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
