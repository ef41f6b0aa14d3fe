namespace Reelay.Server.Features.Engines.Preview;

/// <summary>What the preview engine makes of an audio request: speech, a sound effect, or a transform of an input.</summary>
public enum AudioRenderKind { Speech, SoundEffect, VoiceChange, Dubbing, Isolation }

/// <summary>
/// One audio render. <paramref name="Seconds"/> is the planned length: exact for sound effects and transforms (the
/// input's own length), an estimate for speech (which lasts as long as it takes to say).
/// </summary>
public sealed record AudioRenderRequest(AudioRenderKind Kind, string OutputPath, string Format, int SampleRate, double Seconds, long Seed,
    string FfmpegPath = "ffmpeg")
{
    /// <summary>The words to say (speech), or the description of the sound (sound effects).</summary>
    public string? Text { get; init; }

    /// <summary>A Runway voice preset ("Maya"), or null for the model's default voice.</summary>
    public string? Voice { get; init; }

    /// <summary>An espeak-ng language ("en-us", "fr"): the spoken language of speech and of a dub.</summary>
    public string Language { get; init; } = "en-us";

    /// <summary>Speed multiplier (1 = normal), pitch shift in semitones, loudness multiplier (1 = unchanged).</summary>
    public double Speed { get; init; } = 1;
    public double PitchSemitones { get; init; }
    public double Loudness { get; init; } = 1;

    /// <summary>The input audio or video (transforms), or a reference voice to imitate (speech).</summary>
    public string? InputPath { get; init; }

    /// <summary>Reference clips mixed into a sound effect (seed_audio's referenceAudios).</summary>
    public IReadOnlyList<string> References { get; init; } = [];

    /// <summary>Sound effects: the end joins the start without a click or a jump.</summary>
    public bool Loop { get; init; }

    /// <summary>Transforms: filter the background out of the input first (removeBackgroundNoise, dropBackgroundAudio).</summary>
    public bool RemoveBackground { get; init; }

    public string EspeakPath { get; init; } = "espeak-ng";
}
