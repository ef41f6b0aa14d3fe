namespace Reelay.Cli.Commands;

/// <summary>How a command-line option becomes part of a create body.</summary>
public enum FieldKind
{
    /// <summary>A string as given.</summary>
    Text,
    /// <summary>A whole number.</summary>
    Integer,
    /// <summary>A number.</summary>
    Number,
    /// <summary>true when the flag is given.</summary>
    Flag,
    /// <summary>One URI; a local file is uploaded first.</summary>
    Media,
    /// <summary>Repeatable; each a {"uri": …} object (text_to_image's referenceImages).</summary>
    MediaReferences,
    /// <summary>A preset voice name, sent as {"type": "runway-preset", "presetId": …}.</summary>
    PresetVoice,
    /// <summary>One URI sent as {"type": <see cref="FieldOption.MediaType"/>, "uri": …}; a local file is uploaded first.</summary>
    TypedMedia,
}

/// <summary>
/// One option of a generate command. <paramref name="Fields"/> lists the body field names it may fill, most common
/// first: the server's OpenAPI document (generated from its catalog) says which one the chosen model takes.
/// A default is sent only to a model whose schema requires the field.
/// </summary>
public sealed record FieldOption(string Name, string Description, FieldKind Kind, string[] Fields, string? Default = null, bool Required = false, string? MediaType = null);

/// <summary>One `reelay generate …` command: an endpoint, its default model and its options. Every command has the same shape.</summary>
public sealed record GenerateSpec(string Command, string Endpoint, string Summary, string DefaultModel, IReadOnlyList<FieldOption> Options);

public static class GenerateSpecs
{
    private static FieldOption Prompt(bool required) => new("--prompt", "The prompt text", FieldKind.Text, ["promptText"], Required: required);
    private static FieldOption Ratio(string? fallback) => new("--ratio", $"width:height{(fallback is null ? "" : $" (default {fallback})")}", FieldKind.Text, ["ratio"], fallback);
    private static readonly FieldOption Seed = new("--seed", "0–4294967295", FieldKind.Integer, ["seed"]);
    private static FieldOption Duration(FieldKind kind = FieldKind.Integer, string? fallback = null) =>
        new("--duration", $"Seconds{(fallback is null ? "" : $" (default {fallback})")}", kind, ["duration"], fallback);

    public static readonly IReadOnlyList<GenerateSpec> All =
    [
        new("image-to-video", "image_to_video", "Animate an image", "gen4_turbo",
            [new("--image", "A local image (uploaded for you), or an https/data/runway URI", FieldKind.Media, ["promptImage"], Required: true), Prompt(false), Ratio("1280:720"), Duration(), Seed]),
        new("text-to-video", "text_to_video", "Render a video from a prompt", "gen4.5",
            [Prompt(true), Ratio("1280:720"), Duration(fallback: "5"), Seed]),
        new("video-to-video", "video_to_video", "Restyle or edit a video", "gen4_aleph",
            [new("--video", "A local video (uploaded for you), or an https/data/runway URI", FieldKind.Media, ["videoUri", "promptVideo"], Required: true), Prompt(true), Ratio("1280:720"), Duration(), Seed]),
        new("text-to-image", "text_to_image", "Render an image from a prompt", "gen4_image",
            [Prompt(true), Ratio("1920:1080"), new("--image", "A reference image (repeatable): local file or URI", FieldKind.MediaReferences, ["referenceImages"]), Seed]),
        new("image-upscale", "image_upscale", "Upscale an image", "magnific_precision_upscaler_v2",
            [new("--image", "A local image (uploaded for you), or an https/data/runway URI", FieldKind.Media, ["imageUri"], Required: true),
             new("--scale", "Scale factor (2, 4, 8 or 16)", FieldKind.Integer, ["scaleFactor"])]),
        new("video-upscale", "video_upscale", "Upscale a video", "magnific_video_upscaler_creative",
            [new("--video", "A local video (uploaded for you), or an https/data/runway URI", FieldKind.Media, ["videoUri"], Required: true),
             new("--resolution", "Target resolution, e.g. 2k", FieldKind.Text, ["resolution"])]),
        new("text-to-speech", "text_to_speech", "Speak a text", "eleven_multilingual_v2",
            [Prompt(true), new("--voice", "A preset voice, e.g. Maya (default)", FieldKind.PresetVoice, ["voice"], "Maya")]),
        new("speech-to-speech", "speech_to_speech", "Say a recording again in another voice", "eleven_multilingual_sts_v2",
            [new("--audio", "A local recording (uploaded for you), or a URI", FieldKind.TypedMedia, ["media"], Required: true, MediaType: "audio"),
             new("--voice", "A preset voice, e.g. Maya (default)", FieldKind.PresetVoice, ["voice"], "Maya")]),
        new("voice-dubbing", "voice_dubbing", "Dub a recording into another language", "eleven_voice_dubbing",
            [new("--audio", "A local recording (uploaded for you), or a URI", FieldKind.Media, ["audioUri"], Required: true),
             new("--lang", "Target language code, e.g. es", FieldKind.Text, ["targetLang"], Required: true)]),
        new("voice-isolation", "voice_isolation", "Keep the voice, remove the background", "eleven_voice_isolation",
            [new("--audio", "A local recording (uploaded for you), or a URI", FieldKind.Media, ["audioUri"], Required: true)]),
        new("video-to-hdr", "video_to_hdr", "Convert a video to HDR", "ruby",
            [new("--video", "A local video (uploaded for you), or a URI", FieldKind.Media, ["videoUri"], Required: true)]),
        new("character-performance", "character_performance", "Drive a character image with a performance video", "act_two",
            [new("--image", "The character: a local image or URI", FieldKind.TypedMedia, ["character"], Required: true, MediaType: "image"),
             new("--video", "The performance: a local video or URI", FieldKind.TypedMedia, ["reference"], Required: true, MediaType: "video"),
             Ratio(null), Seed]),
        new("sound-effect", "sound_effect", "Make a sound effect from a description", "eleven_text_to_sound_v2",
            [Prompt(true), Duration(FieldKind.Number), new("--loop", "Make it loop seamlessly", FieldKind.Flag, ["loop"])]),
    ];
}
