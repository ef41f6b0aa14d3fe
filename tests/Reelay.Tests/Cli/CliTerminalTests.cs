using System.Text.RegularExpressions;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Cli;

/// <summary>`reelay` under a pseudo-terminal: what the screen shows once the command is done.</summary>
[Trait("Database", "independent")] // the CLI against a server: what it checks is the CLI's side, the same on either database
public class CliTerminalTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly ReelayApi _api = fixture.Api;

    private async Task<Dictionary<string, string?>> EnvAsync()
    {
        var tenant = await _api.NewTenantAsync();
        return new() { ["RUNWAYML_BASE_URL"] = _api.BaseUrl.ToString().TrimEnd('/'), ["RUNWAYML_API_SECRET"] = tenant.Key };
    }

    [Fact]
    public void The_screen_model_overwrites_a_line_on_carriage_return_and_erase()
    {
        var lines = TerminalScreen.Lines("a\r\u001b[2Krunning 10%\r\u001b[2Kdone 100%\r\nnext\u001b[?1h\u001b=\r\n");
        Assert.Equal(["done 100%", "next"], lines);
    }

    [Fact]
    public async Task Generate_on_a_terminal_ends_with_the_final_label_and_a_single_percentage()
    {
        var env = await EnvAsync();
        var directory = TestPaths.NewTempDirectory("reelay-cli-tty");
        var result = await TerminalScreen.RunAsync(TerminalScreen.Reelay("generate text-to-video --prompt tty --duration 2 --simulate delay=2 --out tty.mp4"), env, directory);
        Assert.True(result.ExitCode == 0, result.Stdout);
        var screen = TerminalScreen.Lines(result.Stdout);
        var progress = Assert.Single(screen, l => l.StartsWith("task ", StringComparison.Ordinal) && l.Contains('━'));
        Assert.Matches(new Regex(@"^task [0-9a-f]{8}: done in \d+\.\d s ━{24} 100%$"), progress);
        Assert.Single(progress, c => c == '%');
        // While it ran, the label was refreshed with the state (the percentage is not in the label).
        Assert.Contains(": running ", result.Stdout);
        Assert.DoesNotContain("rendering", result.Stdout);
        var download = Assert.Single(screen, l => l.StartsWith("tty.mp4: ", StringComparison.Ordinal));
        Assert.Matches(new Regex(@"^tty\.mp4: downloaded \d+\.\d [KM]?B in \d+\.\d s ━{24} 100%$"), download);
        Assert.StartsWith("saved tty.mp4", screen.Last(l => l.Length > 0));
        Assert.Equal(("h264", 1280), (Media.Probe(Path.Combine(directory, "tty.mp4")).Codec, Media.Probe(Path.Combine(directory, "tty.mp4")).Width));
    }

    [Fact]
    public async Task A_waiting_task_shows_its_queue_position_in_the_label_then_ends_done()
    {
        var env = await EnvAsync();
        // An earlier task of the same organization that stays throttled puts ours second in line.
        var first = await _api.CreateTextTaskAsync(env["RUNWAYML_API_SECRET"]!, simulate: "throttle=60");
        try
        {
            var directory = TestPaths.NewTempDirectory("reelay-cli-queue");
            var result = await TerminalScreen.RunAsync(TerminalScreen.Reelay("generate text-to-video --prompt q --duration 2 --simulate throttle=2 --out q.mp4"), env, directory);
            Assert.True(result.ExitCode == 0, result.Stdout);
            Assert.Contains(": throttled (position 2 in queue) ", result.Stdout);
            var progress = Assert.Single(TerminalScreen.Lines(result.Stdout), l => l.StartsWith("task ", StringComparison.Ordinal) && l.Contains('━'));
            Assert.Matches(new Regex(@": done in \d+\.\d s ━{24} 100%$"), progress);
        }
        finally
        {
            await _api.DeleteTaskAsync(env["RUNWAYML_API_SECRET"]!, first);
        }
    }

    [Fact]
    public async Task A_failed_task_on_a_terminal_ends_its_line_with_the_failure_and_prints_the_error_below()
    {
        var env = await EnvAsync();
        var result = await TerminalScreen.RunAsync(TerminalScreen.Reelay("generate text-to-video --prompt f --duration 2 --simulate fail=SAFETY.INPUT.TEXT"), env, TestPaths.NewTempDirectory("reelay-cli-fail"));
        Assert.Equal(3, result.ExitCode);
        var screen = TerminalScreen.Lines(result.Stdout);
        Assert.Matches(new Regex(@"^task [0-9a-f]{8}: failed after \d+\.\d s [━─]{24} +\d+%$"), Assert.Single(screen, l => l.StartsWith("task ", StringComparison.Ordinal) && (l.Contains('━') || l.Contains('─'))));
        Assert.Contains(screen, l => l.Contains("failureCode: SAFETY.INPUT.TEXT"));
    }
}
