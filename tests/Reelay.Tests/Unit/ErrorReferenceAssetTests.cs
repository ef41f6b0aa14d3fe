using Reelay.Server.Features.Docs;

namespace Reelay.Tests.Unit;

/// <summary>The docs page's asset section states the limits intake enforces, audio included.</summary>
public class ErrorReferenceAssetTests
{
    private static readonly string Assets = string.Join("\n",
        ErrorReference.Sections.Single(s => s.Anchor == DocAnchor.Assets).Entries.Select(e => $"{e.Message} | {e.Cause} | {e.Fix}"));

    [Fact]
    public void The_url_and_data_uri_limits_are_listed_for_images_videos_and_audio()
    {
        Assert.Contains("16 MB for images, 32 MB for videos, 32 MB for audio by URL", Assets);
        Assert.Contains("5 MB for images, 16 MB for videos, 16 MB for audio.", Assets);
        Assert.Contains("up to 200 MB", Assets);
    }

    [Fact]
    public void The_approved_audio_types_are_listed_with_the_content_type_fix() =>
        Assert.Contains("audio/mpeg, audio/mp3, audio/wav, audio/x-wav, audio/aac, audio/flac, audio/ogg, audio/mp4 for audio", Assets);

    [Fact]
    public void An_upload_of_the_wrong_kind_is_explained() =>
        Assert.Contains("Invalid asset. The content could not be read as audio. | The runway:// upload is not a file of the kind the field takes", Assets);
}
