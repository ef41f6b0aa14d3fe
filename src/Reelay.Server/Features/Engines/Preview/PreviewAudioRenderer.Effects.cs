using static System.FormattableString;

namespace Reelay.Server.Features.Engines.Preview;

// Sound effects: a synthesized sound whose character follows the description (noise beds for rain, wind or crowds;
// struck partials for bells, chimes and beeps; a rumbling swell otherwise), exactly the requested length.
public static partial class PreviewAudioRenderer
{
    private static readonly string[] NoiseWords = ["rain", "wind", "water", "ocean", "wave", "storm", "fire", "crackl", "crowd", "applause", "static", "steam", "hiss", "traffic", "breeze", "river", "shower"];
    private static readonly string[] ToneWords = ["bell", "chime", "ring", "beep", "alarm", "whistle", "ding", "notification", "laser", "synth", "music", "piano", "melody", "tone"];

    /// <summary>Which of the three sounds a description asks for: "noise", "tone" or "swell".</summary>
    internal static string EffectCharacter(string? text)
    {
        var t = (text ?? "").ToLowerInvariant();
        return NoiseWords.Any(t.Contains) ? "noise" : ToneWords.Any(t.Contains) ? "tone" : "swell";
    }

    private static (List<string> Inputs, string Graph) SoundEffectGraph(AudioRenderRequest r)
    {
        var seconds = Math.Max(0.1, r.Seconds);
        // A loop is rendered a little longer and its overhang cross-faded into its start, so the last sample leads into the first.
        var overlap = r.Loop ? Math.Min(1, seconds / 4) : 0;
        var rate = Rate(r);
        var hash = (ulong)(r.Seed ^ (long)StableHash(r.Text ?? ""));
        var source = Synth(EffectCharacter(r.Text), hash, seconds + overlap, rate);
        string fx;
        if (r.Loop)
        {
            fx = Invariant($"{source},asplit=2[head][tail];[head]atrim=0:{Num(seconds)},afade=t=in:st=0:d={Num(overlap)}:curve=qsin[h];") +
                 Invariant($"[tail]atrim={Num(seconds)}:{Num(seconds + overlap)},asetpts=PTS-STARTPTS,afade=t=out:st=0:d={Num(overlap)}:curve=qsin[t];") +
                 "[h][t]amix=inputs=2:duration=first:normalize=0[fx]";
        }
        else
        {
            var fadeOut = Math.Min(0.3, seconds / 4);
            fx = Invariant($"{source},afade=t=in:d={Num(Math.Min(0.01, seconds / 10))},afade=t=out:st={Num(seconds - fadeOut)}:d={Num(fadeOut)},atrim=duration={Num(seconds)}[fx]");
        }
        var inputs = new List<string>();
        var mix = "[fx]";
        for (var i = 0; i < r.References.Count; i++)
        {
            inputs.AddRange(["-i", r.References[i]]);
            fx += Invariant($";[{i}:a:0]aresample={rate},aformat=channel_layouts=stereo,apad,atrim=duration={Num(seconds)},volume=0.5[ref{i}]");
            mix += $"[ref{i}]";
        }
        var graph = r.References.Count == 0
            ? fx + Invariant($";[fx]volume={Num(r.Loudness)}[out]")
            : fx + Invariant($";{mix}amix=inputs={r.References.Count + 1}:duration=first:normalize=0,volume={Num(r.Loudness)}[out]");
        return (inputs, graph);
    }

    /// <summary>A stereo source filter of the given length: seed-varied noise bed, struck partials, or a swell.</summary>
    private static string Synth(string character, ulong hash, double seconds, string rate)
    {
        var d = Num(seconds);
        var seed = (int)(hash % 100000);
        switch (character)
        {
            case "noise":
                var cutoff = 1500 + (int)(hash % 5000);
                return Invariant($"anoisesrc=d={d}:c=pink:r={rate}:a=0.5:seed={seed},lowpass=f={cutoff},highpass=f=120,") +
                       Invariant($"tremolo=f={Num(0.2 + hash % 5 / 10.0)}:d=0.35,aformat=channel_layouts=stereo");
            case "tone":
                var f = 440 + (int)(hash % 880);
                var period = Num(0.4 + hash % 8 / 10.0);
                var e = Invariant($"0.35*sin(2*PI*{f}*t)*exp(-4*mod(t\\,{period}))+0.18*sin(2*PI*{Num(f * 2.76)}*t)*exp(-7*mod(t\\,{period}))+0.08*sin(2*PI*{Num(f * 5.4)}*t)*exp(-11*mod(t\\,{period}))");
                return Invariant($"aevalsrc=exprs={e}|{e}:s={rate}:d={d}");
            default:
                var low = 40 + (int)(hash % 40);
                return Invariant($"anoisesrc=d={d}:c=brown:r={rate}:a=0.6:seed={seed},lowpass=f=900,tremolo=f=0.5:d=0.6,aformat=channel_layouts=stereo[n];") +
                       Invariant($"aevalsrc=exprs=0.25*sin(2*PI*{low}*t)*(0.6+0.4*sin(2*PI*0.25*t))|0.25*sin(2*PI*{low * 1.01}*t)*(0.6+0.4*sin(2*PI*0.25*t)):s={rate}:d={d}[s];") +
                       "[n][s]amix=inputs=2:duration=first:normalize=0";
        }
    }

    /// <summary>FNV-1a: the same description gives the same sound on every machine and run.</summary>
    private static ulong StableHash(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in text) hash = (hash ^ c) * 1099511628211UL;
        return hash;
    }
}
