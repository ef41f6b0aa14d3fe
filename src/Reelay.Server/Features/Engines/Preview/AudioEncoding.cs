namespace Reelay.Server.Features.Engines.Preview;

/// <summary>The encoder arguments of each audio outputFormat, and the sample rate each can carry.</summary>
public static class AudioEncoding
{
    public const int DefaultSampleRate = 44100;

    /// <summary>Opus codes at 8, 12, 16, 24 or 48 kHz only; another rate is coded at the next one up (48 kHz at most).</summary>
    public static int CodedSampleRate(string format, int sampleRate) => format == "ogg_opus"
        ? new[] { 8000, 12000, 16000, 24000, 48000 }.FirstOrDefault(r => r >= sampleRate, 48000)
        : sampleRate;

    /// <summary>ffmpeg output options (codec, rate, container) for <paramref name="format"/>: wav, mp3 or ogg_opus.</summary>
    public static IReadOnlyList<string> Arguments(string format, int sampleRate)
    {
        var rate = CodedSampleRate(format, sampleRate).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return format switch
        {
            "wav" => ["-c:a", "pcm_s16le", "-ar", rate, "-f", "wav"],
            "ogg_opus" => ["-c:a", "libopus", "-b:a", "64k", "-ar", rate, "-f", "ogg"],
            _ => ["-c:a", "libmp3lame", "-b:a", sampleRate <= 16000 ? "32k" : "128k", "-ar", rate, "-f", "mp3"],
        };
    }
}
