using System.Diagnostics;
using System.Text.RegularExpressions;
using Reelay.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Reelay.Tests.Relays;

/// <summary>What the relay adds, upstream on the same machine, PollSeconds 0.2: create → upstream create, upstream SUCCEEDED → ours.</summary>
public sealed partial class RelayLatencyTests(ITestOutputHelper output)
{
    [GeneratedRegex("relayed to relay:up as upstream task \\S+, (\\d+) ms after it was created")]
    private static partial Regex RelayedLine();

    [Fact]
    public async Task The_relay_adds_little_latency_on_either_side_of_the_upstream_generation()
    {
        await using var pair = await RelayPair.StartAsync();
        var tenant = await pair.GatewayApi.NewTenantAsync(credits: 10_000);
        var finish = new List<double>();
        for (var i = 0; i < 8; i++)
        {
            var id = await pair.GatewayApi.CreateTextTaskAsync(tenant.Key);
            var upstreamId = await pair.WaitForUpstreamIdAsync(id);
            var clock = Stopwatch.StartNew();
            TimeSpan? upstreamDone = null;
            while (true)
            {
                if (upstreamDone is null && (await pair.UpstreamApi.GetTaskAsync(pair.UpstreamTenant.Key, upstreamId)).Body.GetProperty("status").GetString() == "SUCCEEDED")
                    upstreamDone = clock.Elapsed;
                if (upstreamDone is not null && (await pair.GatewayApi.GetTaskAsync(tenant.Key, id)).Body.GetProperty("status").GetString() == "SUCCEEDED") break;
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), pair.GatewayOutput);
                await Task.Delay(10);
            }
            finish.Add((clock.Elapsed - upstreamDone!.Value).TotalMilliseconds);
        }
        var create = RelayedLine().Matches(pair.GatewayOutput).Select(m => double.Parse(m.Groups[1].Value)).ToList();
        output.WriteLine($"create → upstream create: p50 {Percentile(create, 50):0} ms, p99 {Percentile(create, 99):0} ms (n={create.Count})");
        output.WriteLine($"upstream SUCCEEDED → ours: p50 {Percentile(finish, 50):0} ms, p99 {Percentile(finish, 99):0} ms (n={finish.Count})");
        Assert.Equal(8, create.Count);
        Assert.True(Percentile(create, 50) < 2000 && Percentile(finish, 50) < 2000, string.Join(", ", create.Concat(finish)));
    }

    private static double Percentile(List<double> values, int p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(p / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
    }
}
