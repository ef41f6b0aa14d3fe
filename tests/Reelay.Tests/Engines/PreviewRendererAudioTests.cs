using System.Diagnostics;
using Reelay.Server.Features.Engines.Preview;
using static Reelay.Tests.Engines.PreviewOutputSupport;
using static Reelay.Tests.Engines.PreviewRendererSupport;

namespace Reelay.Tests.Engines;

/// <summary>Audio tracks, and the temp-file / progress / cancellation behaviour of the zip formats.</summary>
[Trait("Database", "independent")] // the renderer in-process: no server, no database
public sealed class PreviewRendererAudioTests : PreviewTempDirectory
{
    [Fact]
    public async Task Synthesized_audio_is_audible_aac_exactly_as_long_as_the_video()
    {
        var output = Path.Combine(Root, "tone.mp4");

        await PreviewRenderer.RenderAsync(new PreviewRenderRequest(320, 180, 2, 12, null, "tone", output) { Audio = true }, _ => { }, CancellationToken.None);

        var audio = (await ProbeStreamsAsync(output)).Audio!;
        Assert.Equal("aac", audio.Codec);
        // Tighter than the video's 0.1 s: a short track is how a stream limit closing the audio early shows up.
        Assert.InRange(audio.DurationSeconds ?? 0, 1.97, 2.03);
        Assert.InRange(await MeanVolumeAsync(output), -30, -3);
    }

    [Fact]
    public void The_chord_is_chosen_deterministically_from_the_seed()
    {
        var chords = Enumerable.Range(0, 20).Select(seed => string.Join(',', PreviewRenderer.ChordFrequencies(seed))).ToList();

        Assert.Equal(chords, Enumerable.Range(0, 20).Select(seed => string.Join(',', PreviewRenderer.ChordFrequencies(seed))));
        Assert.True(chords.Distinct().Count() >= 5, string.Join(" | ", chords.Distinct()));
        Assert.All(Enumerable.Range(0, 20), seed => Assert.All(PreviewRenderer.ChordFrequencies(seed), f => Assert.InRange(f, 150, 600)));
    }

    [Fact]
    public async Task Video_to_video_keeps_the_source_audio_looped_to_the_output_length()
    {
        // The source track is silence: kept audio stays silent, a synthesized chord would not.
        var source = await MakeVideoAsync(Inputs, "silent.mp4", 1, silentAudio: true);
        var output = Path.Combine(Root, "kept.mp4");

        await PreviewRenderer.RenderAsync(
            new PreviewRenderRequest(320, 180, 2, 1, null, null, output, VideoPath: source) { Audio = true }, _ => { }, CancellationToken.None);

        var media = await ProbeStreamsAsync(output);
        Assert.InRange(media.Audio!.DurationSeconds ?? 0, 1.97, 2.03);
        Assert.InRange(media.DurationSeconds, 1.9, 2.1);
        Assert.True(await MeanVolumeAsync(output) < -80, "the source's silent track was replaced");
    }

    [Fact]
    public async Task Video_to_video_without_source_audio_gets_a_synthesized_track()
    {
        var source = await MakeVideoAsync(Inputs, "mute.mp4", 1, silentAudio: false);
        var output = Path.Combine(Root, "synth.mov");

        await PreviewRenderer.RenderAsync(
            new PreviewRenderRequest(320, 180, 1, 1, null, null, output, VideoPath: source) { Audio = true, OutputFormat = "prores" }, _ => { }, CancellationToken.None);

        Assert.Equal("aac", (await ProbeStreamsAsync(output)).Audio!.Codec);
        Assert.True(await MeanVolumeAsync(output) > -30, "the synthesized track is not audible");
    }

    [Fact]
    public async Task Without_audio_an_output_has_no_audio_track_even_when_the_source_has_one()
    {
        var source = await MakeVideoAsync(Inputs, "with-audio.mp4", 1, silentAudio: true);
        var output = Path.Combine(Root, "no-audio.mp4");

        await PreviewRenderer.RenderAsync(new PreviewRenderRequest(320, 180, 1, 1, null, null, output, VideoPath: source), _ => { }, CancellationToken.None);

        Assert.Null((await ProbeStreamsAsync(output)).Audio);
    }

    [Fact]
    public async Task Zip_progress_is_non_decreasing_and_reaches_one_only_with_the_zip_in_place()
    {
        var output = Path.Combine(Root, "out", "progress.zip");
        var values = new List<(double Value, bool Exists)>();

        await PreviewRenderer.RenderAsync(
            new PreviewRenderRequest(320, 180, 2, 3, null, "progress", output) { OutputFormat = "hdr_exr_sequence", Audio = true },
            value => { lock (values) { values.Add((value, File.Exists(output))); } },
            CancellationToken.None);

        lock (values)
        {
            Assert.True(values.Count >= 3, $"expected several progress reports, got {values.Count}");
            Assert.All(values, v => Assert.InRange(v.Value, 0.0, 1.0));
            Assert.Equal(values.Select(v => v.Value).Order(), values.Select(v => v.Value));
            Assert.Equal((1.0, true), values[^1]);
            Assert.All(values.SkipLast(1), v => Assert.False(v.Exists));
        }

        Assert.Equal(["progress.zip"], Directory.GetFileSystemEntries(Path.GetDirectoryName(output)!).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Cancelling_a_sequence_render_kills_ffmpeg_and_leaves_no_frames_or_temp_files()
    {
        var outputDirectory = Path.Combine(Root, "cancel-out");
        var request = new PreviewRenderRequest(1280, 720, 20, 2, null, "cancel", Path.Combine(outputDirectory, "long.zip"))
        {
            OutputFormat = "hdr_exr_sequence",
            Audio = true,
        };
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
}
