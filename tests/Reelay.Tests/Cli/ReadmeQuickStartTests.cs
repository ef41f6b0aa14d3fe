using System.Diagnostics;
using System.Text.RegularExpressions;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Cli;

/// <summary>
/// The README's "First requests" blocks, copied out of README.md and run as written (bash, node, the CLI) against a
/// real server with only the banner's two exports set, so the quick start cannot rot. Nothing touches the network:
/// `npm install @runwayml/sdk` copies the SDK installed under tests/sdk-compat instead.
/// </summary>
[Trait("Database", "independent")] // the CLI against a server: what it checks is the CLI's side, the same on either database
public partial class ReadmeQuickStartTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly ReelayApi _api = fixture.Api;

    private static string Block(string name)
    {
        var readme = File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "README.md"));
        var marker = $"<!-- quickstart:{name} -->";
        Assert.True(readme.Contains(marker, StringComparison.Ordinal), $"README.md lost its {marker} block");
        var fence = readme.IndexOf("```", readme.IndexOf(marker, StringComparison.Ordinal), StringComparison.Ordinal);
        var start = readme.IndexOf('\n', fence) + 1;
        return readme[start..readme.IndexOf("\n```", start, StringComparison.Ordinal)] + "\n";
    }

    private async Task<Dictionary<string, string>> BannerEnvAsync()
    {
        var tenant = await _api.NewTenantAsync();
        return new() { ["RUNWAYML_API_SECRET"] = tenant.Key, ["RUNWAYML_BASE_URL"] = _api.BaseUrl.ToString().TrimEnd('/') };
    }

    private static async Task<CliRunner.Result> BashAsync(string script, Dictionary<string, string> env, string directory)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = directory };
        foreach (var a in new[] { "-euo", "pipefail", "-c", script }) info.ArgumentList.Add(a);
        foreach (var name in new[] { "REELAY_BASE_URL", "REELAY_API_SECRET", "RUNWAYML_API_SECRET", "RUNWAYML_BASE_URL" }) info.Environment.Remove(name);
        foreach (var (k, v) in env) info.Environment[k] = v;
        // npm stays offline: no update check, audit or funding requests.
        info.Environment["npm_config_update_notifier"] = "false";
        info.Environment["npm_config_audit"] = "false";
        info.Environment["npm_config_fund"] = "false";
        info.Environment["npm_config_offline"] = "true";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(cts.Token);
        return new CliRunner.Result(process.ExitCode, await stdout, await stderr);
    }

    [GeneratedRegex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")]
    private static partial Regex Uuid();

    [Fact]
    public async Task The_curl_block_creates_a_task_and_reads_it_back()
    {
        var result = await BashAsync(Block("curl"), await BannerEnvAsync(), TestPaths.NewTempDirectory("readme-curl"));
        Assert.True(result.ExitCode == 0, result.Stderr + result.Stdout);
        var id = Uuid().Match(result.Stdout.Split('\n')[0]).Value;
        Assert.Equal($"created task {id}", result.Stdout.Split('\n')[0]);
        Assert.Matches($"^\\{{\"id\":\"{id}\",\"createdAt\":\"[^\"]+\",\"status\":\"(PENDING|THROTTLED|RUNNING|SUCCEEDED)\"", result.Stdout.Split('\n')[1]);
    }

    [Fact]
    public async Task The_node_block_runs_as_index_mjs_in_a_fresh_npm_project()
    {
        SdkScenario.EnsureInstalled();
        var sdk = Path.Combine(SdkScenario.SdkDirectory, "node_modules", "@runwayml", "sdk");
        // The setup block as written; only `npm install` is served from the installed copy instead of the registry.
        var shim = $$"""
            npm() { if [ "$1" = install ]; then mkdir -p node_modules/@runwayml && cp -r '{{sdk}}' node_modules/@runwayml/sdk; else command npm "$@"; fi; }
            """;
        var script = $"{shim}\n{Block("node-setup")}cat > index.mjs <<'README_EOF'\n{Block("node")}README_EOF\nnode index.mjs\n";
        var directory = TestPaths.NewTempDirectory("readme-node");
        var result = await BashAsync(script, await BannerEnvAsync(), directory);
        Assert.True(result.ExitCode == 0, result.Stderr + result.Stdout);
        // npm init -y makes a CommonJS package: the snippet's `import` works because the file is .mjs.
        Assert.DoesNotContain("\"type\": \"module\"", await File.ReadAllTextAsync(Path.Combine(directory, "reelay-hello", "package.json")));
        var url = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last();
        Assert.StartsWith(_api.BaseUrl + "outputs/", url);
        var video = Path.Combine(directory, "out.mp4");
        await File.WriteAllBytesAsync(video, await ReelayApi.DownloadAsync(url));
        Assert.InRange(Media.Probe(video).Duration, 4.9, 5.1);
    }

    [Fact]
    public async Task The_cli_block_runs_with_only_the_banners_exports()
    {
        var directory = TestPaths.NewTempDirectory("readme-cli");
        var script = $"reelay() {{ dotnet '{TestPaths.CliDll}' \"$@\"; }}\n{Block("cli")}";
        var result = await BashAsync(script, await BannerEnvAsync(), directory);
        Assert.True(result.ExitCode == 0, result.Stderr + result.Stdout);
        Assert.Contains("balance: 10,000 credits", result.Stdout);
        Assert.Contains("saved lighthouse.mp4", result.Stdout);
        Assert.Contains("a lighthouse at dusk", result.Stdout); // tasks list
        Assert.InRange(Media.Probe(Path.Combine(directory, "lighthouse.mp4")).Duration, 4.9, 5.1);
    }
}
