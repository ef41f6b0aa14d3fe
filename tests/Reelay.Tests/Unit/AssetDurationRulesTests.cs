using Reelay.Server.Features.Assets;

namespace Reelay.Tests.Unit;

/// <summary>The duration reason texts of AssetRules, exactly as callers hand them to clients.</summary>
public class AssetDurationRulesTests
{
    [Fact]
    public void An_audio_duration_outside_both_bounds_names_the_range() =>
        Assert.Equal("Invalid asset duration. Audio duration must be between 4.6 and 3600 seconds. Got 2.1.",
            AssetRules.DurationOutOfBounds(AssetKind.Audio, 4.6, 3600, 2.1));

    [Fact]
    public void A_video_duration_reads_as_the_text_video_to_video_gives_today() =>
        Assert.Equal("Invalid asset duration. Video duration must be between 1 and 10 seconds. Got 12.",
            AssetRules.DurationOutOfBounds(AssetKind.Video, 1, 10, 12));

    [Fact]
    public void A_single_bound_reads_as_at_least_or_at_most()
    {
        Assert.Equal("Invalid asset duration. Audio duration must be at least 0.5 seconds. Got 0.25.", AssetRules.DurationOutOfBounds(AssetKind.Audio, 0.5, null, 0.25));
        Assert.Equal("Invalid asset duration. Video duration must be at most 30 seconds. Got 31.4.", AssetRules.DurationOutOfBounds(AssetKind.Video, null, 30, 31.4));
    }

    [Fact]
    public void Seconds_are_shown_with_up_to_three_decimals() =>
        Assert.Equal("Invalid asset duration. Audio duration must be between 4.6 and 3600 seconds. Got 3600.123.",
            AssetRules.DurationOutOfBounds(AssetKind.Audio, 4.6, 3600, 3600.12345));

    [Fact]
    public void A_rule_without_any_bound_is_a_programming_error() =>
        Assert.Throws<ArgumentException>(() => AssetRules.DurationOutOfBounds(AssetKind.Audio, null, null, 1));

    [Theory]
    [InlineData(4.6, 3600.0, 4.6, null)]
    [InlineData(4.6, 3600.0, 3600.0, null)]
    [InlineData(4.6, 3600.0, 3600.0004, null)]
    [InlineData(4.6, 3600.0, 4.5, "Invalid asset duration. Audio duration must be between 4.6 and 3600 seconds. Got 4.5.")]
    [InlineData(4.6, null, 3600000.0, null)]
    [InlineData(null, 15.0, 15.2, "Invalid asset duration. Audio duration must be at most 15 seconds. Got 15.2.")]
    public void The_check_is_inclusive_and_compares_the_value_the_message_shows(double? min, double? max, double seconds, string? expected) =>
        Assert.Equal(expected, AssetRules.CheckDuration(AssetKind.Audio, min, max, seconds));

    [Fact]
    public void A_total_duration_over_its_maximum_names_the_field() =>
        Assert.Equal("Invalid asset duration. The total duration of referenceAudio must be at most 15 seconds. Got 17.3.",
            AssetRules.TotalDurationExceeds("referenceAudio", 15, 17.3));
}
