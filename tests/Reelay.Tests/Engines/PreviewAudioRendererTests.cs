using System.Diagnostics;
using System.Text.Json;
using Reelay.Server.Features.Catalog;
using Reelay.Server.Features.Engines.Preview;

namespace Reelay.Tests.Engines;

/// <summary>
/// The preview engine's audio renders, checked by their decoded samples: speech from espeak-ng (one distinct voice
/// per Runway preset, speed), sound effects of the exact length with a seamless loop, voice changes that keep the
/// timing and move the pitch, dubs and isolation; each container and sample rate as asked.
/// </summary>
[Trait("Database", "independent")] // the renderer in-process: no server, no database
public sealed class PreviewAudioRendererTests : PreviewTempDirectory
{
    private const int Rate = 16000;

    private async Task<string> RenderAsync(AudioRenderRequest request)
    {
        await PreviewAudioRenderer.RenderAsync(request, _ => { }, CancellationToken.None);
        Assert.True(File.Exists(request.OutputPath), request.OutputPath);
        return request.OutputPath;
    }

    private AudioRenderRequest Request(AudioRenderKind kind, string name, double seconds = 2, string format = "wav", int sampleRate = Rate) =>
        new(kind, Path.Combine(Root, name), format, sampleRate, seconds, 7);

    [Fact]
    public void Every_preset_of_the_catalog_has_its_own_espeak_voice()
    {
        var presets = ModelCatalog.Load(null).Find("eleven_v3")!.Endpoints["text_to_speech"].Fields["voice"].Properties!["presetId"].Enum!
            .Select(e => e.GetValue<string>()).ToList();
        Assert.Equal(49, presets.Count);
        Assert.Equal(presets.Order(), PreviewVoices.Presets.Order());
        var voices = presets.Select(p => PreviewVoices.For(p)).ToList();
        Assert.Equal(voices.Count, voices.Select(v => (v.Variant, v.Pitch)).Distinct().Count());
        Assert.DoesNotContain(PreviewVoices.Default, voices);
    }

    [Fact]
    public async Task Speech_is_spoken_text_whose_length_follows_the_words_and_the_speed()
    {
        var text = "The preview engine speaks every word of the prompt, slowly or quickly.";
        var normal = Samples(await RenderAsync(Request(AudioRenderKind.Speech, "normal.wav") with { Text = text, Voice = "Maya" }));
        var fast = Samples(await RenderAsync(Request(AudioRenderKind.Speech, "fast.wav") with { Text = text, Voice = "Maya", Speed = 1.2 }));
        var slow = Samples(await RenderAsync(Request(AudioRenderKind.Speech, "slow.wav") with { Text = text, Voice = "Maya", Speed = 0.7 }));
        var shortText = Samples(await RenderAsync(Request(AudioRenderKind.Speech, "short.wav") with { Text = "Hello.", Voice = "Maya" }));
        Assert.True(fast.Length < normal.Length && normal.Length < slow.Length, $"{fast.Length} {normal.Length} {slow.Length}");
        Assert.True(shortText.Length * 3 < normal.Length, $"{shortText.Length} vs {normal.Length}");
        Assert.InRange(normal.Length / (double)Rate, 2.5, 7);
        Assert.True(Rms(normal) > 0.02, "speech is audible");
    }

    [Fact]
    public async Task Two_presets_sound_different_and_a_low_character_voice_is_lower_than_a_high_one()
    {
        var low = await RenderAsync(Request(AudioRenderKind.Speech, "clint.wav") with { Text = "Listen to my voice.", Voice = "Clint" });
        var high = await RenderAsync(Request(AudioRenderKind.Speech, "niki.wav") with { Text = "Listen to my voice.", Voice = "Niki" });
        Assert.NotEqual(Samples(low), Samples(high));
        // Below 400 Hz only the voice's fundamental is left: its zero crossings are twice its pitch.
        var (lowPitch, highPitch) = (CrossingsPerSecond(Samples(low, "lowpass=f=400,lowpass=f=400")), CrossingsPerSecond(Samples(high, "lowpass=f=400,lowpass=f=400")));
        Assert.True(lowPitch * 1.2 < highPitch, $"{lowPitch} vs {highPitch} crossings a second");
    }

    [Theory]
    [InlineData("wav", 16000, "pcm_s16le", 16000)]
    [InlineData("mp3", 44100, "mp3", 44100)]
    [InlineData("mp3", 8000, "mp3", 8000)]
    [InlineData("ogg_opus", 24000, "opus", 48000)]
    public async Task Sound_effects_have_the_exact_length_in_the_container_and_rate_asked(string format, int sampleRate, string codec, int decodedRate)
    {
        var file = await RenderAsync(Request(AudioRenderKind.SoundEffect, "fx." + format switch { "ogg_opus" => "ogg", var f => f }, 1.5, format, sampleRate) with { Text = "a bell rings" });
        var (actualCodec, rate) = Probe(file);
        Assert.Equal((codec, decodedRate), (actualCodec, rate));
        Assert.InRange(Samples(file).Length / (double)Rate, 1.5 * 0.98, 1.5 * 1.02);
    }

    [Fact]
    public async Task A_looping_effect_runs_into_its_own_start_while_a_one_shot_fades_out()
    {
        var loop = Samples(await RenderAsync(Request(AudioRenderKind.SoundEffect, "loop.wav", 3) with { Text = "rain on a roof", Loop = true }));
        var once = Samples(await RenderAsync(Request(AudioRenderKind.SoundEffect, "once.wav", 3) with { Text = "rain on a roof" }));
        var window = Rate / 20;
        double Db(float[] s) => 20 * Math.Log10(Math.Max(1e-6, Rms(s)));
        var (loopEnd, loopStart) = (Db(loop[^window..]), Db(loop[..window]));
        Assert.True(Math.Abs(loopEnd - loopStart) < 4 && loopEnd > -40, $"loop: end {loopEnd:0.0} dB, start {loopStart:0.0} dB");
        Assert.True(Db(once[^(window / 5)..]) < Db(once[(once.Length / 2)..(once.Length / 2 + window)]) - 12, "a one-shot ends in a fade");
    }

    [Fact]
    public async Task Sound_effects_follow_their_description()
    {
        Assert.Equal("noise", PreviewAudioRenderer.EffectCharacter("Heavy rain and distant wind"));
        Assert.Equal("tone", PreviewAudioRenderer.EffectCharacter("A doorbell chime"));
        Assert.Equal("swell", PreviewAudioRenderer.EffectCharacter("A spaceship passes by"));
        var bell = Samples(await RenderAsync(Request(AudioRenderKind.SoundEffect, "bell.wav") with { Text = "a bell" }));
        var rain = Samples(await RenderAsync(Request(AudioRenderKind.SoundEffect, "rain.wav") with { Text = "rain" }));
        Assert.True(CrossingsPerSecond(rain) > CrossingsPerSecond(bell), "noise crosses zero far more often than struck partials");
    }

    [Fact]
    public async Task A_voice_change_keeps_the_timing_and_moves_the_pitch_by_the_presets_factor()
    {
        var input = Tone(Path.Combine(Root, "tone.wav"), 200, 3);
        foreach (var preset in new[] { "Pip", "Monster" })
        {
            var output = Samples(await RenderAsync(Request(AudioRenderKind.VoiceChange, $"{preset}.wav", 3) with { InputPath = input, Voice = preset }));
            Assert.InRange(output.Length / (double)Rate, 2.99, 3.01);
            var expected = 200 * PreviewVoices.For(preset).PitchFactor;
            Assert.InRange(CrossingsPerSecond(output) / 2, expected * 0.95, expected * 1.05);
        }
    }

    [Fact]
    public async Task A_dub_keeps_the_length_and_speaks_the_target_language_over_the_changed_voice()
    {
        var input = Tone(Path.Combine(Root, "voice.wav"), 180, 4);
        var french = await RenderAsync(Request(AudioRenderKind.Dubbing, "fr.wav", 4) with { InputPath = input, Text = PreviewVoices.LanguageName("fr") + ".", Language = "fr-fr", Voice = "Maya" });
        var german = await RenderAsync(Request(AudioRenderKind.Dubbing, "de.wav", 4) with { InputPath = input, Text = PreviewVoices.LanguageName("de") + ".", Language = "de", Voice = "Maya" });
        var fr = Samples(french);
        Assert.InRange(fr.Length / (double)Rate, 3.99, 4.01);
        Assert.NotEqual(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(french))),
            Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(german))));
        // The first second carries the spoken language name on top of the quieter bed.
        Assert.True(Rms(fr[..Rate]) > 1.3 * Rms(fr[^Rate..]), $"{Rms(fr[..Rate])} vs {Rms(fr[^Rate..])}");
    }

    [Fact]
    public async Task Isolation_keeps_the_voice_band_and_removes_hiss_and_rumble()
    {
        var noisy = Path.Combine(Root, "noisy.wav");
        Run("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=f=600:d=5:r=48000", "-f", "lavfi", "-i", "anoisesrc=d=5:c=white:a=0.2:r=48000",
            "-f", "lavfi", "-i", "sine=f=40:d=5:r=48000", "-filter_complex", "[0][1][2]amix=inputs=3:normalize=0", "-y", noisy);
        var output = await RenderAsync(Request(AudioRenderKind.Isolation, "clean.wav", 5, sampleRate: 48000) with { InputPath = noisy });
        Assert.InRange(Samples(output).Length / (double)Rate, 4.99, 5.01);
        Assert.True(BandDb(output, "highpass=f=10000,highpass=f=10000") < BandDb(noisy, "highpass=f=10000,highpass=f=10000") - 12, "hiss above the voice band is cut");
        Assert.True(BandDb(output, "lowpass=f=60,lowpass=f=60") < BandDb(noisy, "lowpass=f=60,lowpass=f=60") - 10, "rumble below it too");
        Assert.InRange(BandDb(output, "bandpass=f=600:width_type=q:w=8"), BandDb(noisy, "bandpass=f=600:width_type=q:w=8") - 3, 0);
    }

    [Fact]
    public void Expressive_tags_are_directions_not_words() =>
        Assert.Equal("Well,   that was close.", PreviewAudioRenderer.SpokenText("[laughs] Well, [whispers] that was close."));

    private static string Tone(string path, int frequency, double seconds)
    {
        Run("ffmpeg", "-v", "error", "-f", "lavfi", "-i", $"sine=f={frequency}:d={seconds}:r=48000", "-y", path);
        return path;
    }

    /// <summary>The file decoded to mono 16 kHz floats (what every check measures; container padding is dropped by the decoder).</summary>
    private static float[] Samples(string file, string filter = "anull")
    {
        var info = new ProcessStartInfo("ffmpeg") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-v", "error", "-i", file, "-af", filter, "-ac", "1", "-ar", Rate.ToString(), "-f", "f32le", "-" }) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        using var memory = new MemoryStream();
        process.StandardOutput.BaseStream.CopyTo(memory);
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        var bytes = memory.ToArray();
        var samples = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, samples, 0, samples.Length * 4);
        return samples;
    }

    private static double Rms(float[] s) => s.Length == 0 ? 0 : Math.Sqrt(s.Average(x => (double)x * x));

    private static double CrossingsPerSecond(float[] s)
    {
        var crossings = 0;
        for (var i = 1; i < s.Length; i++) if ((s[i - 1] < 0) != (s[i] < 0)) crossings++;
        return crossings / (s.Length / (double)Rate);
    }

    private static double BandDb(string file, string filter)
    {
        var output = Run("ffmpeg", "-v", "error", "-i", file, "-af", $"{filter},astats=metadata=1:reset=0,ametadata=print:key=lavfi.astats.Overall.RMS_level:file=-", "-f", "null", "-");
        var last = output.Split('\n').Last(l => l.StartsWith("lavfi.astats.Overall.RMS_level=", StringComparison.Ordinal));
        var value = last[(last.IndexOf('=') + 1)..];
        return value is "-inf" ? -200 : double.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static (string Codec, int Rate) Probe(string file)
    {
        using var doc = JsonDocument.Parse(Run("ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries", "stream=codec_name,sample_rate", "-of", "json", file));
        var s = doc.RootElement.GetProperty("streams")[0];
        return (s.GetProperty("codec_name").GetString()!, int.Parse(s.GetProperty("sample_rate").GetString()!));
    }

    private static string Run(string file, params string[] args) => Reelay.Tests.Infrastructure.Media.Run(file, args);
}
