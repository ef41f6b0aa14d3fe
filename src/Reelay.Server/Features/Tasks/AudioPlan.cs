using System.Text.Json;
using System.Text.Json.Nodes;
using Reelay.Server.Features.Catalog;

namespace Reelay.Server.Features.Tasks;

/// <summary>
/// The length of an audio output, decided at submission (pure): the duration asked for, else the input's own length
/// (speech-to-speech, dubbing and isolation keep the input's timing), else an estimate from the prompt (speech: how
/// long it takes to say; a sound effect: a few seconds, more for a longer description).
/// </summary>
public static class AudioPlan
{
    /// <summary>Runway states no default container for audio; MP3 is what its docs' samples are.</summary>
    public const string DefaultFormat = "mp3";

    /// <summary>espeak-ng's default rate of 175 words a minute is about 14 characters a second of English text.</summary>
    public const double CharactersPerSecond = 14;

    public static double Seconds(EndpointDefinition endpoint, JsonObject options, IReadOnlyList<MediaInput> media)
    {
        if (JsonNumbers.Double(options["duration"] ?? endpoint.Defaults["duration"]) is { } asked) return asked;
        if (media.FirstOrDefault(m => m.Role == "source" && m.Seconds is > 0) is { Seconds: { } length }) return Math.Round(length, 3);
        var text = options["promptText"] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : "";
        if (endpoint.Fields.ContainsKey("voice")) return SpeechSeconds(text, JsonNumbers.Double(options["speed"]) ?? 1);
        // A sound effect without a duration: 2 s for a word or two, up to 10 s for a long description.
        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        return Math.Clamp(1 + 0.4 * words, 2, 10);
    }

    /// <summary>About how long <paramref name="text"/> takes to say at <paramref name="speed"/> (1 = normal).</summary>
    public static double SpeechSeconds(string text, double speed) =>
        Math.Round(Math.Max(0.5, text.Length / CharactersPerSecond / Math.Clamp(speed, 0.5, 2)), 3);
}
