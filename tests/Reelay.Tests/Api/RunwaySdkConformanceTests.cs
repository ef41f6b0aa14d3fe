using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Reelay.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Reelay.Tests.Api;

/// <summary>
/// Every model of the video endpoints, of the image and transform endpoints, and of the audio endpoints, that the installed
/// @runwayml/sdk declares, driven through the unmodified SDK by tests/sdk-compat/conformance.mjs against
/// a real server: a minimal and a maximal request rendered and checked by content, and one invalid value
/// per field class. The model list comes from the SDK's type declarations, so a model the server lacks
/// is a failure, not an omission.
/// </summary>
public sealed partial class RunwaySdkConformanceTests(ITestOutputHelper output)
{
    private static readonly string[] Endpoints = ["image_to_video", "text_to_video", "video_to_video"];

    private static readonly string[] MediaEndpoints = ["text_to_image", "image_upscale", "video_upscale", "video_to_hdr", "character_performance"];

    private static readonly string[] AudioEndpoints = ["text_to_speech", "sound_effect", "speech_to_speech", "voice_dubbing", "voice_isolation"];

    [GeneratedRegex(@"^(\w+): (\d+) of (\d+) models (?:render|report).*$", RegexOptions.Multiline)]
    private static partial Regex SummaryLine();

    // About 80 renders of up to 15 s at up to 40 credits a second: credits must never be the reason a model fails.
    // These three are the suite's costliest (about 4 minutes of renders) and what they check — each model's renders by
    // content and its field validation — does not depend on the database, so they run once, in the SQLite pass; the SDK
    // against PostgreSQL is RunwaySdkCompatibilityTests' subject.
    [Fact(Timeout = 10 * 60 * 1000)]
    [Trait("Database", "independent")]
    public Task Every_model_the_sdk_declares_renders_a_minimal_and_a_maximal_request_and_rejects_invalid_values_field_by_field() =>
        RunConformanceAsync("conformance", Endpoints, credits: 100_000_000, TimeSpan.FromMinutes(9.5));

    /// <summary>
    /// Images (count, size, codec per outputFormat, alpha, all distinct), upscales (scaled sizes, frame rate),
    /// HDR (10-bit HEVC with PQ, or ProRes) and character performance (the reference's length), all by content.
    /// The source video is 4 s at 30 fps, so a re-time to 24 fps really changes it and the 3 s reference minimum holds.
    /// </summary>
    [Fact(Timeout = 10 * 60 * 1000)]
    [Trait("Database", "independent")]
    public Task Every_image_and_transform_model_the_sdk_declares_renders_a_minimal_and_a_maximal_request_checked_by_content() =>
        RunConformanceAsync("conformance-media", MediaEndpoints, credits: 10_000_000, TimeSpan.FromMinutes(9.5), video: fixtures =>
        {
            var video = Path.Combine(fixtures, "video.mp4");
            Media.Run("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=640x360:rate=30:duration=4", "-f", "lavfi", "-i", "sine=frequency=440:duration=4",
                "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", "-y", video);
            return video;
        });

    /// <summary>
    /// Speech, sound effects, speech-to-speech, dubbing and isolation: each output probed (codec of its outputFormat,
    /// sample rate, decoded length within 5 % of the duration asked or the input's) and speech checked to be speech.
    /// </summary>
    [Fact(Timeout = 8 * 60 * 1000)]
    [Trait("Database", "independent")]
    public Task Every_audio_model_the_sdk_declares_renders_checkable_audio_and_rejects_invalid_values_field_by_field() =>
        RunConformanceAsync("conformance-audio", AudioEndpoints, credits: 1_000_000, TimeSpan.FromMinutes(7.5));

    /// <summary>One conformance.mjs run over some endpoints against a fresh server and tenant, with fixtures made here.</summary>
    private async Task RunConformanceAsync(string name, string[] endpoints, long credits, TimeSpan timeout, Func<string, string>? video = null)
    {
        SdkScenario.EnsureInstalled();
        await using var server = await ServerProcess.StartAsync(settings: new Dictionary<string, string> { ["Workers:Concurrency"] = "2" });
        var tenant = await new ReelayApi(server).NewTenantAsync(credits: credits, name: name);
        var fixtures = TestPaths.NewTempDirectory("reelay-" + name);
        var env = new Dictionary<string, string>
        {
            ["REELAY_BASE_URL"] = server.BaseUrl.ToString().TrimEnd('/'),
            ["REELAY_API_KEY"] = tenant.Key,
            ["REELAY_IMAGE_FILE"] = ImageFixture(fixtures),
            ["REELAY_VIDEO_FILE"] = (video ?? VideoFixture)(fixtures),
            ["REELAY_AUDIO_FILE"] = AudioFixture(fixtures),
            // Per-model concurrency is 2 and the server has 2 workers: 6 in flight keeps both busy while the SDK sleeps between polls.
            ["REELAY_CONCURRENCY"] = "6",
            ["REELAY_ENDPOINTS"] = string.Join(',', endpoints),
        };

        var (exitCode, stdout) = await RunNodeAsync("conformance.mjs", env, timeout, streamToOutput: true);
        AssertEveryModelPassed(endpoints, exitCode, stdout);
    }

    private static void AssertEveryModelPassed(string[] endpoints, int exitCode, string stdout)
    {
        var summaries = SummaryLine().Matches(stdout).ToList();
        var failures = string.Join('\n', stdout.Split('\n').Where(l => l.StartsWith("FAIL", StringComparison.Ordinal)));
        foreach (var endpoint in endpoints)
            Assert.True(summaries.Count(m => m.Groups[1].Value == endpoint) == 2, $"{endpoint}: expected a render and an invalid-values summary line.\n{stdout}");
        // All six summaries in one message: which endpoints fall short matters more than which came first.
        var shortfalls = summaries.Where(m => m.Groups[2].Value != m.Groups[3].Value || m.Groups[3].Value == "0").Select(m => m.Value).ToList();
        Assert.True(shortfalls.Count == 0, string.Join('\n', shortfalls) + "\n\n" + failures);
        Assert.True(exitCode == 0, $"conformance.mjs exited {exitCode}.\n{failures}");
    }

    [Fact]
    public async Task Sdk_types_find_at_least_sixteen_image_to_video_models_in_the_sdk_declarations()
    {
        SdkScenario.EnsureInstalled();
        var (exitCode, stdout) = await RunNodeAsync("sdk-types.mjs", [], TimeSpan.FromMinutes(1), streamToOutput: false);
        Assert.Equal(0, exitCode);
        using var document = JsonDocument.Parse(stdout);
        var models = document.RootElement.GetProperty("image_to_video").GetProperty("models").EnumerateArray().ToList();
        var names = models.Select(m => m.GetProperty("model").GetString()!).ToList();
        output.WriteLine(string.Join(", ", names));
        Assert.True(names.Count >= 16, $"only {names.Count} image_to_video models: {string.Join(", ", names)}");
        Assert.Equal(names.Count, names.Distinct().Count());
        // Read from the types, not listed: every model has its fields, and promptImage is the string | array union.
        Assert.All(models, m => Assert.Equal("union", m.GetProperty("fields").GetProperty("promptImage").GetProperty("type").GetProperty("kind").GetString()));
    }

    private static string ImageFixture(string folder)
    {
        var path = Path.Combine(folder, "image.png");
        File.WriteAllBytes(path, Media.Image(640, 360));
        return path;
    }

    /// <summary>Two seconds of H.264 with an AAC track, so video inputs that carry sound are exercised too.</summary>
    private static string VideoFixture(string folder)
    {
        var path = Path.Combine(folder, "video.mp4");
        Media.Run("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=640x360:rate=24:duration=2", "-f", "lavfi", "-i", "sine=frequency=440:duration=2",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", "-y", path);
        return path;
    }

    /// <summary>
    /// About 5.5 s of speech said by espeak-ng: longer than voice_isolation's 4.6 s minimum, within the video models'
    /// 15 s reference-audio totals, and speech, so speech-to-speech, dubbing and isolation have a voice to keep.
    /// </summary>
    private static string AudioFixture(string folder)
    {
        var path = Path.Combine(folder, "audio.wav");
        Media.Run("espeak-ng", "-v", "en-us", "-w", path, "The quick brown fox jumps over the lazy dog, and then it runs back into the quiet forest.");
        return path;
    }

    /// <summary>Runs a script of tests/sdk-compat; its lines go to the test output as they arrive, so a slow run shows progress.</summary>
    private async Task<(int ExitCode, string Stdout)> RunNodeAsync(string script, Dictionary<string, string> env, TimeSpan timeout, bool streamToOutput)
    {
        var info = new ProcessStartInfo("node") { WorkingDirectory = SdkScenario.SdkDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(script);
        foreach (var (k, v) in env) info.Environment[k] = v;
        using var process = new Process { StartInfo = info };
        var stdout = new System.Text.StringBuilder();
        var stderr = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (stdout) stdout.AppendLine(e.Data);
            if (streamToOutput) output.WriteLine(e.Data);
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (stderr) stderr.AppendLine(e.Data);
            if (streamToOutput) output.WriteLine("stderr: " + e.Data);
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"node {script} ran longer than {timeout}.\n{stdout}\n{stderr}");
        }
        process.WaitForExit(); // the parameterless wait also drains the redirected output
        if (!streamToOutput && stderr.Length > 0) output.WriteLine(stderr.ToString());
        return (process.ExitCode, stdout.ToString());
    }
}
