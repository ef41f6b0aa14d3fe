using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using static Reelay.Tests.Engines.PreviewRendererSupport;

namespace Reelay.Tests.Engines;

/// <summary>Fixtures and output inspection for the format, layer and audio tests: ffprobe streams, raw frames, zips, EXR headers.</summary>
internal static class PreviewOutputSupport
{
    public sealed record StreamInfo(
        string Type, string Codec, string? Profile, string? PixelFormat, int Width, int Height,
        string? Transfer, string? Primaries, string? ColourSpace, double? DurationSeconds);

    public sealed record MediaInfo(IReadOnlyList<StreamInfo> Streams, double DurationSeconds)
    {
        public StreamInfo Video => Streams.Single(s => s.Type == "video");

        public StreamInfo? Audio => Streams.SingleOrDefault(s => s.Type == "audio");
    }

    /// <param name="still">A single image file: read as one file, not as an image2 pattern (the test paths contain %d).</param>
    public static async Task<MediaInfo> ProbeStreamsAsync(string path, bool still = false)
    {
        Assert.True(File.Exists(path), $"missing output {path}");
        var (exitCode, stdout, stderr) = await RunAsync("ffprobe",
        [
            "-v", "error", .. (still ? new[] { "-f", "image2", "-pattern_type", "none" } : []),
            "-show_entries", "stream=codec_type,codec_name,profile,pix_fmt,width,height,color_transfer,color_primaries,color_space,duration:format=duration",
            "-of", "json", "file:" + path,
        ]);
        Assert.True(exitCode == 0, $"ffprobe failed: {stderr}");
        using var json = JsonDocument.Parse(stdout);
        var streams = json.RootElement.GetProperty("streams").EnumerateArray().Select(s => new StreamInfo(
            s.GetProperty("codec_type").GetString()!,
            s.GetProperty("codec_name").GetString()!,
            Text(s, "profile"),
            Text(s, "pix_fmt"),
            s.TryGetProperty("width", out var w) ? w.GetInt32() : 0,
            s.TryGetProperty("height", out var h) ? h.GetInt32() : 0,
            Text(s, "color_transfer"),
            Text(s, "color_primaries"),
            Text(s, "color_space"),
            Text(s, "duration") is { } d ? double.Parse(d, CultureInfo.InvariantCulture) : null)).ToList();
        var duration = json.RootElement.TryGetProperty("format", out var format) && Text(format, "duration") is { } fd
            ? double.Parse(fd, CultureInfo.InvariantCulture)
            : 0;
        return new MediaInfo(streams, duration);
    }

    /// <summary>Frame <paramref name="index"/> of a video as packed RGB24 (selected by number, so no seeking slop).</summary>
    public static async Task<byte[]> FrameRgbAsync(string video, int index, string scratchDirectory)
    {
        var raw = Path.Combine(scratchDirectory, $"frame-{Guid.NewGuid():N}.rgb");
        var (exitCode, _, stderr) = await RunAsync("ffmpeg",
            ["-v", "error", "-nostdin", "-y", "-i", "file:" + video, "-vf", $"select=eq(n\\,{index})", "-frames:v", "1",
                "-f", "rawvideo", "-pix_fmt", "rgb24", "file:" + raw]);
        Assert.True(exitCode == 0, $"frame extraction failed: {stderr}");
        var bytes = await File.ReadAllBytesAsync(raw);
        File.Delete(raw);
        Assert.NotEmpty(bytes);
        return bytes;
    }

    /// <summary>The average colour of the pixels in the given rectangle of a packed RGB24 frame.</summary>
    public static (double R, double G, double B) Average(byte[] rgb, int width, int x0 = 0, int y0 = 0, int w = -1, int h = -1)
    {
        var height = rgb.Length / 3 / width;
        w = w < 0 ? width : w;
        h = h < 0 ? height : h;
        double r = 0, g = 0, b = 0;
        for (var y = y0; y < y0 + h; y++)
        {
            for (var x = x0; x < x0 + w; x++)
            {
                var i = (y * width + x) * 3;
                r += rgb[i];
                g += rgb[i + 1];
                b += rgb[i + 2];
            }
        }

        var n = (double)w * h;
        return (r / n, g / n, b / n);
    }

    /// <summary>Whether some <paramref name="block"/>-sized square of the frame averages to pure green.</summary>
    public static bool HasGreenBlock(byte[] rgb, int width, int block = 12)
    {
        var height = rgb.Length / 3 / width;
        for (var y = 0; y + block <= height; y += block / 2)
        {
            for (var x = 0; x + block <= width; x += block / 2)
            {
                var (r, g, b) = Average(rgb, width, x, y, block, block);
                if (IsColour((r, g, b), "green"))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Mostly the named primary: that channel high, the other two low.</summary>
    public static bool IsColour((double R, double G, double B) c, string colour) => colour switch
    {
        "red" => c.R > 180 && c.G < 70 && c.B < 70,
        "green" => c.G > 180 && c.R < 70 && c.B < 70,
        "blue" => c.B > 180 && c.R < 70 && c.G < 70,
        _ => throw new ArgumentOutOfRangeException(nameof(colour)),
    };

    public static async Task<string> MakeSolidImageAsync(string directory, string fileName, string colour, int width = 160, int height = 90)
    {
        var path = Path.Combine(directory, fileName);
        Directory.CreateDirectory(directory);
        var (exitCode, _, stderr) = await RunAsync("ffmpeg",
            ["-v", "error", "-nostdin", "-y", "-f", "lavfi", "-i", $"color=c={colour}:s={width}x{height}", "-frames:v", "1", "-update", "1", "file:" + path]);
        Assert.True(exitCode == 0, $"fixture ffmpeg failed: {stderr}");
        return path;
    }

    /// <summary>A small test-pattern video, optionally with a silent audio track (so kept audio is told from a synthesized chord).</summary>
    public static async Task<string> MakeVideoAsync(string directory, string fileName, double seconds, bool silentAudio)
    {
        var path = Path.Combine(directory, fileName);
        Directory.CreateDirectory(directory);
        var duration = seconds.ToString(CultureInfo.InvariantCulture);
        List<string> args = ["-v", "error", "-nostdin", "-y", "-f", "lavfi", "-i", $"testsrc=s=320x240:r=24:d={duration}"];
        if (silentAudio)
        {
            args.AddRange(["-f", "lavfi", "-i", $"anullsrc=r=48000:cl=stereo:d={duration}", "-c:a", "aac", "-shortest"]);
        }

        args.AddRange(["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "file:" + path]);
        var (exitCode, _, stderr) = await RunAsync("ffmpeg", args);
        Assert.True(exitCode == 0, $"fixture ffmpeg failed: {stderr}");
        return path;
    }

    /// <summary>The mean volume (dB) ffmpeg's volumedetect reports for the first audio stream.</summary>
    public static async Task<double> MeanVolumeAsync(string path)
    {
        var (exitCode, _, stderr) = await RunAsync("ffmpeg", ["-nostdin", "-hide_banner", "-i", "file:" + path, "-map", "0:a:0", "-af", "volumedetect", "-f", "null", "-"]);
        Assert.True(exitCode == 0, $"volumedetect failed: {stderr}");
        var line = stderr.Split('\n').Single(l => l.Contains("mean_volume:", StringComparison.Ordinal));
        var value = line[(line.IndexOf("mean_volume:", StringComparison.Ordinal) + 12)..].Replace("dB", "", StringComparison.Ordinal).Trim();
        return double.Parse(value, CultureInfo.InvariantCulture);
    }

    /// <summary>The average luma (in 10-bit code values for 10-bit video) of frame <paramref name="index"/>, from signalstats.</summary>
    public static async Task<double> AverageLumaAsync(string video, int index)
    {
        var (exitCode, _, stderr) = await RunAsync("ffmpeg",
            ["-nostdin", "-hide_banner", "-i", "file:" + video, "-vf", $"select=eq(n\\,{index}),signalstats,metadata=print:key=lavfi.signalstats.YAVG",
                "-frames:v", "1", "-f", "null", "-"]);
        Assert.True(exitCode == 0, $"signalstats failed: {stderr}");
        var line = stderr.Split('\n').First(l => l.Contains("lavfi.signalstats.YAVG=", StringComparison.Ordinal));
        return double.Parse(line[(line.IndexOf('=', StringComparison.Ordinal) + 1)..].Trim(), CultureInfo.InvariantCulture);
    }

    /// <summary>Extracts <paramref name="entryName"/> from a zip into <paramref name="directory"/> and returns its path.</summary>
    public static string ExtractEntry(ZipArchive zip, string entryName, string directory)
    {
        var path = Path.Combine(directory, $"{Guid.NewGuid():N}-{entryName}");
        zip.GetEntry(entryName)!.ExtractToFile(path);
        return path;
    }

    /// <summary>OpenEXR header attributes (name → (type, value bytes)) of a single-part file.</summary>
    public static Dictionary<string, (string Type, byte[] Value)> ExrAttributes(byte[] file)
    {
        Assert.Equal(20000630, BitConverter.ToInt32(file, 0));
        var attributes = new Dictionary<string, (string, byte[])>();
        var i = 8;
        while (file[i] != 0)
        {
            var name = ReadString(file, ref i);
            var type = ReadString(file, ref i);
            var size = BitConverter.ToInt32(file, i);
            attributes[name] = (type, file[(i + 4)..(i + 4 + size)]);
            i += 4 + size;
        }

        return attributes;
    }

    /// <summary>The pixel type (0 uint, 1 half, 2 float) of each channel in an EXR chlist attribute.</summary>
    public static Dictionary<string, int> ExrChannelTypes(byte[] chlist)
    {
        var channels = new Dictionary<string, int>();
        var i = 0;
        while (chlist[i] != 0)
        {
            var name = ReadString(chlist, ref i);
            channels[name] = BitConverter.ToInt32(chlist, i);
            i += 16; // pixel type, pLinear + reserved, xSampling, ySampling
        }

        return channels;
    }

    /// <summary>The chunk types of a PNG in order.</summary>
    public static List<string> PngChunks(byte[] png)
    {
        var chunks = new List<string>();
        for (var i = 8; i + 8 <= png.Length;)
        {
            var length = (png[i] << 24) | (png[i + 1] << 16) | (png[i + 2] << 8) | png[i + 3];
            chunks.Add(Encoding.ASCII.GetString(png, i + 4, 4));
            i += 12 + length;
        }

        return chunks;
    }

    private static string ReadString(byte[] bytes, ref int i)
    {
        var end = Array.IndexOf(bytes, (byte)0, i);
        var text = Encoding.ASCII.GetString(bytes, i, end - i);
        i = end + 1;
        return text;
    }

    private static string? Text(JsonElement element, string name)
        => element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
