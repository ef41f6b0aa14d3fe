namespace Reelay.Tests.Assets;

/// <summary>Tiny real videos (160x120, 1 s) and non-videos, made once per test class by ffmpeg in a temporary directory.</summary>
public sealed class FfmpegVideos : IDisposable
{
    private const string Source = "testsrc=size=160x120:duration=1";

    public FfmpegVideos()
    {
        Mp4 = Encode("clip.mp4", "-c:v", "libx264", "-pix_fmt", "yuv420p");
        Mov = Encode("clip.mov", "-c:v", "libx264", "-pix_fmt", "yuv420p");
        RawH264 = Encode("clip.h264", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-f", "h264");
        MatroskaH264 = Encode("clip.mkv", "-c:v", "libx264", "-pix_fmt", "yuv420p");
        Vp8Webm = FfmpegEncoders.Has("libvpx") ? Encode("vp8.webm", "-c:v", "libvpx") : null;
        Vp9Webm = FfmpegEncoders.Has("libvpx-vp9") ? Encode("vp9.webm", "-c:v", "libvpx-vp9") : null;
        TheoraOgg = FfmpegEncoders.Has("libtheora") ? Encode("clip.ogv", "-c:v", "libtheora") : null;
        Png = Path.Combine(Dir, "frame.png");
        FfmpegEncoders.Run(["-v", "error", "-y", "-f", "lavfi", "-i", Source, "-frames:v", "1", Png]);
        // An audio file with a picture: its only "video" stream is cover art.
        AudioWithCover = Path.Combine(Dir, "song.mp4");
        FfmpegEncoders.Run(["-v", "error", "-y", "-f", "lavfi", "-i", "sine=duration=1", "-i", Png, "-map", "0:a", "-map", "1:v",
            "-c:a", "aac", "-c:v", "png", "-disposition:v:0", "attached_pic", AudioWithCover]);
    }

    public string Dir { get; } = Directory.CreateTempSubdirectory("reelay-video-").FullName;
    public string Mp4 { get; }
    public string Mov { get; }
    public string RawH264 { get; }
    public string MatroskaH264 { get; }
    public string? Vp8Webm { get; }
    public string? Vp9Webm { get; }
    public string? TheoraOgg { get; }
    public string Png { get; }
    public string AudioWithCover { get; }

    public string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(Dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>A stand-in ffprobe (a shell script) for what real files cannot cheaply show: huge sizes, hangs, floods.</summary>
    public string FakeFfprobe(string script) => FakeFfprobeIn(Dir, script);

    /// <summary>The stand-in ffprobe, made in a fresh folder under <paramref name="dir"/>.</summary>
    public static string FakeFfprobeIn(string dir, string script)
    {
        var path = Path.Combine(Directory.CreateDirectory(Path.Combine(dir, "fake-" + Guid.NewGuid().ToString("N"))).FullName, "ffprobe");
        File.WriteAllText(path, "#!/bin/sh\n" + script + "\n");
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("The fake ffprobe is a POSIX shell script.");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    private string Encode(string name, params string[] codec)
    {
        var path = Path.Combine(Dir, name);
        FfmpegEncoders.Run(["-v", "error", "-y", "-f", "lavfi", "-i", Source, .. codec, path]);
        return path;
    }

    public void Dispose() => Directory.Delete(Dir, recursive: true);
}
