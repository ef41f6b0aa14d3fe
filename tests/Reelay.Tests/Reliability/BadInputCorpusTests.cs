using System.Collections.Concurrent;
using Reelay.Tests.Infrastructure;
using Reelay.Tests.Portal;
using Xunit.Abstractions;

namespace Reelay.Tests.Reliability;

/// <summary>
/// The bad-input corpus, generated at run time from the server's own route table and OpenAPI document (so a new route
/// or model is covered without new test code), sent to the real server: no answer may be a 5xx, a hang, a reset or
/// a body outside its surface's shape, and none of the refused requests may touch the organization's data.
/// </summary>
public class BadInputCorpusTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Every_route_answers_every_corpus_case_with_a_clear_4xx_in_its_surface_shape_and_changes_nothing()
    {
        // The media URLs of the schema cases name unreachable.invalid: answered here (with an address no fetch may reach)
        // rather than by the resolver, which drops a burst of lookups and answers each after its 5 s retry instead;
        // that was 15 minutes of the cases' summed time.
        await using var server = await ServerProcess.StartAsync(settings: new Dictionary<string, string>
        {
            ["Workers:Token"] = WorkerProcess.Token,
            ["Assets:DnsOverrides"] = "unreachable.invalid=192.0.2.1",
        });
        var api = new ReelayApi(server);
        var (context, tenant) = await ArrangeAsync(api);
        var before = await OrganizationState.ReadAsync(server, api, tenant.OrgId);

        var routes = await CorpusRoutes.LoadAsync(api);
        var cases = new CorpusCases(routes, context, new RequestBuilder(server.BaseUrl.Authority)).All().ToList();
        output.WriteLine($"{routes.Count} routes ({string.Join(", ", routes.GroupBy(r => r.Surface).Select(g => $"{g.Key} {g.Count()}"))}); {cases.Count} cases: " +
            string.Join(", ", cases.GroupBy(c => c.Group).Select(g => $"{g.Key} {g.Count()}")));
        Assert.True(cases.Count >= 1500, $"only {cases.Count} cases: " +
            string.Join(", ", cases.GroupBy(c => c.Group).Select(g => $"{g.Key} {g.Count()}")));

        var failures = new ConcurrentBag<string>();
        var timings = new ConcurrentBag<(string Case, string Group, double Seconds)>();
        var statuses = new ConcurrentDictionary<int, int>();
        var started = DateTime.UtcNow;
        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = 12 }, async (c, _) =>
        {
            var result = await RawExchange.SendAsync(server.BaseUrl, c.Request, halfClose: false, c.IsHead, Hang);
            timings.Add((c.ToString()!, c.Group, result.Elapsed.TotalSeconds));
            if (result.Answer is { } answer) statuses.AddOrUpdate(answer.Status, 1, (_, n) => n + 1);
            var problem = result.Outcome switch
            {
                RawExchange.Outcome.Hang => $"hang: {result.Error}",
                RawExchange.Outcome.ResetWithoutAnswer => $"reset without an answer: {result.Error}",
                _ => SurfaceShape.Problem(c, result.Answer!),
            };
            if (problem is not null) failures.Add($"{c}: {problem}");
        });
        output.WriteLine($"sent in {(DateTime.UtcNow - started).TotalSeconds:0.0} s; statuses: {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"))}");

        output.WriteLine("summed seconds per group: " + string.Join(", ", timings.GroupBy(t => t.Group).Select(g => $"{g.Key} {g.Sum(t => t.Seconds):0.0}")));
        foreach (var slow in timings.OrderByDescending(t => t.Seconds).Take(10)) output.WriteLine($"slowest: {slow.Seconds:0.00} s {slow.Case}");
        var sorted = failures.Order(StringComparer.Ordinal).ToList();
        foreach (var failure in sorted) output.WriteLine(failure);
        Assert.True(sorted.Count == 0, $"{sorted.Count} of {cases.Count} cases failed:\n{string.Join("\n", sorted.Take(60))}");
        Assert.DoesNotContain("An unhandled exception has occurred", server.Output);
        var after = await OrganizationState.ReadAsync(server, api, tenant.OrgId);
        Assert.Equal(before, after);
        Assert.Equal(200, (await api.SendAsync(HttpMethod.Get, "/healthz", key: null)).Status);
    }

    /// <summary>The organization the corpus aims at: a finished task, an open upload, a portal session.</summary>
    private static async Task<(CorpusRoutes.Context, ReelayApi.Tenant)> ArrangeAsync(ReelayApi api)
    {
        var tenant = await api.NewTenantAsync(credits: 10_000);
        var taskId = await api.CreateTextTaskAsync(tenant.Key);
        await api.WaitForAsync(tenant.Key, taskId, ReelayApi.IsTerminal);
        var upload = await api.PostAsync("/v1/uploads", tenant.Key, new { filename = "photo.png", type = "ephemeral" });
        Assert.Equal(200, upload.Status);
        var fields = upload.Body.GetProperty("fields");
        using var portal = await PortalClient.SignInAsync(api.BaseUrl, tenant.Key);
        await portal.GetAsync("/portal/keys");
        var context = new CorpusRoutes.Context(tenant.Key, ServerProcess.AdminToken, WorkerProcess.Token, portal.Cookies.GetCookieHeader(api.BaseUrl),
            portal.CsrfToken ?? "", tenant.OrgId, taskId, fields.GetProperty("key").GetString()!, fields.GetProperty("token").GetString()!, tenant.KeyId);
        return (context, tenant);
    }
}
