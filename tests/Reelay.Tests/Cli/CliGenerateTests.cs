using System.Diagnostics;
using System.Text.Json;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Cli;

/// <summary>The generate commands (one shape for every endpoint), tasks list and the CLI's error texts, as processes against a real server.</summary>
[Trait("Database", "independent")] // the CLI against a server: what it checks is the CLI's side, the same on either database
public class CliGenerateTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly ReelayApi _api = fixture.Api;

    private async Task<(Dictionary<string, string?> Env, string Key)> EnvAsync()
    {
        var tenant = await _api.NewTenantAsync(50_000);
        // Only the Runway SDK's variables, as the server's banner suggests: the CLI reads them too.
        return (new() { ["RUNWAYML_BASE_URL"] = _api.BaseUrl.ToString().TrimEnd('/'), ["RUNWAYML_API_SECRET"] = tenant.Key }, tenant.Key);
    }

    [Fact]
    public async Task Video_to_video_uploads_a_local_video_and_picks_the_field_each_model_takes()
    {
        var (env, _) = await EnvAsync();
        var directory = TestPaths.NewTempDirectory("reelay-cli-v2v");
        var source = Path.Combine(directory, "source.mp4");
        Assert.Equal(0, (await CliRunner.RunAsync(["generate", "text-to-video", "--prompt", "source", "--duration", "2", "--out", source], env, directory)).ExitCode);

        var aleph = await CliRunner.RunAsync(["--json", "generate", "video-to-video", "--video", source, "--prompt", "make it snow", "--out", "aleph.mp4"], env, directory);
        Assert.True(aleph.ExitCode == 0, aleph.Stderr);
        Assert.Equal("SUCCEEDED", JsonDocument.Parse(aleph.Stdout).RootElement.GetProperty("status").GetString());
        Assert.Equal("h264", Media.Probe(Path.Combine(directory, "aleph.mp4")).Codec);

        // seedance2 names its input promptVideo, not videoUri: the server's OpenAPI document says so.
        var seedance = await CliRunner.RunAsync(["generate", "video-to-video", "--model", "seedance2", "--video", source, "--prompt", "rain", "--duration", "4", "--out", "seedance.mp4"], env, directory);
        Assert.True(seedance.ExitCode == 0, seedance.Stderr);
        Assert.InRange(Media.Probe(Path.Combine(directory, "seedance.mp4")).Duration, 3.9, 4.1);
    }

    [Fact]
    public async Task Set_sends_any_other_field_and_its_issues_come_back_with_their_paths()
    {
        var (env, _) = await EnvAsync();
        var rejected = await CliRunner.RunAsync(["generate", "text-to-video", "--prompt", "x", "--set", "duration=99", "--set", "colour=blue"], env);
        Assert.Equal(2, rejected.ExitCode);
        Assert.Contains("duration: Number must be less than or equal to", rejected.Stderr);
        Assert.Contains("Unrecognized key(s) in object: 'colour'", rejected.Stderr);
        var malformed = await CliRunner.RunAsync(["generate", "text-to-video", "--prompt", "x", "--set", "novalue"], env);
        Assert.Equal(1, malformed.ExitCode);
        Assert.Contains("--set takes name=value, not 'novalue'.", malformed.Stderr);
    }

    [Fact]
    public async Task A_missing_file_is_file_not_found_not_an_invalid_url()
    {
        var (env, _) = await EnvAsync();
        var result = await CliRunner.RunAsync(["generate", "image-to-video", "--image", "nope.png"], env);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("error: --image: file not found: nope.png", result.Stderr.Trim());
    }

    [Theory]
    [InlineData("key_abc", "error: RUNWAYML_API_SECRET: The API key must be 'key_' followed by 128 hex digits; this one has 3 characters after 'key_'.")]
    [InlineData("", "error: No API key: pass --api-key or set RUNWAYML_API_SECRET")]
    public async Task A_malformed_or_missing_key_says_where_it_came_from_without_dotnet_parameter_names(string key, string expected)
    {
        var env = new Dictionary<string, string?> { ["RUNWAYML_BASE_URL"] = _api.BaseUrl.ToString().TrimEnd('/'), ["RUNWAYML_API_SECRET"] = key };
        var result = await CliRunner.RunAsync(["balance"], env);
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith(expected, result.Stderr.Trim());
        Assert.DoesNotContain("Parameter", result.Stderr);
        Assert.DoesNotContain("ReelayClient", result.Stderr);
    }

    [Fact]
    public async Task A_trailing_newline_in_the_key_is_named_as_trailing_whitespace()
    {
        var (env, key) = await EnvAsync();
        env["RUNWAYML_API_SECRET"] = key + "\n";
        var result = await CliRunner.RunAsync(["balance"], env);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("RUNWAYML_API_SECRET: The API key has trailing whitespace", result.Stderr);
    }

    [Fact]
    public async Task Json_output_does_not_escape_ampersands_or_angle_brackets()
    {
        var (env, _) = await EnvAsync();
        var created = await CliRunner.RunAsync(["--json", "generate", "text-to-video", "--prompt", "salt & <pepper>", "--duration", "2"], env);
        Assert.True(created.ExitCode == 0, created.Stderr);
        Assert.Contains("&signature=", created.Stdout); // the output URL's query, as is
        Assert.DoesNotContain("\\u0026", created.Stdout);
        var list = await CliRunner.RunAsync(["--json", "tasks", "list"], env);
        Assert.Contains("\"promptText\": \"salt & <pepper>\"", list.Stdout);
    }

    [Fact]
    public async Task Tasks_list_shows_the_newest_first_with_model_prompt_and_status_and_pages_with_a_cursor()
    {
        var (env, key) = await EnvAsync();
        var older = await _api.CreateTextTaskAsync(key);
        await _api.WaitForAsync(key, older, ReelayApi.IsTerminal);
        var failed = await _api.CreateTextTaskAsync(key, simulate: "fail=SAFETY.INPUT.TEXT");
        await _api.WaitForAsync(key, failed, ReelayApi.IsTerminal);

        var table = await CliRunner.RunAsync(["tasks", "list"], env);
        Assert.True(table.ExitCode == 0, table.Stderr);
        var lines = table.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("id", lines[0]);
        Assert.StartsWith(failed, lines[1]);
        Assert.Contains("FAILED SAFETY.INPUT.TEXT", lines[1]);
        Assert.StartsWith(older, lines[2]);
        Assert.Contains("gen4.5", lines[2]);

        var onlyFailed = JsonDocument.Parse((await CliRunner.RunAsync(["--json", "tasks", "list", "--status", "failed"], env)).Stdout).RootElement;
        Assert.Equal([failed], onlyFailed.GetProperty("tasks").EnumerateArray().Select(t => t.GetProperty("id").GetString()));

        var first = JsonDocument.Parse((await CliRunner.RunAsync(["--json", "tasks", "list", "--limit", "1"], env)).Stdout).RootElement;
        var next = first.GetProperty("next").GetString()!;
        var second = JsonDocument.Parse((await CliRunner.RunAsync(["--json", "tasks", "list", "--limit", "1", "--before", next], env)).Stdout).RootElement;
        Assert.Equal(older, second.GetProperty("tasks")[0].GetProperty("id").GetString());

        var bad = await CliRunner.RunAsync(["tasks", "list", "--status", "DONE"], env);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("status: Invalid enum value. Expected 'PENDING' | 'THROTTLED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED', received 'DONE'", bad.Stderr);
    }

    [Fact]
    public async Task Following_a_task_reads_one_endpoint_about_once_a_second()
    {
        var (env, key) = await EnvAsync();
        var clock = Stopwatch.StartNew();
        var result = await CliRunner.RunAsync(["generate", "text-to-video", "--prompt", "polls", "--duration", "2", "--simulate", "delay=4"], env);
        var seconds = clock.Elapsed.TotalSeconds;
        Assert.True(result.ExitCode == 0, result.Stderr);

        // A marker request after the CLI's: once it is in the log, every earlier request is too.
        var marker = await _api.SendAsync(HttpMethod.Get, "/v1/organization", key);
        Assert.Equal(200, marker.Status);
        var paths = await LoggedPathsAsync(key, until: paths => paths.Contains("GET /v1/organization"));
        var polls = paths.Count(p => p.StartsWith("GET /v1/tasks/", StringComparison.Ordinal));
        Assert.InRange(polls, 4, (int)Math.Ceiling(seconds) + 1); // at least the 4 s it ran; never two a second
        Assert.DoesNotContain(paths, p => p.Contains("/generations/", StringComparison.Ordinal)); // no second endpoint for the queue position
    }

    private async Task<List<string>> LoggedPathsAsync(string key, Func<List<string>, bool> until)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var history = await _api.SendAsync(HttpMethod.Get, "/v1/requests?limit=100", key);
            var paths = history.Body.GetProperty("requests").EnumerateArray().Select(r => $"{r.GetProperty("method").GetString()} {r.GetProperty("path").GetString()}").ToList();
            if (until(paths) || DateTime.UtcNow > deadline) return paths;
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task An_endpoint_the_server_does_not_serve_is_named_in_the_error()
    {
        var (env, _) = await EnvAsync();
        var result = await CliRunner.RunAsync(["generate", "text-to-speech", "--prompt", "hello", "--model", "no_such_model"], env);
        Assert.Equal(2, result.ExitCode);
        // Before the endpoint exists the CLI says so; once it does, the server names the unknown model.
        Assert.True(result.Stderr.Contains("This server does not serve POST /v1/text_to_speech", StringComparison.Ordinal)
            || result.Stderr.Contains("received 'no_such_model'", StringComparison.Ordinal), result.Stderr);
    }
}
