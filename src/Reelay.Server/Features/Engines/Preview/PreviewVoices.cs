namespace Reelay.Server.Features.Engines.Preview;

/// <summary>An espeak-ng voice variant and base pitch (0–99, 50 normal) standing in for one Runway voice preset.</summary>
public sealed record PreviewVoice(string Variant, int Pitch, double PitchFactor);

/// <summary>
/// One distinct espeak-ng voice per Runway preset (the 49 ids of the SDK's VOICE type): a variant (female, male or a
/// character voice) and a pitch, so two presets never sound alike. PitchFactor is the same voice as a pitch shift,
/// what speech-to-speech and dubbing apply to an input voice.
/// </summary>
public static class PreviewVoices
{
    private static readonly Dictionary<string, (string Variant, int Pitch)> Table = new(StringComparer.Ordinal)
    {
        ["Maya"] = ("f1", 58), ["Serene"] = ("f2", 52), ["Mabel"] = ("f3", 64), ["Leslie"] = ("f4", 55), ["Eleanor"] = ("f5", 48),
        ["Sandra"] = ("linda", 54), ["Kylie"] = ("anika", 66), ["Lara"] = ("belinda", 56), ["Lisa"] = ("aunty", 60), ["Marlene"] = ("shelby", 50),
        ["Miriam"] = ("steph", 46), ["Paula"] = ("Annie", 58), ["Maggie"] = ("Alicia", 62), ["Katie"] = ("Andrea", 68), ["Rina"] = ("f1", 72),
        ["Ella"] = ("f2", 70), ["Mariah"] = ("f3", 44), ["Claudia"] = ("f4", 40), ["Niki"] = ("f5", 74), ["Myrna"] = ("grandma", 52),
        ["Wanda"] = ("linda", 42), ["Kiana"] = ("anika", 52), ["Rachel"] = ("belinda", 68),
        ["Arjun"] = ("m1", 42), ["Bernard"] = ("m2", 36), ["Billy"] = ("m3", 48), ["Mark"] = ("m4", 40), ["Clint"] = ("m5", 30),
        ["Chad"] = ("m6", 44), ["Elias"] = ("m7", 38), ["Elliot"] = ("m8", 46), ["Brodie"] = ("adam", 40), ["Kirk"] = ("benjamin", 34),
        ["Malachi"] = ("david", 32), ["Martin"] = ("edward", 42), ["Rusty"] = ("john", 28), ["Ragnar"] = ("boris", 24), ["Noah"] = ("paul", 46),
        ["James"] = ("rob", 38), ["Jack"] = ("robert", 44), ["Frank"] = ("max", 34), ["Vincent"] = ("Mike", 30), ["Kendrick"] = ("Michael", 36),
        ["Tom"] = ("gustave", 42), ["Benjamin"] = ("travis", 38),
        ["Grungle"] = ("croak", 14), ["Monster"] = ("Demonic", 8), ["Pip"] = ("Tweaky", 90), ["Xylar"] = ("UniRobot", 60),
    };

    /// <summary>The model's default voice (no preset, no reference audio).</summary>
    public static readonly PreviewVoice Default = new("f2", 50, 1);

    public static IReadOnlyCollection<string> Presets => Table.Keys;

    public static PreviewVoice For(string? preset)
    {
        if (preset is null || !Table.TryGetValue(preset, out var v)) return Default;
        // espeak's pitch 50 is the voice's own; 12 steps are about a fifth. As a shift: a factor of 0.75..1.6.
        var factor = Math.Round(Math.Pow(2, (v.Pitch - 50) / 12.0 * 7 / 12), 3);
        return new PreviewVoice(v.Variant, v.Pitch, Math.Clamp(factor, 0.7, 1.6));
    }

    /// <summary>The espeak-ng voice for an ISO 639-1 code (Runway's languageCode / targetLang); English when espeak has none.</summary>
    public static string Language(string? code) => code switch
    {
        null or "" or "en" => "en-us",
        "zh" => "cmn",
        "fil" or "tl" => "en-us", // espeak-ng has no Tagalog voice
        "es" => "es",
        "fr" => "fr-fr",
        "pt" => "pt-br",
        _ => code,
    };

    /// <summary>The name of a dub's target language in that language, what a dub says so a listener can tell it apart.</summary>
    public static string LanguageName(string code) => code switch
    {
        "en" => "English", "hi" => "हिन्दी", "pt" => "Português", "zh" => "中文", "es" => "Español", "fr" => "Français", "de" => "Deutsch",
        "ja" => "日本語", "ar" => "العربية", "ru" => "Русский", "ko" => "한국어", "id" => "Bahasa Indonesia", "it" => "Italiano",
        "nl" => "Nederlands", "tr" => "Türkçe", "pl" => "Polski", "sv" => "Svenska", "fil" => "Filipino", "ms" => "Bahasa Melayu",
        "ro" => "Română", "uk" => "Українська", "el" => "Ελληνικά", "cs" => "Čeština", "da" => "Dansk", "fi" => "Suomi", "bg" => "Български",
        "hr" => "Hrvatski", "sk" => "Slovenčina", "ta" => "தமிழ்",
        _ => code,
    };
}
