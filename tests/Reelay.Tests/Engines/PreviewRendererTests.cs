using System.Diagnostics;
using Reelay.Server.Features.Engines.Preview;
using static Reelay.Tests.Engines.PreviewRendererSupport;

namespace Reelay.Tests.Engines;

/// <summary>
/// Renders real (tiny) videos with the system ffmpeg. Every test works in its own directory whose name
/// contains filtergraph/option metacharacters (: ' [ ] , ; %) so path escaping is exercised everywhere.
/// </summary>
[Trait("Database", "independent")] // the renderer in-process: no server, no database
public sealed class PreviewRendererTests : IDisposable
{
    private const string NastyPrompt =
        "He said \"don't\" — 100% sure: C:\\temp\\x.png; a,b [c] {d} %{pts} %{localtime}\n" +
        "second line\r\nthird\tline with emoji 🎬🐱‍👤 and ünïcödé 日本語テキスト '' \\\\ :: %%";

    private readonly string _root;

    public PreviewRendererTests()
    {
        var name = OperatingSystem.IsWindows()
            ? $"run {Guid.NewGuid():N} it's [a,b];%d"
            : $"run:{Guid.NewGuid():N} it's [a,b];%d";
        _root = Path.Combine(Path.GetTempPath(), "reelay-preview-tests", name);
        Directory.CreateDirectory(_root);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort cleanup of the temp directory.
        }
    }

    [Theory]
    [InlineData("pan-right", "png", 400, 300)]
    [InlineData("pan-left", "jpg", 300, 500)]
    [InlineData("pan-down", "webp", 640, 360)]
    [InlineData("pan-up", "png", 333, 501)]
    [InlineData("zoom-in", "jpg", 500, 300)]
    [InlineData("zoom-out", "png", 240, 320)]
    public async Task Image_to_video_renders_h264_yuv420p_at_the_requested_size_and_duration_for_every_camera_move(
        string move, string extension, int imageWidth, int imageHeight)
    {
        var image = await MakeImageAsync($"input.{extension}", imageWidth, imageHeight);
        var output = Path.Combine(_root, "out", "image.mp4");
        var request = new PreviewRenderRequest(320, 180, 2, SeedFor(move), image, "ignored prompt", output);

        await PreviewRenderer.RenderAsync(request, _ => { }, CancellationToken.None);

        AssertVideo(await ProbeAsync(output), 320, 180, 2);
        Assert.Equal(["image.mp4"], Directory.GetFiles(Path.GetDirectoryName(output)!).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Text_to_video_renders_a_prompt_full_of_quotes_percent_backslashes_colons_newlines_and_emoji()
    {
        var output = Path.Combine(_root, "out", "text.mp4");
        var request = new PreviewRenderRequest(320, 180, 2, 42, null, NastyPrompt, output);

        await PreviewRenderer.RenderAsync(request, _ => { }, CancellationToken.None);

        AssertVideo(await ProbeAsync(output), 320, 180, 2);
        // The wrapped-text temp file is gone too: only the video is left.
        Assert.Equal(["text.mp4"], Directory.GetFiles(Path.GetDirectoryName(output)!).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Text_to_video_draws_the_text_when_a_font_is_available()
    {
        if (PreviewRenderer.FindFontFile() is null)
        {
            return; // No DejaVu on this machine: text is skipped by design.
        }

        var withText = Path.Combine(_root, "with-text.mp4");
        var withoutText = Path.Combine(_root, "without-text.mp4");

        await PreviewRenderer.RenderAsync(new PreviewRenderRequest(320, 180, 1, 7, null, "HELLO WORLD", withText), _ => { }, CancellationToken.None);
        await PreviewRenderer.RenderAsync(new PreviewRenderRequest(320, 180, 1, 7, null, null, withoutText), _ => { }, CancellationToken.None);

        Assert.NotEqual(await File.ReadAllBytesAsync(withText), await File.ReadAllBytesAsync(withoutText));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("   \n\t ")]
    public async Task Text_to_video_without_a_prompt_renders_just_the_background(string? prompt)
    {
        var output = Path.Combine(_root, "empty.mp4");

        await PreviewRenderer.RenderAsync(new PreviewRenderRequest(320, 180, 1, 3, null, prompt, output), _ => { }, CancellationToken.None);

        AssertVideo(await ProbeAsync(output), 320, 180, 1);
    }

    [Fact]
    public async Task Text_to_video_without_a_font_file_skips_the_text_instead_of_failing()
    {
        var output = Path.Combine(_root, "no-font.mp4");

        await PreviewRenderer.RenderAsync(
            new PreviewRenderRequest(320, 180, 1, 5, null, NastyPrompt, output), _ => { }, fontFile: null, CancellationToken.None);

        AssertVideo(await ProbeAsync(output), 320, 180, 1);
    }

    [Fact]
    public async Task Progress_is_non_decreasing_within_zero_and_one_and_ends_at_exactly_one()
    {
        var image = await MakeImageAsync("progress.png", 640, 480);
        var values = new List<double>();
        var request = new PreviewRenderRequest(320, 180, 3, SeedFor("zoom-in"), image, null, Path.Combine(_root, "progress.mp4"));

        await PreviewRenderer.RenderAsync(request, value => { lock (values) { values.Add(value); } }, CancellationToken.None);

        lock (values)
        {
            Assert.True(values.Count >= 2, $"expected several progress reports, got {values.Count}");
            Assert.All(values, v => Assert.InRange(v, 0.0, 1.0));
            for (var i = 1; i < values.Count; i++)
            {
                Assert.True(values[i] >= values[i - 1], $"progress went backwards: {values[i - 1]} -> {values[i]}");
            }

            Assert.Equal(1.0, values[^1]);
        }
    }

    [Fact]
    public async Task Cancelling_a_long_render_kills_ffmpeg_quickly_and_leaves_no_output_or_temp_file()
    {
        var image = await MakeImageAsync("cancel.png", 1920, 1080);
        var outputDirectory = Path.Combine(_root, "cancel-out");
        var output = Path.Combine(outputDirectory, "long.mp4");
        // zoom-in at 720p for 20 s takes several seconds: plenty of time to cancel mid-render.
        var request = new PreviewRenderRequest(1280, 720, 20, SeedFor("zoom-in"), image, null, output);
        using var cts = new CancellationTokenSource();
        var encoding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var render = PreviewRenderer.RenderAsync(request, p => { if (p > 0) { encoding.TrySetResult(); } }, cts.Token);
        await Task.WhenAny(encoding.Task, render, Task.Delay(TimeSpan.FromSeconds(10)));
        Assert.False(render.IsCompleted, "the render finished (or failed) before it could be cancelled");
        Assert.NotEmpty(FfmpegProcessesMentioning(outputDirectory));

        var stopwatch = Stopwatch.StartNew();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => render);
        stopwatch.Stop();

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(1.5), $"cancellation took {stopwatch.Elapsed}");
        Assert.Empty(FfmpegProcessesMentioning(outputDirectory));
        Assert.Empty(Directory.GetFileSystemEntries(outputDirectory));
    }

    [Fact]
    public async Task An_already_cancelled_token_throws_without_creating_files()
    {
        var output = Path.Combine(_root, "never", "x.mp4");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            PreviewRenderer.RenderAsync(new PreviewRenderRequest(320, 180, 1, 1, null, "x", output), _ => { }, new CancellationToken(canceled: true)));

        Assert.False(Directory.Exists(Path.GetDirectoryName(output)));
    }

    [Fact]
    public async Task The_same_request_renders_byte_identical_files()
    {
        var image = await MakeImageAsync("same.png", 400, 300);
        var a = Path.Combine(_root, "a.mp4");
        var b = Path.Combine(_root, "b.mp4");

        await PreviewRenderer.RenderAsync(new PreviewRenderRequest(320, 180, 1, 11, image, null, a), _ => { }, CancellationToken.None);
        await PreviewRenderer.RenderAsync(new PreviewRenderRequest(320, 180, 1, 11, image, null, b), _ => { }, CancellationToken.None);

        Assert.Equal(await File.ReadAllBytesAsync(a), await File.ReadAllBytesAsync(b));
    }

    [Fact]
    public async Task Rendering_replaces_an_existing_output_file()
    {
        var output = Path.Combine(_root, "existing.mp4");
        await File.WriteAllTextAsync(output, "not a video");

        await PreviewRenderer.RenderAsync(new PreviewRenderRequest(320, 180, 1, 9, null, "replace me", output), _ => { }, CancellationToken.None);

        AssertVideo(await ProbeAsync(output), 320, 180, 1);
        Assert.Equal(["existing.mp4"], Directory.GetFiles(_root).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_missing_image_throws_PreviewRenderException()
    {
        var request = new PreviewRenderRequest(320, 180, 1, 1, Path.Combine(_root, "does-not-exist.png"), null, Path.Combine(_root, "x.mp4"));

        await Assert.ThrowsAsync<PreviewRenderException>(() => PreviewRenderer.RenderAsync(request, _ => { }, CancellationToken.None));
        Assert.Empty(Directory.GetFiles(_root));
    }

    [Fact]
    public async Task An_undecodable_image_throws_PreviewRenderException_with_ffmpeg_stderr_and_leaves_no_files()
    {
        var bogus = Path.Combine(_root, "input", "bogus.png");
        Directory.CreateDirectory(Path.GetDirectoryName(bogus)!);
        await File.WriteAllTextAsync(bogus, "this is not a png");
        var outputDirectory = Path.Combine(_root, "out");
        var request = new PreviewRenderRequest(320, 180, 1, 1, bogus, null, Path.Combine(outputDirectory, "x.mp4"));

        var error = await Assert.ThrowsAsync<PreviewRenderException>(() => PreviewRenderer.RenderAsync(request, _ => { }, CancellationToken.None));

        Assert.Contains("ffmpeg exited with code", error.Message);
        Assert.True(error.Message.Split('\n').Length >= 2, error.Message);
        Assert.Empty(Directory.GetFileSystemEntries(outputDirectory));
    }

    [Fact]
    public async Task A_missing_ffmpeg_binary_throws_PreviewRenderException()
    {
        var request = new PreviewRenderRequest(320, 180, 1, 1, null, "x", Path.Combine(_root, "x.mp4"), FfmpegPath: Path.Combine(_root, "no-such-ffmpeg"));

        await Assert.ThrowsAsync<PreviewRenderException>(() => PreviewRenderer.RenderAsync(request, _ => { }, CancellationToken.None));
        Assert.Empty(Directory.GetFiles(_root));
    }

    private async Task<string> MakeImageAsync(string fileName, int width, int height)
    {
        var path = Path.Combine(_root, "input", fileName);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var (exitCode, _, stderr) = await RunAsync("ffmpeg",
            ["-v", "error", "-nostdin", "-y", "-f", "lavfi", "-i", $"testsrc=size={width}x{height}", "-frames:v", "1", "-update", "1", "file:" + path]);
        Assert.True(exitCode == 0, $"fixture ffmpeg failed: {stderr}");
        return path;
    }
}
