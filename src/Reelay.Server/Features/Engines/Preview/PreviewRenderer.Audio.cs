using static System.FormattableString;

namespace Reelay.Server.Features.Engines.Preview;

// The audio track: the source's own audio for video-to-video, otherwise a soft chord chosen from the seed.
public static partial class PreviewRenderer
{
    public const int AudioSampleRate = 48000;

    // Roots from F3 to E4 (Hz) and chord shapes as just-intonation ratios of the third and fifth.
    private static readonly double[] ChordRoots = [174.61, 196.00, 220.00, 246.94, 261.63, 293.66, 329.63];
    private static readonly (double Third, double Fifth)[] ChordShapes = [(5 / 4.0, 3 / 2.0), (6 / 5.0, 3 / 2.0), (4 / 3.0, 3 / 2.0), (9 / 8.0, 3 / 2.0)];

    /// <summary>The three frequencies (Hz) of the synthesized chord for <paramref name="seed"/>.</summary>
    internal static double[] ChordFrequencies(long seed)
    {
        var root = ChordRoots[(int)(Mix(seed, 8) % (ulong)ChordRoots.Length)];
        var (third, fifth) = ChordShapes[(int)(Mix(seed, 9) % (ulong)ChordShapes.Length)];
        return [root, root * third, root * fifth];
    }

    /// <summary>The filtergraph chain that ends in <c>[a]</c>, exactly the rendered duration long.</summary>
    private static string AudioGraph(PreviewRenderRequest r, bool sourceHasAudio)
    {
        var seconds = RenderedSeconds(r);
        if (sourceHasAudio)
        {
            // -stream_loop on the input repeats the audio along with the picture; atrim cuts it to the same length.
            return Invariant($"[0:a:0]aformat=sample_rates={AudioSampleRate}:channel_layouts=stereo,") +
                   Invariant($"atrim=duration={Num(seconds)},asetpts=N/SR/TB[a]");
        }

        var f = ChordFrequencies(r.Seed);
        // A slow swell and a slightly detuned right channel keep it from sounding like a test tone.
        var swell = Invariant($"(0.85+0.15*sin(2*PI*{Num(0.25 + (Mix(r.Seed, 10) % 4) / 8.0)}*t))");
        string Voice(double detune) =>
            Invariant($"{swell}*(0.2*sin(2*PI*{Num(f[0] * detune)}*t)+0.14*sin(2*PI*{Num(f[1] * detune)}*t)+0.14*sin(2*PI*{Num(f[2] * detune)}*t))");

        // Short fades so the first and last samples do not click.
        return Invariant($"aevalsrc=exprs={Voice(1)}|{Voice(1.002)}:s={AudioSampleRate}:c=stereo:d={Num(seconds)},") +
               Invariant($"afade=t=in:d=0.02,afade=t=out:st={Num(Math.Max(0, seconds - 0.05))}:d=0.05,") +
               Invariant($"atrim=duration={Num(seconds)},asetpts=N/SR/TB[a]");
    }
}
