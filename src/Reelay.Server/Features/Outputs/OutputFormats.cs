namespace Reelay.Server.Features.Outputs;

/// <summary>
/// The file an output format is delivered as (Runway's outputFormat values): its extension, and the Content-Type it
/// is served with. Engines write to this extension; downloads are served with this type.
/// </summary>
public static class OutputFormats
{
    public static string Extension(string format) => format switch
    {
        "prores" or "hdr_prores" or "hdr_pq_12bit_master" => ".mov",
        "png_sequence" or "hdr_png_sequence" or "hdr_exr_sequence" or "hdr_exr_acescg_sequence_1_3" or "hdr_exr_acescg_sequence_2_0" => ".zip",
        "png" => ".png",
        "jpeg" => ".jpg",
        "webp" => ".webp",
        "wav" => ".wav",
        "mp3" => ".mp3",
        "ogg_opus" => ".ogg",
        _ => ".mp4",
    };

    public static string ContentType(string extension) => extension switch
    {
        ".mov" => "video/quicktime",
        ".zip" => "application/zip",
        ".png" => "image/png",
        ".jpg" => "image/jpeg",
        ".webp" => "image/webp",
        ".wav" => "audio/wav",
        ".mp3" => "audio/mpeg",
        ".ogg" => "audio/ogg",
        _ => "video/mp4",
    };

    /// <summary>The extensions an output URL may end in; anything else is not an output.</summary>
    public static readonly IReadOnlySet<string> Extensions = new HashSet<string> { ".mp4", ".mov", ".zip", ".png", ".jpg", ".webp", ".wav", ".mp3", ".ogg" };
}
