using System.Globalization;
using static System.FormattableString;

namespace Reelay.Server.Features.Engines.Preview;

/// <summary>
/// The preview engine's audio outputs, rendered for real with Debian tools: speech with espeak-ng, sound effects
/// synthesized by ffmpeg, and voice changes, dubs and isolation as ffmpeg filter chains over the input. Every output
/// is encoded as asked (wav, mp3, ogg_opus at the sample rate) into a temp file beside the output, then moved there.
/// </summary>
public static partial class PreviewAudioRenderer
{
    public static async Task RenderAsync(AudioRenderRequest r, Action<double> progress, CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(r.OutputPath))!;
        var work = Path.Combine(directory, $".audio-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        try
        {
            progress(0.05);
            var (inputs, graph) = r.Kind switch
            {
                AudioRenderKind.Speech => await SpeechGraphAsync(r, work, cancellationToken),
                AudioRenderKind.SoundEffect => SoundEffectGraph(r),
                AudioRenderKind.Dubbing => await DubbingGraphAsync(r, work, cancellationToken),
                _ => TransformGraph(r),
            };
            progress(0.4);
            var temp = Path.Combine(work, "out" + Path.GetExtension(r.OutputPath));
            var args = new List<string> { "-hide_banner", "-loglevel", "error", "-nostdin", "-y" };
            args.AddRange(inputs);
            args.AddRange(["-filter_complex", graph, "-map", "[out]", "-map_metadata", "-1"]);
            args.AddRange(AudioEncoding.Arguments(r.Format, r.SampleRate));
            args.Add(temp);
            await RunAsync(r.FfmpegPath, args, "ffmpeg could not render the audio", cancellationToken);
            File.Move(temp, r.OutputPath, overwrite: true);
            progress(1);
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>espeak-ng says the text into a WAV; the graph resamples it, applies loudness and pitch, and ends in [out].</summary>
    private static async Task<(List<string> Inputs, string Graph)> SpeechGraphAsync(AudioRenderRequest r, string work, CancellationToken cancellationToken)
    {
        var voice = r.InputPath is not null ? ReferenceVoice(r.InputPath) : PreviewVoices.For(r.Voice);
        var spoken = Path.Combine(work, "speech.wav");
        await SpeakAsync(r, SpokenText(r.Text), r.Language, voice, r.Speed, r.PitchSemitones, spoken, cancellationToken);
        return (["-i", spoken], Invariant($"[0:a]aresample={Rate(r)},volume={Num(r.Loudness)},aformat=channel_layouts=mono[out]"));
    }

    /// <summary>Runs espeak-ng on a text file (the text is never an argument, so a prompt cannot be read as an option).</summary>
    internal static async Task SpeakAsync(AudioRenderRequest r, string text, string language, PreviewVoice voice, double speed, double semitones,
        string wavPath, CancellationToken cancellationToken)
    {
        var textFile = wavPath + ".txt";
        await File.WriteAllTextAsync(textFile, text, cancellationToken);
        var pitch = Math.Clamp((int)Math.Round(voice.Pitch + semitones * 4), 0, 99);
        var wordsPerMinute = Math.Clamp((int)Math.Round(175 * speed), 80, 450);
        await RunAsync(r.EspeakPath,
            ["-v", $"{language}+{voice.Variant}", "-p", Str(pitch), "-s", Str(wordsPerMinute), "-b", "1", "-f", textFile, "-w", wavPath],
            "espeak-ng could not speak the text", cancellationToken);
        if (!File.Exists(wavPath) || new FileInfo(wavPath).Length <= 44) throw new PreviewRenderException("espeak-ng produced no audio.");
    }

    /// <summary>What is said: the prompt without eleven_v3's expressive tags ("[laughs]"), which are directions, not words.</summary>
    internal static string SpokenText(string? text)
    {
        var spoken = TagPattern().Replace(text ?? "", " ").Trim();
        return spoken.Length > 0 ? spoken : "Hello.";
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\[[^\]\n]{0,40}\]")]
    private static partial System.Text.RegularExpressions.Regex TagPattern();

    /// <summary>
    /// A stand-in for voice cloning: a voice chosen from the reference clip's bytes, so the same reference always gives
    /// the same voice and different references usually differ.
    /// </summary>
    private static PreviewVoice ReferenceVoice(string path)
    {
        var presets = PreviewVoices.Presets.ToArray();
        var length = new FileInfo(path).Length;
        return PreviewVoices.For(presets[(int)(length % presets.Length)]);
    }

    internal static async Task RunAsync(string executable, IEnumerable<string> args, string what, CancellationToken cancellationToken)
    {
        var result = await FfmpegProcess.RunAsync(executable, args, _ => { }, cancellationToken);
        if (result.ExitCode != 0) throw new PreviewRenderException($"{what} ({result.ExitCode}): {string.Join(" | ", result.StderrTail)}");
    }

    private static string Rate(AudioRenderRequest r) => Str(AudioEncoding.CodedSampleRate(r.Format, r.SampleRate));

    internal static string Num(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);

    private static string Str(int value) => value.ToString(CultureInfo.InvariantCulture);
}
