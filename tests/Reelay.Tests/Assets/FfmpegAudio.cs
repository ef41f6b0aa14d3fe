namespace Reelay.Tests.Assets;

/// <summary>Tiny real audio files (a 3 s 440 Hz sine) in every approved container, and non-audio, made once per test class by ffmpeg.</summary>
public sealed class FfmpegAudio : IDisposable
{
    public const double Seconds = 3;
    private const string Sine = "sine=frequency=440:duration=3";

    public FfmpegAudio()
    {
        Mp3 = Encode("tone.mp3", "-c:a", "libmp3lame");
        // No ID3 tag and no Xing header: the file starts straight with an MPEG frame.
        UntaggedMp3 = Encode("untagged.mp3", "-c:a", "libmp3lame", "-id3v2_version", "0", "-write_xing", "0");
        Wav = Encode("tone.wav", "-c:a", "pcm_s16le");
        Aac = Encode("tone.aac", "-c:a", "aac", "-f", "adts");
        Flac = Encode("tone.flac", "-c:a", "flac");
        Ogg = Encode("tone.ogg", "-c:a", "libvorbis");
        M4a = Encode("tone.m4a", "-c:a", "aac");
        // The same AAC in a plain MP4 (brand isom), as phone recorders write it.
        Mp4 = Encode("tone.mp4", "-c:a", "aac", "-f", "mp4");
        Png = Path.Combine(Dir, "frame.png");
        FfmpegEncoders.Run(["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=64x64", "-frames:v", "1", Png]);
        SilentVideo = Path.Combine(Dir, "silent.mp4");
        FfmpegEncoders.Run(["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=64x64:duration=1", "-c:v", "libx264", "-pix_fmt", "yuv420p", SilentVideo]);
    }

    public string Dir { get; } = Directory.CreateTempSubdirectory("reelay-audio-").FullName;
    public string Mp3 { get; }
    public string UntaggedMp3 { get; }
    public string Wav { get; }
    public string Aac { get; }
    public string Flac { get; }
    public string Ogg { get; }
    public string M4a { get; }
    public string Mp4 { get; }
    public string Png { get; }
    public string SilentVideo { get; }

    /// <summary>The fixture file by its name here ("Wav", "Png"…), so theories can name files in attributes.</summary>
    public string this[string name] => (string)typeof(FfmpegAudio).GetProperty(name)!.GetValue(this)!;

    public byte[] Head(string name, int length = 64) => File.ReadAllBytes(this[name]).AsSpan(0, length).ToArray();

    private string Encode(string name, params string[] codec)
    {
        var path = Path.Combine(Dir, name);
        FfmpegEncoders.Run(["-v", "error", "-y", "-f", "lavfi", "-i", Sine, .. codec, path]);
        return path;
    }

    public void Dispose() => Directory.Delete(Dir, recursive: true);
}
