using Reelay.Server.Features.Engines.Preview;

namespace Reelay.Tests.Engines;

/// <summary>The ffmpeg command line and the seed-driven choices behind it; nothing is rendered.</summary>
public sealed class PreviewRendererArgumentTests
{
    [Fact]
    public void Camera_move_is_deterministic_and_covers_at_least_three_moves_over_seeds_zero_to_twenty()
    {
        var first = Enumerable.Range(0, 21).Select(seed => PreviewRenderer.CameraMove(seed)).ToList();
        var second = Enumerable.Range(0, 21).Select(seed => PreviewRenderer.CameraMove(seed)).ToList();

        Assert.Equal(first, second);
        Assert.True(first.Distinct().Count() >= 3, $"only {string.Join(", ", first.Distinct())}");
        Assert.All(first, move => Assert.Contains(move, new[] { "pan-right", "pan-left", "pan-down", "pan-up", "zoom-in", "zoom-out" }));
        Assert.Equal(PreviewRenderer.CameraMove(4294967295), PreviewRenderer.CameraMove(4294967295));
    }

    [Theory]
    [InlineData(321, 180, 2)]
    [InlineData(320, 0, 2)]
    [InlineData(320, 180, 0)]
    [InlineData(320, 180, 0.4)]
    [InlineData(320, 180, 60.5)]
    [InlineData(320, 180, double.NaN)]
    public void Invalid_sizes_and_durations_are_rejected(int width, int height, double duration)
    {
        var request = new PreviewRenderRequest(width, height, duration, 1, null, "x", "/tmp/x.mp4");

        Assert.ThrowsAny<ArgumentException>(() => PreviewRenderer.BuildArguments(request, "/tmp/x.tmp", null, null));
    }

    [Fact]
    public void Build_arguments_are_a_plain_list_with_the_required_encoder_and_progress_flags()
    {
        var request = new PreviewRenderRequest(1280, 720, 10, 1, "/in/img.png", null, "/out/x.mp4");

        var args = PreviewRenderer.BuildArguments(request, "/out/.x.tmp", null, null);

        string[] expectedRuns =
        [
            "-c:v libx264", "-preset ultrafast", "-crf 28", "-pix_fmt yuv420p", "-movflags +faststart", "-r 24", "-t 10",
            "-fflags +bitexact", "-flags:v +bitexact", "-map_metadata -1", "-progress pipe:1", "-loglevel error",
        ];
        var joined = string.Join(' ', args);
        Assert.All(expectedRuns, run => Assert.Contains(run, joined));
        Assert.Contains("-an", args);
        Assert.Contains("-nostats", args);
        Assert.Contains("-y", args);
        Assert.Contains("file:/in/img.png", args);
        Assert.Equal("file:/out/.x.tmp", args[^1]);
    }

    [Fact]
    public void Build_arguments_escape_font_and_text_file_paths_for_the_filtergraph()
    {
        var request = new PreviewRenderRequest(640, 360, 2, 1, null, "hi", "/out/x.mp4");

        var args = PreviewRenderer.BuildArguments(request, "/out/.x.tmp", "/fonts/a:b's,[c];d\\e.ttf", "/tmp/t:1.txt");
        var graph = args[args.ToList().IndexOf("-filter_complex") + 1];

        // Option level escapes \ ' : and the filtergraph level escapes \ ' [ ] , ; again.
        Assert.Contains("fontfile=/fonts/a\\\\:b\\\\\\'s\\,\\[c\\]\\;d\\\\\\\\e.ttf:", graph);
        Assert.Contains("textfile=/tmp/t\\\\:1.txt:", graph);
        Assert.Contains("expansion=none", graph);
    }

    [Fact]
    public void Build_arguments_skip_drawtext_without_a_font_or_text_file()
    {
        var request = new PreviewRenderRequest(640, 360, 2, 1, null, "hi", "/out/x.mp4");

        Assert.DoesNotContain("drawtext", string.Join(' ', PreviewRenderer.BuildArguments(request, "/out/.x.tmp", null, "/tmp/t.txt")));
        Assert.DoesNotContain("drawtext", string.Join(' ', PreviewRenderer.BuildArguments(request, "/out/.x.tmp", "/f.ttf", null)));
        Assert.Contains("drawtext", string.Join(' ', PreviewRenderer.BuildArguments(request, "/out/.x.tmp", "/f.ttf", "/tmp/t.txt")));
    }
}
