using static System.FormattableString;

namespace Reelay.Server.Features.Engines.Preview;

// Transforms of an input's audio, always exactly the input's length: a voice change (pitch and formants shifted
// together, tempo restored so the timing is kept), a dub (the changed voice under speech in the target language) and
// voice isolation (the band outside the voice cut and the broadband noise reduced).
public static partial class PreviewAudioRenderer
{
    /// <summary>The background filter: rumble and hiss outside the voice band cut, then FFT denoising of what remains.</summary>
    public const string IsolationFilter = "highpass=f=100,lowpass=f=7500,afftdn=nr=24:nf=-40:tn=1";

    private static (List<string> Inputs, string Graph) TransformGraph(AudioRenderRequest r)
    {
        var input = Invariant($"[0:a:0]aresample=48000,aformat=channel_layouts=mono{(r.RemoveBackground || r.Kind == AudioRenderKind.Isolation ? "," + IsolationFilter : "")}");
        var changed = r.Kind == AudioRenderKind.Isolation ? input : input + "," + Shift(PreviewVoices.For(r.Voice).PitchFactor);
        return (["-i", r.InputPath!], changed + Invariant($",{Length(r)},aresample={Rate(r)},volume={Num(r.Loudness)}[out]"));
    }

    /// <summary>The changed voice at a lower level with the target language spoken over it from the start.</summary>
    private static async Task<(List<string> Inputs, string Graph)> DubbingGraphAsync(AudioRenderRequest r, string work, CancellationToken cancellationToken)
    {
        var spoken = Path.Combine(work, "dub.wav");
        var voice = PreviewVoices.For(r.Voice);
        await SpeakAsync(r, SpokenText(r.Text), r.Language, voice, 1, 0, spoken, cancellationToken);
        var background = r.RemoveBackground ? "," + IsolationFilter : "";
        var graph = Invariant($"[0:a:0]aresample=48000,aformat=channel_layouts=mono{background},{Shift(voice.PitchFactor)},volume=0.35[bed];") +
                    "[1:a]aresample=48000,aformat=channel_layouts=mono[dub];" +
                    Invariant($"[bed][dub]amix=inputs=2:duration=first:normalize=0,{Length(r)},aresample={Rate(r)},volume={Num(r.Loudness)}[out]");
        return (["-i", r.InputPath!, "-i", spoken], graph);
    }

    /// <summary>Pitch and formants up by <paramref name="factor"/> (playing faster), then the tempo slowed back: same length.</summary>
    private static string Shift(double factor) =>
        Math.Abs(factor - 1) < 0.001 ? "anull" : Invariant($"asetrate={Num(48000 * factor)},aresample=48000,atempo={Num(1 / factor)}");

    /// <summary>Exactly the planned length (the input's): filters that re-time audio may end a few samples off.</summary>
    private static string Length(AudioRenderRequest r) => Invariant($"apad,atrim=duration={Num(Math.Max(0.05, r.Seconds))}");
}
