using System.Diagnostics;
using Reelay.Client;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Client;

/// <summary>WaitForTaskOutputAsync: success with progress reports, failure, timeout, cancellation.</summary>
[Trait("Database", "independent")] // the C# client against a server: what it checks is the client's side, the same on either database
public class ClientWaitTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly ReelayApi _api = fixture.Api;

    [Fact]
    public async Task Waiting_reports_progress_and_returns_the_succeeded_task_with_its_output()
    {
        var tenant = await _api.NewTenantAsync();
        using var client = Clients.For(_api, tenant);
        var created = await client.CreateTextToVideoAsync(Clients.Text(), new RequestOptions { Simulate = "delay=2" });
        var seen = new List<ReelayTask>();
        var task = await client.WaitForTaskOutputAsync(created.Id, TimeSpan.FromSeconds(90), seen.Add);

        Assert.Equal(ReelayTaskStatus.Succeeded, task.Status);
        Assert.Single(task.Output!);
        Assert.Same(task, seen[^1]);
        Assert.Contains(seen, t => t.Status == ReelayTaskStatus.Running && t.Progress is > 0 and <= 1);
        var progress = seen.Where(t => t.Progress is not null).Select(t => t.Progress!.Value).ToList();
        Assert.Equal(progress.Order(), progress);
    }

    [Fact]
    public async Task Polls_spread_out_instead_of_hammering_the_server()
    {
        var tenant = await _api.NewTenantAsync();
        using var client = Clients.For(_api, tenant, o => (o.PollInterval, o.MaxPollInterval) = (TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(400)));
        var created = await client.CreateTextToVideoAsync(Clients.Text(), new RequestOptions { Simulate = "delay=3" });
        var polls = 0;
        var clock = Stopwatch.StartNew();
        await client.WaitForTaskOutputAsync(created.Id, TimeSpan.FromSeconds(90), _ => polls++);
        // At a fixed 100 ms this would be ≥ 30 polls; growing to 400 ms keeps it near elapsed / 400 ms.
        Assert.InRange(polls, 2, (int)(clock.Elapsed.TotalMilliseconds / 400 * 1.25) + 6);
    }

    [Fact]
    public async Task A_failed_task_throws_with_its_failure_and_failure_code()
    {
        var tenant = await _api.NewTenantAsync();
        using var client = Clients.For(_api, tenant);
        var created = await client.CreateTextToVideoAsync(Clients.Text(), new RequestOptions { Simulate = "fail=SAFETY.INPUT.TEXT" });
        var error = await Assert.ThrowsAsync<TaskFailedException>(() => client.WaitForTaskOutputAsync(created.Id, TimeSpan.FromSeconds(90)));
        Assert.Equal("SAFETY.INPUT.TEXT", error.FailureCode);
        Assert.False(string.IsNullOrWhiteSpace(error.Failure));
        Assert.Equal(created.Id, error.TaskId);
        Assert.Equal(ReelayTaskStatus.Failed, error.Task.Status);
        Assert.Contains("SAFETY.INPUT.TEXT", error.Message);
    }

    [Fact]
    public async Task A_task_still_running_at_the_deadline_throws_timed_out_and_keeps_running()
    {
        var tenant = await _api.NewTenantAsync();
        using var client = Clients.For(_api, tenant);
        var created = await client.CreateTextToVideoAsync(Clients.Text(), new RequestOptions { Simulate = "delay=30" });
        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<TaskTimedOutException>(() => client.WaitForTaskOutputAsync(created.Id, TimeSpan.FromSeconds(1)));
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5));
        Assert.Equal(TimeSpan.FromSeconds(1), error.Timeout);
        Assert.False(error.Task.IsFinished);
        Assert.False((await client.GetTaskAsync(created.Id)).IsFinished);
        await client.CancelTaskAsync(created.Id);
    }

    [Fact]
    public async Task The_callers_cancellation_token_stops_the_wait()
    {
        var tenant = await _api.NewTenantAsync();
        using var client = Clients.For(_api, tenant);
        var created = await client.CreateTextToVideoAsync(Clients.Text(), new RequestOptions { Simulate = "delay=30" });
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.WaitForTaskOutputAsync(created.Id, cancellationToken: cancel.Token));
        await client.CancelTaskAsync(created.Id);
    }
}
