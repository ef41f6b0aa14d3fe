using Dapper;
using Reelay.Server.Features.Portal;
using Reelay.Server.Features.RequestLog;
using Reelay.Server.Infrastructure;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Portal;

/// <summary>The history's SQL over a real migrated SQLite file with synthetic rows: filters, keyset pages, isolation, pruning.</summary>
public class HistoryQueryTests
{
    private const long Start = 1_700_000_000_000;

    private static async Task<(Db Db, List<RequestLogEntry> Rows)> SeedAsync(int count)
    {
        var db = new Db(Path.Combine(TestPaths.NewTempDirectory("reelay-history"), "reelay.db"));
        Migrations.Apply(db);
        var random = new Random(7);
        var rows = new List<RequestLogEntry>();
        string[] endpoints = ["POST /v1/text_to_video", "GET /v1/tasks/{id}", "DELETE /v1/tasks/{id}"];
        for (var i = 0; i < count; i++)
        {
            var org = i % 3 == 0 ? "org_b" : "org_a";
            rows.Add(new RequestLogEntry
            {
                // Several rows share a millisecond, so ties between (at, id) are exercised.
                At = Start + i / 3 * 1000,
                OrgId = org,
                KeyId = org + (i % 2 == 0 ? "_key1" : "_key2"),
                KeyPrefix = "key_00000000",
                Method = "GET",
                Path = "/v1/x",
                Endpoint = endpoints[random.Next(endpoints.Length)],
                Status = random.Next(10) < 3 ? 400 + random.Next(2) * 100 : 200,
                LatencyMs = 1,
                RequestId = "req_" + i,
            });
        }
        foreach (var chunk in rows.Chunk(500)) await RequestLogWriter.WriteBatchAsync(db, chunk.Select(e => RequestLogWriter.ToRow(e, 65536)).ToList());
        return (db, rows);
    }

    /// <summary>Every page, following the cursor, concatenated.</summary>
    private static async Task<List<HistoryRow>> WalkAsync(Db db, HistoryFilter filter)
    {
        var all = new List<HistoryRow>();
        await using var connection = await db.OpenAsync();
        HistoryCursor? before = null;
        for (var pages = 0; pages < 1000; pages++)
        {
            var page = await HistoryQuery.PageAsync(connection, filter with { Before = before });
            all.AddRange(page.Rows);
            if (page.Next is null) return all;
            before = page.Next;
        }
        throw new InvalidOperationException("pagination did not end");
    }

    [Fact]
    public async Task Pages_walk_one_organization_newest_first_without_gaps_or_repeats()
    {
        var (db, rows) = await SeedAsync(1000);
        var walked = await WalkAsync(db, new HistoryFilter { OrgId = "org_a", Limit = 37 });
        var expected = rows.Select((r, i) => (Row: r, Id: i + 1L)).Where(x => x.Row.OrgId == "org_a")
            .OrderByDescending(x => x.Row.At).ThenByDescending(x => x.Id).Select(x => x.Row.RequestId).ToList();
        Assert.Equal(expected, walked.Select(r => r.RequestId).ToList());
        Assert.All(walked, r => Assert.Equal("org_a", r.OrgId));
    }

    [Fact]
    public async Task Filters_for_errors_endpoint_key_and_time_range_combine_and_stay_in_the_organization()
    {
        var (db, rows) = await SeedAsync(1200);
        var from = Start + 50_000;
        var to = Start + 300_000;
        var filter = new HistoryFilter { OrgId = "org_a", ErrorsOnly = true, Endpoint = "GET /v1/tasks/{id}", KeyId = "org_a_key1", FromMs = from, ToMs = to, Limit = 10 };
        var walked = await WalkAsync(db, filter);
        var expected = rows.Where(r => r.OrgId == "org_a" && r.Status >= 400 && r.Endpoint == filter.Endpoint && r.KeyId == "org_a_key1" && r.At >= from && r.At <= to)
            .Select(r => r.RequestId).ToHashSet();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, walked.Select(r => r.RequestId).ToHashSet());
        Assert.Equal(expected.Count, walked.Count);
    }

    [Fact]
    public async Task A_key_of_another_organization_finds_nothing_and_only_the_operator_may_query_without_one()
    {
        var (db, _) = await SeedAsync(300);
        Assert.Empty(await WalkAsync(db, new HistoryFilter { OrgId = "org_a", KeyId = "org_b_key1" }));
        Assert.Throws<ArgumentException>(() => HistoryQuery.Page(new HistoryFilter()));
        var everyone = await WalkAsync(db, new HistoryFilter { AllOrganizations = true, Limit = 200 });
        Assert.Equal(300, everyone.Count);
        await using var connection = await db.OpenAsync();
        var someB = everyone.First(r => r.OrgId == "org_b");
        Assert.Null(await HistoryQuery.FindAsync(connection, someB.Id, "org_a"));
        Assert.NotNull(await HistoryQuery.FindAsync(connection, someB.Id, "org_b"));
        Assert.NotNull(await HistoryQuery.FindAsync(connection, someB.Id, null));
    }

    [Fact]
    public async Task The_first_page_reads_one_index_backwards_without_sorting()
    {
        var (db, _) = await SeedAsync(50);
        await using var connection = await db.OpenAsync();
        foreach (var filter in new[]
        {
            new HistoryFilter { OrgId = "org_a" },
            new HistoryFilter { OrgId = "org_a", ErrorsOnly = true },
            new HistoryFilter { OrgId = "org_a", Endpoint = "GET /v1/tasks/{id}", Before = new HistoryCursor(Start + 9000, 20) },
            new HistoryFilter { OrgId = "org_a", KeyId = "org_a_key1", FromMs = Start, ToMs = Start + 5000 },
            new HistoryFilter { AllOrganizations = true, ErrorsOnly = true },
        })
        {
            var (sql, parameters) = HistoryQuery.Page(filter);
            var plan = string.Join(" | ", (await connection.QueryAsync<(long, long, long, string Detail)>("EXPLAIN QUERY PLAN " + sql, parameters)).Select(p => p.Detail));
            Assert.Contains("USING INDEX", plan);
            Assert.DoesNotContain("TEMP B-TREE", plan);
        }
    }

    [Fact]
    public async Task Pruning_deletes_old_entries_in_batches_and_keeps_the_rest()
    {
        var (db, rows) = await SeedAsync(900);
        var cutoff = Start + 100_000;
        var deleted = await RequestLogPruner.PruneAsync(db, cutoff, batchSize: 64);
        Assert.Equal(rows.Count(r => r.At < cutoff), deleted);
        await using var connection = await db.OpenAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM request_log WHERE at < @cutoff", new { cutoff }));
        Assert.Equal(rows.Count(r => r.At >= cutoff), await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM request_log"));
    }

    [Fact]
    public void The_time_filters_read_datetime_local_values_as_utc_and_include_the_whole_last_minute()
    {
        var session = new PortalSession("org_a", "a", "k", "key_0", false, "t");
        var filter = HistoryPages.ToFilter(new HistoryPages.HistoryForm(true, null, null, "2026-01-31T14:05", "2026-01-31T14:06", "org_b"), session, null);
        Assert.Equal(new DateTimeOffset(2026, 1, 31, 14, 5, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(), filter.FromMs);
        Assert.Equal(new DateTimeOffset(2026, 1, 31, 14, 6, 59, 999, TimeSpan.Zero).ToUnixTimeMilliseconds(), filter.ToMs);
        Assert.Equal("org_a", filter.OrgId); // an organization cannot ask for another one's rows
        Assert.False(filter.AllOrganizations);
        Assert.Null(HistoryPages.ParseUtc("yesterday"));
    }

    [Fact]
    public async Task Hiding_polls_leaves_out_successful_task_gets_and_a_search_finds_a_task_a_request_id_or_text()
    {
        var db = new Db(Path.Combine(TestPaths.NewTempDirectory("reelay-history"), "reelay.db"));
        Migrations.Apply(db);
        var task = Guid.NewGuid().ToString();
        RequestLogEntry Entry(int i, string method, string endpoint, int status, string? taskId = null, string? body = null, string? response = null) => new()
        {
            At = Start + i, OrgId = "org_a", Method = method, Path = endpoint.Split(' ')[1].Replace("{id}", task), Endpoint = endpoint, Status = status,
            RequestId = "req_" + i, TaskId = taskId, RequestType = body is null ? null : "application/json",
            RawRequestBody = body is null ? null : System.Text.Encoding.UTF8.GetBytes(body), ResponseBody = response,
        };
        var rows = new[]
        {
            Entry(1, "POST", "POST /v1/text_to_video", 200, taskId: task),
            Entry(2, "GET", "GET /v1/tasks/{id}", 200, taskId: task),
            Entry(3, "GET", "GET /v1/tasks/{id}", 404, taskId: task, response: "{\"error\":\"Task not found.\"}"),
            Entry(4, "POST", "POST /v1/video_to_video", 400, body: $"{{\"videoUri\":\"https://x/outputs/{task}.mp4\",\"ratio\":\"999:1\"}}", response: "{\"error\":\"Validation of body failed\"}"),
            Entry(5, "GET", "GET /v1/organization", 200),
        };
        await RequestLogWriter.WriteBatchAsync(db, rows.Select(e => RequestLogWriter.ToRow(e, 65536)).ToList());
        await using var connection = await db.OpenAsync();
        async Task<string[]> Ids(HistoryFilter filter) => (await HistoryQuery.PageAsync(connection, filter)).Rows.Select(r => r.RequestId).ToArray();
        var all = new HistoryFilter { OrgId = "org_a" };
        Assert.Equal(["req_5", "req_4", "req_3", "req_2", "req_1"], await Ids(all));
        Assert.Equal(["req_5", "req_4", "req_3", "req_1"], await Ids(all with { HidePolling = true })); // a failed poll still shows
        Assert.Equal(["req_4", "req_3", "req_1"], await Ids(all with { HidePolling = true, Search = task.ToUpperInvariant() }));
        Assert.Equal(["req_4"], await Ids(all with { Search = "req_4" }));
        Assert.Equal(["req_3"], await Ids(all with { Search = "TASK NOT" }));
        Assert.Empty(await Ids(all with { Search = "100%_" })); // LIKE wildcards are searched for literally
        Assert.Empty(await Ids(new HistoryFilter { OrgId = "org_b", Search = task }));
    }

    [Fact]
    public async Task A_request_log_batch_hands_its_pooled_sqlite_connection_back_in_full_sync_mode()
    {
        var db = new Db(Path.Combine(TestPaths.NewTempDirectory("reelay-history"), "reelay.db"));
        Migrations.Apply(db);
        var entry = new RequestLogEntry { At = Start, OrgId = "org_a", Method = "GET", Path = "/v1/organization", Endpoint = "GET /v1/organization", Status = 200, RequestId = "req_sync" };
        await RequestLogWriter.WriteBatchAsync(db, [RequestLogWriter.ToRow(entry, 65536)]);
        // The pool has one idle handle, the batch's: what the next caller gets must fsync its commits again (FULL = 2).
        await using var connection = await db.OpenAsync();
        Assert.Equal(2, await connection.ExecuteScalarAsync<int>("PRAGMA synchronous"));
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM request_log WHERE request_id = 'req_sync'"));
    }
}
