using System.Globalization;
using System.Text.Json;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Cli;

/// <summary>The generate commands of the image, upscale and audio endpoints: create, follow, download, judged by the files.</summary>
[Trait("Database", "independent")] // the CLI against a server: what it checks is the CLI's side, the same on either database
public class CliEndpointTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly ReelayApi _api = fixture.Api;

    private async Task<Dictionary<string, string?>> EnvAsync() => new()
    {
        ["RUNWAYML_BASE_URL"] = _api.BaseUrl.ToString().TrimEnd('/'),
        ["RUNWAYML_API_SECRET"] = (await _api.NewTenantAsync(100_000)).Key,
    };

    private static (string Codec, int Width, int Height) ProbeImage(string path)
    {
        using var json = JsonDocument.Parse(Media.Run("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=codec_name,width,height", "-of", "json", path));
        var stream = json.RootElement.GetProperty("streams")[0];
        return (stream.GetProperty("codec_name").GetString()!, stream.GetProperty("width").GetInt32(), stream.GetProperty("height").GetInt32());
    }

    private static (string Codec, double Seconds) ProbeAudio(string path)
    {
        using var json = JsonDocument.Parse(Media.Run("ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries", "stream=codec_name:format=duration", "-of", "json", path));
        return (json.RootElement.GetProperty("streams")[0].GetProperty("codec_name").GetString()!,
            double.Parse(json.RootElement.GetProperty("format").GetProperty("duration").GetString()!, CultureInfo.InvariantCulture));
    }

    private async Task<bool> ServesAsync(string endpoint)
    {
        using var document = JsonDocument.Parse(await ReelayApi.Client.GetStringAsync(new Uri(_api.BaseUrl, "/openapi/v1.json")));
        return document.RootElement.GetProperty("paths").TryGetProperty("/v1/" + endpoint, out _);
    }

    [Fact]
    public async Task Text_to_image_saves_every_image_numbered_after_the_first()
    {
        var env = await EnvAsync();
        var directory = TestPaths.NewTempDirectory("reelay-cli-t2i");
        var result = await CliRunner.RunAsync(["--json", "generate", "text-to-image", "--model", "gpt_image_2", "--prompt", "a red fox", "--ratio", "1920:1920",
            "--set", "outputCount=2", "--out", "fox.png"], env, directory);
        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        var files = JsonDocument.Parse(result.Stdout).RootElement.GetProperty("files").EnumerateArray().Select(f => f.GetString()!).ToList();
        Assert.Equal([Path.Combine(directory, "fox.png"), Path.Combine(directory, "fox-2.png")], files);
        foreach (var file in files) Assert.Equal(("png", 1920, 1920), ProbeImage(file));
    }

    [Fact]
    public async Task Text_to_image_uploads_local_reference_images()
    {
        var env = await EnvAsync();
        var directory = TestPaths.NewTempDirectory("reelay-cli-ref");
        await File.WriteAllBytesAsync(Path.Combine(directory, "ref.png"), Media.Image(640, 360));
        var result = await CliRunner.RunAsync(["generate", "text-to-image", "--prompt", "in the style of @ref", "--image", "ref.png", "--image", Media.DataUri(320, 320)], env, directory);
        Assert.True(result.ExitCode == 0, result.Stderr);
        var saved = result.Stdout.Split(' ')[1];
        Assert.Equal((1920, 1080), (ProbeImage(Path.Combine(directory, saved)).Width, ProbeImage(Path.Combine(directory, saved)).Height));
        var missing = await CliRunner.RunAsync(["generate", "text-to-image", "--prompt", "x", "--image", "gone.png"], env, directory);
        Assert.Equal("error: --image: file not found: gone.png", missing.Stderr.Trim());
    }

    [Fact]
    public async Task Image_upscale_uploads_a_local_image_and_saves_it_scaled()
    {
        var env = await EnvAsync();
        var directory = TestPaths.NewTempDirectory("reelay-cli-upscale");
        await File.WriteAllBytesAsync(Path.Combine(directory, "small.png"), Media.Image(400, 300));
        var result = await CliRunner.RunAsync(["generate", "image-upscale", "--image", "small.png", "--scale", "2", "--out", "big"], env, directory);
        Assert.True(result.ExitCode == 0, result.Stderr);
        var saved = Directory.GetFiles(directory, "big.*").Single();
        Assert.Equal((800, 600), (ProbeImage(saved).Width, ProbeImage(saved).Height));
    }

    [Fact]
    public async Task Video_upscale_uploads_a_local_video_and_saves_a_larger_one()
    {
        var env = await EnvAsync();
        var directory = TestPaths.NewTempDirectory("reelay-cli-vup");
        await File.WriteAllBytesAsync(Path.Combine(directory, "small.mp4"), Media.Video(640, 360, 2));
        var result = await CliRunner.RunAsync(["generate", "video-upscale", "--video", "small.mp4", "--resolution", "1k", "--out", "up.mp4"], env, directory);
        Assert.True(result.ExitCode == 0, result.Stderr);
        var facts = Media.Probe(Path.Combine(directory, "up.mp4"));
        Assert.True(facts.Width > 640, $"{facts.Width}x{facts.Height}");
        Assert.InRange(facts.Duration, 1.8, 2.2);
    }

    [Fact]
    public async Task Text_to_speech_and_sound_effect_save_audio_where_the_server_serves_them()
    {
        var env = await EnvAsync();
        var directory = TestPaths.NewTempDirectory("reelay-cli-audio-gen");
        var speech = await CliRunner.RunAsync(["generate", "text-to-speech", "--prompt", "Hello from the command line.", "--voice", "Maya", "--out", "hello"], env, directory);
        var effect = await CliRunner.RunAsync(["generate", "sound-effect", "--prompt", "a door creaks", "--duration", "3", "--out", "door"], env, directory);
        foreach (var (endpoint, result, file) in new[] { ("text_to_speech", speech, "hello"), ("sound_effect", effect, "door") })
        {
            if (!await ServesAsync(endpoint))
            {
                // A server without the endpoint: the CLI says so instead of a bare 404.
                Assert.Equal(2, result.ExitCode);
                Assert.Contains($"This server does not serve POST /v1/{endpoint}", result.Stderr);
                continue;
            }
            Assert.True(result.ExitCode == 0, result.Stderr);
            var saved = Directory.GetFiles(directory, file + ".*").Single();
            var (_, seconds) = ProbeAudio(saved);
            Assert.True(seconds > 0.3, $"{saved}: {seconds} s");
            if (endpoint == "sound_effect") Assert.InRange(seconds, 2.8, 3.2);
        }
    }

    [Fact]
    public async Task Voice_isolation_uploads_a_local_recording_and_saves_audio_of_its_length()
    {
        var env = await EnvAsync();
        var directory = TestPaths.NewTempDirectory("reelay-cli-isolate");
        await File.WriteAllBytesAsync(Path.Combine(directory, "talk.wav"), Media.Audio(6, "wav"));
        var result = await CliRunner.RunAsync(["generate", "voice-isolation", "--audio", "talk.wav", "--out", "clean"], env, directory);
        Assert.True(result.ExitCode == 0, result.Stderr);
        var (_, seconds) = ProbeAudio(Directory.GetFiles(directory, "clean.*").Single());
        Assert.InRange(seconds, 5.5, 6.5);
    }

    [Fact]
    public async Task Character_performance_sends_typed_media_for_the_image_and_the_video()
    {
        var env = await EnvAsync();
        var directory = TestPaths.NewTempDirectory("reelay-cli-act");
        await File.WriteAllBytesAsync(Path.Combine(directory, "face.png"), Media.Image(640, 640));
        await File.WriteAllBytesAsync(Path.Combine(directory, "acting.mp4"), Media.Video(640, 360, 3));
        var result = await CliRunner.RunAsync(["generate", "character-performance", "--image", "face.png", "--video", "acting.mp4", "--out", "act.mp4"], env, directory);
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal("h264", Media.Probe(Path.Combine(directory, "act.mp4")).Codec);
    }
}
