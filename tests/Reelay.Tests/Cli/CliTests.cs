using System.Text.Json;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Cli;

/// <summary>Each `reelay` command as a process against a real server, asserting output and exit codes.</summary>
[Trait("Database", "independent")] // the CLI against a server: what it checks is the CLI's side, the same on either database
public class CliTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly ReelayApi _api = fixture.Api;

    private async Task<Dictionary<string, string?>> EnvAsync(long credits = 10_000)
    {
        var tenant = await _api.NewTenantAsync(credits);
        return new()
        {
            ["REELAY_BASE_URL"] = _api.BaseUrl.ToString().TrimEnd('/'),
            ["REELAY_API_SECRET"] = tenant.Key,
            ["REELAY_ADMIN_TOKEN"] = ServerProcess.AdminToken,
            ["ORG_ID"] = tenant.OrgId,
        };
    }

    private static Task<CliRunner.Result> Reelay(IDictionary<string, string?> env, params string[] args) => CliRunner.RunAsync(args, env);

    [Fact]
    public async Task Help_documents_the_exit_codes()
    {
        var result = await Reelay(new Dictionary<string, string?>(), "--help");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Exit codes", result.Stdout);
        Assert.Contains("generate", result.Stdout);
    }

    [Fact]
    public async Task Generate_text_to_video_writes_a_playable_mp4_without_a_progress_bar_in_a_pipe()
    {
        var env = await EnvAsync();
        var directory = TestPaths.NewTempDirectory("reelay-cli-out");
        var file = Path.Combine(directory, "clip.mp4");
        var result = await Reelay(env, "generate", "text-to-video", "--prompt", "a lighthouse at dusk", "--duration", "2", "--out", file);
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("saved", result.Stdout);
        Assert.DoesNotContain('\u001b', result.Stdout + result.Stderr);
        Assert.DoesNotContain("━", result.Stdout + result.Stderr);
        var facts = Media.Probe(file);
        Assert.Equal(("h264", 1280, 720), (facts.Codec, facts.Width, facts.Height));
        Assert.InRange(facts.Duration, 1.9, 2.1);
    }

    [Fact]
    public async Task Generate_image_to_video_uploads_a_local_file_and_prints_json_for_scripts()
    {
        var env = await EnvAsync();
        var directory = TestPaths.NewTempDirectory("reelay-cli-img");
        var image = Path.Combine(directory, "photo.png");
        await File.WriteAllBytesAsync(image, Media.Image(640, 360));
        var result = await CliRunner.RunAsync(["--json", "generate", "image-to-video", "--image", image, "--duration", "2", "--out", "out.mp4"], env, directory);
        Assert.True(result.ExitCode == 0, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        Assert.Equal("SUCCEEDED", json.RootElement.GetProperty("status").GetString());
        Assert.Equal(Path.Combine(directory, "out.mp4"), json.RootElement.GetProperty("file").GetString());
        Assert.Equal(1280, Media.Probe(Path.Combine(directory, "out.mp4")).Width);
    }

    [Fact]
    public async Task A_failed_task_exits_3_with_its_failure_code_and_a_rejected_request_exits_2_with_its_issues()
    {
        var env = await EnvAsync();
        var failed = await Reelay(env, "generate", "text-to-video", "--prompt", "x", "--duration", "2", "--simulate", "fail=SAFETY.INPUT.TEXT");
        Assert.Equal(3, failed.ExitCode);
        Assert.Contains("failureCode: SAFETY.INPUT.TEXT", failed.Stderr);

        var rejected = await Reelay(env, "generate", "text-to-video", "--prompt", "x", "--ratio", "999:1", "--duration", "2");
        Assert.Equal(2, rejected.ExitCode);
        Assert.Contains("Validation of body failed", rejected.Stderr);
        Assert.Contains("ratio: Invalid enum value", rejected.Stderr);

        var badKey = await Reelay(new Dictionary<string, string?>(env) { ["REELAY_API_SECRET"] = "key_" + new string('0', 128) }, "balance");
        Assert.Equal(2, badKey.ExitCode);
        Assert.Contains("not valid", badKey.Stderr);

        var unreachable = await Reelay(new Dictionary<string, string?>(env) { ["REELAY_BASE_URL"] = "http://127.0.0.1:9" }, "--api-key", env["REELAY_API_SECRET"]!, "balance");
        Assert.Equal(5, unreachable.ExitCode);
    }

    [Fact]
    public async Task Tasks_get_watch_and_cancel_work_on_a_task()
    {
        var env = await EnvAsync();
        var key = env["REELAY_API_SECRET"]!;
        var id = await _api.CreateTextTaskAsync(key, simulate: "delay=30");
        var get = await Reelay(env, "tasks", "get", id);
        Assert.Equal(0, get.ExitCode);
        Assert.Contains(id, get.Stdout);
        var cancel = await Reelay(env, "tasks", "cancel", id);
        Assert.Equal(0, cancel.ExitCode);
        Assert.Contains("cancelled and deleted", cancel.Stdout);
        var watchCancelled = await Reelay(env, "tasks", "watch", id);
        Assert.Equal(2, watchCancelled.ExitCode); // gone, as the Runway API does after a cancel

        var done = await _api.CreateTextTaskAsync(key);
        var watch = await Reelay(env, "--json", "tasks", "watch", done, "--out", Path.Combine(TestPaths.NewTempDirectory("reelay-cli-w"), "w.mp4"));
        Assert.True(watch.ExitCode == 0, watch.Stderr);
        Assert.Equal("SUCCEEDED", JsonDocument.Parse(watch.Stdout).RootElement.GetProperty("status").GetString());
        var missing = await Reelay(env, "tasks", "get", Guid.NewGuid().ToString());
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("Could not find Task", missing.Stderr);
    }

    [Fact]
    public async Task Balance_and_usage_print_tables_and_json()
    {
        var env = await EnvAsync(credits: 5000);
        var id = await _api.CreateTextTaskAsync(env["REELAY_API_SECRET"]!);
        await _api.WaitForAsync(env["REELAY_API_SECRET"]!, id, ReelayApi.IsTerminal);
        var balance = await Reelay(env, "balance");
        Assert.Equal(0, balance.ExitCode);
        Assert.Contains("balance: 4,976 credits", balance.Stdout);
        Assert.Contains("gen4.5", balance.Stdout);
        var usage = await Reelay(env, "usage");
        Assert.Equal(0, usage.ExitCode);
        Assert.Contains(DateTime.UtcNow.ToString("yyyy-MM-dd"), usage.Stdout);
        Assert.Contains("24", usage.Stdout);
        var json = await Reelay(env, "--json", "balance");
        Assert.Equal(4976, JsonDocument.Parse(json.Stdout).RootElement.GetProperty("creditBalance").GetInt64());
    }

    [Fact]
    public async Task Admin_commands_manage_organizations_keys_credits_and_limits()
    {
        var env = await EnvAsync();
        var created = await Reelay(env, "--json", "admin", "orgs", "create", "--name", "cli & co", "--credits", "500");
        Assert.True(created.ExitCode == 0, created.Stderr);
        var orgId = JsonDocument.Parse(created.Stdout).RootElement.GetProperty("id").GetString()!;
        Assert.Contains("\"name\": \"cli & co\"", created.Stdout);
        var human = await Reelay(env, "admin", "orgs", "create", "--name", "plain", "--credits", "5");
        Assert.Matches(@"^created organization plain \(org_[0-9a-f]+\) with 5 credits\nnext: reelay admin keys create org_[0-9a-f]+$", human.Stdout.Trim());
        Assert.DoesNotContain("suspended", human.Stdout);
        var shown = await Reelay(env, "admin", "orgs", "get", orgId);
        Assert.StartsWith($"cli & co ({orgId}), active, created ", shown.Stdout);
        Assert.Contains("balance: 500 credits", shown.Stdout);
        var key = await Reelay(env, "--json", "admin", "keys", "create", orgId, "--name", "ci");
        var newKey = JsonDocument.Parse(key.Stdout).RootElement;
        var humanKey = await Reelay(env, "admin", "keys", "create", orgId);
        Assert.Matches("\nexport RUNWAYML_API_SECRET=key_[0-9a-f]{128}$", humanKey.Stdout.TrimEnd());
        Assert.Matches("^key_[0-9a-f]{128}$", newKey.GetProperty("key").GetString());
        var grant = await Reelay(env, "admin", "credits", "grant", orgId, "--credits", "250", "--reason", "test");
        Assert.Equal($"granted 250 credits: {orgId} now has 750 credits", grant.Stdout.Trim());
        Assert.Equal(0, (await Reelay(env, "admin", "limits", "set", orgId, "--model", "gen4.5", "--max-daily", "3")).ExitCode);
        var org = await Reelay(env, "--json", "admin", "orgs", "get", orgId);
        Assert.Equal(3, JsonDocument.Parse(org.Stdout).RootElement.GetProperty("limits").GetProperty("gen4.5").GetProperty("maxDailyGenerations").GetInt32());
        Assert.Equal(0, (await Reelay(env, "admin", "keys", "disable", newKey.GetProperty("id").GetString()!)).ExitCode);
        var disabled = await Reelay(new Dictionary<string, string?>(env) { ["REELAY_API_SECRET"] = newKey.GetProperty("key").GetString() }, "balance");
        Assert.Equal(2, disabled.ExitCode);
        var noToken = await Reelay(new Dictionary<string, string?>(env) { ["REELAY_ADMIN_TOKEN"] = "wrong" }, "admin", "orgs", "get", orgId);
        Assert.Equal(2, noToken.ExitCode);
    }

    [Fact]
    public async Task Assets_check_prints_every_check_and_exits_2_when_rejected()
    {
        var env = await EnvAsync();
        var ok = await Reelay(env, "assets", "check", Media.DataUri(640, 360));
        Assert.True(ok.ExitCode == 0, ok.Stderr);
        Assert.Contains("verdict: accepted", ok.Stdout);
        Assert.Contains("640x360", ok.Stdout);
        var file = Path.Combine(TestPaths.NewTempDirectory("reelay-cli-a"), "tall.png");
        await File.WriteAllBytesAsync(file, Media.Image(120, 260));
        var tall = await Reelay(env, "assets", "check", file);
        Assert.Equal(2, tall.ExitCode);
        Assert.Contains("reason: Invalid asset aspect ratio. width / height ratio must be between 0.5 and 2. Got 0.462.", tall.Stdout);
        Assert.Contains("FAIL", tall.Stdout);
        var http = await Reelay(env, "--json", "assets", "check", "http://example.com/a.png");
        Assert.Equal("Only HTTPS URLs are allowed.", JsonDocument.Parse(http.Stdout).RootElement.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Assets_check_with_kind_audio_uploads_a_sound_file_and_prints_its_duration()
    {
        var env = await EnvAsync();
        var file = Path.Combine(TestPaths.NewTempDirectory("reelay-cli-audio"), "tone.wav");
        await File.WriteAllBytesAsync(file, Media.Audio(3, "wav"));
        var ok = await Reelay(env, "assets", "check", "--kind", "audio", file);
        Assert.True(ok.ExitCode == 0, ok.Stderr + ok.Stdout);
        Assert.Contains("verdict: accepted", ok.Stdout);
        Assert.Contains("3 s", ok.Stdout);
        var asImage = await Reelay(env, "assets", "check", file);
        Assert.Equal(2, asImage.ExitCode);
        Assert.Contains("reason: Invalid asset. The content could not be read as an image.", asImage.Stdout);
    }

    [Fact]
    public async Task Migrate_applies_the_migrations_once_and_then_reports_the_database_up_to_date()
    {
        var data = TestPaths.NewTempDirectory("reelay-cli-migrate");
        var first = await CliRunner.RunAsync(["--json", "migrate", $"--Data:Directory={data}"], new Dictionary<string, string?>());
        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Contains("0001_initial.sql", first.Stdout);
        Assert.True(File.Exists(Path.Combine(data, "reelay.db")));
        var second = await CliRunner.RunAsync(["migrate", $"--Data:Directory={data}"], new Dictionary<string, string?>());
        Assert.Equal(0, second.ExitCode);
        Assert.Contains("up to date", second.Stdout);
    }

    [Fact]
    public async Task Serve_runs_the_same_server()
    {
        var data = TestPaths.NewTempDirectory("reelay-cli-serve");
        var info = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { TestPaths.CliDll, "serve", "--urls", "http://127.0.0.1:0", $"--Data:Directory={data}" }) info.ArgumentList.Add(a);
        using var process = System.Diagnostics.Process.Start(info)!;
        try
        {
            string? line;
            var deadline = DateTime.UtcNow.AddSeconds(60);
            do line = await process.StandardOutput.ReadLineAsync();
            while (line is not null && !line.StartsWith("Reelay listening on ", StringComparison.Ordinal) && DateTime.UtcNow < deadline);
            Assert.NotNull(line);
            var url = line!["Reelay listening on ".Length..].Trim();
            using var health = await ReelayApi.Client.GetAsync(url + "/readyz");
            Assert.Equal(200, (int)health.StatusCode);
            Assert.True(File.Exists(Path.Combine(data, "reelay.db")));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
        }
    }
}

/// <summary>The README's command-line examples, run line by line, so the documentation cannot rot.</summary>
[Trait("Database", "independent")] // the CLI against a server: what it checks is the CLI's side, the same on either database
public class CliReadmeExampleTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Every_readme_example_runs_and_succeeds()
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(TestPaths.RepositoryRoot, "README.md"));
        var block = readme.Split("<!-- cli-examples")[1].Split("<!-- /cli-examples -->")[0];
        var commands = block.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("reelay ", StringComparison.Ordinal)).ToList();
        Assert.True(commands.Count >= 5, "the README lost its examples");

        var tenant = await fixture.Api.NewTenantAsync();
        var env = new Dictionary<string, string?> { ["REELAY_BASE_URL"] = fixture.Api.BaseUrl.ToString().TrimEnd('/'), ["REELAY_API_SECRET"] = tenant.Key };
        var directory = TestPaths.NewTempDirectory("reelay-readme");
        await File.WriteAllBytesAsync(Path.Combine(directory, "photo.png"), Media.Image(640, 360));
        foreach (var command in commands)
        {
            var result = await CliRunner.RunAsync(ShellWords(command).Skip(1).ToList(), env, directory);
            Assert.True(result.ExitCode == 0, $"`{command}` exited {result.ExitCode}: {result.Stderr}");
        }
        Assert.True(File.Exists(Path.Combine(directory, "lighthouse.mp4")));
    }

    /// <summary>Splits a command line on spaces, honouring double quotes (all the README uses).</summary>
    private static IEnumerable<string> ShellWords(string line) =>
        System.Text.RegularExpressions.Regex.Matches(line, "\"([^\"]*)\"|(\\S+)").Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value);
}
