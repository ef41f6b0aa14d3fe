using System.Text.Json;
using System.Text.Json.Nodes;
using Reelay.Server.Features.Catalog;
using Reelay.Server.Features.Engines.Preview;

namespace Reelay.Server.Features.Engines;

/// <summary>
/// How the preview engine reads an audio request (text_to_speech, sound_effect, speech_to_speech, voice_dubbing,
/// voice_isolation): the planned container and length, the voice preset, speed, pitch and loudness in the fields of
/// whichever model it is (eleven_v3's speed and languageCode, seed_audio's speechRate, pitchRate and loudnessRate).
/// </summary>
public static class PreviewAudioJob
{
    public static AudioRenderRequest For(EngineJob job)
    {
        var r = job.Request;
        var o = r.Options;
        var kind = r.Endpoint switch
        {
            "text_to_speech" => AudioRenderKind.Speech,
            "sound_effect" => AudioRenderKind.SoundEffect,
            "voice_dubbing" => AudioRenderKind.Dubbing,
            "voice_isolation" => AudioRenderKind.Isolation,
            _ => AudioRenderKind.VoiceChange,
        };
        var source = r.Media.FirstOrDefault(m => m.Role == "source");
        var reference = r.Media.FirstOrDefault(m => m.Role == "reference");
        var target = Text(o["targetLang"]);
        var request = new AudioRenderRequest(kind, job.OutputPath, r.Output.Format,
            (int)(Number(o["sampleRate"]) ?? AudioEncoding.DefaultSampleRate), r.Output.Seconds, r.Output.Seed, job.FfmpegPath)
        {
            Text = kind == AudioRenderKind.Dubbing ? PreviewVoices.LanguageName(target ?? "en") + "." : r.PromptText,
            Voice = Text(o["voice"]?["presetId"]) ?? DubbingVoice(o, target),
            Language = PreviewVoices.Language(target ?? Text(o["languageCode"])),
            // eleven_v3's speed is a multiplier; seed_audio's speechRate and loudnessRate are percentages around 0.
            Speed = Number(o["speed"]) ?? 1 + (Number(o["speechRate"]) ?? 0) / 100,
            PitchSemitones = Number(o["pitchRate"]) ?? 0,
            Loudness = Math.Max(0, 1 + (Number(o["loudnessRate"]) ?? 0) / 100),
            InputPath = source is not null ? job.InputPath(source) : kind == AudioRenderKind.Speech && reference is not null ? job.InputPath(reference) : null,
            References = kind == AudioRenderKind.SoundEffect ? r.WithRole("reference").Select(job.InputPath).ToList() : [],
            Loop = o["loop"]?.GetValueKind() == JsonValueKind.True,
            RemoveBackground = o["removeBackgroundNoise"]?.GetValueKind() == JsonValueKind.True || o["dropBackgroundAudio"]?.GetValueKind() == JsonValueKind.True,
        };
        return request;
    }

    /// <summary>A dub's new voice: one preset per target language, or the generic default when voice cloning is disabled.</summary>
    private static string? DubbingVoice(JsonObject o, string? target)
    {
        if (target is null || o["disableVoiceCloning"]?.GetValueKind() == JsonValueKind.True) return null;
        var presets = PreviewVoices.Presets.ToArray();
        return presets[(int)((uint)target.Aggregate(17, (h, c) => h * 31 + c) % presets.Length)];
    }

    private static string? Text(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    private static double? Number(JsonNode? node) => JsonNumbers.Double(node);
}
