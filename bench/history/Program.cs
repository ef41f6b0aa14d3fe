// Request-history benchmark (bench/history/run.sh). Fills a fresh, migrated SQLite file with synthetic
// request-log rows (skewed: one organization has half of them), then times each history query the
// portal runs, first page and deep pages, as the median of several runs. Baselines, measured in the
// same run on the same file: the first page without the indexes (NOT INDEXED: scan and sort), and
// OFFSET pagination for a deep page. Also: the writer's batch insert rate and batched pruning.
using System.Diagnostics;
using Dapper;
using Microsoft.Data.Sqlite;
using Reelay.Server.Features.RequestLog;
using Reelay.Server.Infrastructure;

// --smoke: a few thousand rows, so CI checks that the bench builds and runs (tests/Reelay.Tests/Bench).
var rows = args.Contains("--smoke") ? 2_000 : args.Length > 0 ? int.Parse(args[0]) : 1_000_000;
const int Runs = 15;
const long Day = 86_400_000;
var root = Path.Combine(Path.GetTempPath(), $"reelay-bench-history-{Guid.NewGuid():N}");
Directory.CreateDirectory(root);
try
{
    var db = new Db(Path.Combine(root, "reelay.db"));
    Migrations.Apply(db);
    var start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 30 * Day;
    var span = 30 * Day;
    string[] endpoints = ["POST /v1/image_to_video", "POST /v1/text_to_video", "GET /v1/tasks/{id}", "DELETE /v1/tasks/{id}", "POST /v1/uploads",
        "GET /v1/organization/", "POST /v1/organization/usage", "POST /v1/assets/check", "POST /v1/sora/generate", "GET /v1/sora/generations/{id}"];
    var orgs = Enumerable.Range(0, 20).Select(i => $"org_{i:00}").ToArray();

    var seed = Stopwatch.StartNew();
    Console.WriteLine($"Reelay request-history benchmark: SQLite {SqliteVersion(db)}, {Environment.ProcessorCount} CPUs, {rows:N0} rows");
    await SeedAsync(db, rows, start, span, orgs, endpoints);
    Console.WriteLine($"seeded in {seed.Elapsed.TotalSeconds:0.0} s; file {new FileInfo(db.DatabasePath!).Length / 1048576.0:0} MB (WAL checkpointed)");
    Console.WriteLine();

    await using var connection = (SqliteConnection)await db.OpenAsync();
    var big = orgs[0];
    var small = orgs[19];
    var bigKey = big + "_key_2";
    var mid = start + span / 2;

    // Baseline 1: the big organization's first page without any index (what the table costs without them).
    var (baselineMs, baselineRows) = Time(connection,
        "SELECT id, at FROM request_log NOT INDEXED WHERE org_id = @orgid ORDER BY at DESC, id DESC LIMIT 51", new { orgid = big });
    Console.WriteLine($"baseline  first page, big org, no index (scan + sort)       {baselineMs,9:0.000} ms");
    // Baseline 2: a deep page by OFFSET, the other usual way to paginate.
    var (offsetMs, offsetRows) = Time(connection,
        "SELECT id, at FROM request_log WHERE org_id = @orgid ORDER BY at DESC, id DESC LIMIT 51 OFFSET 100000", new { orgid = big });
    Console.WriteLine($"baseline  page 2001, big org, OFFSET 100000                {offsetMs,9:0.000} ms");
    Console.WriteLine();
    Console.WriteLine($"{"query (50 rows a page, median of " + Runs + ")",-58}{"ms",9}  {"× scan",8}  {"rows",5}  plan");

    var cases = new (string Name, HistoryFilter Filter)[]
    {
        ("first page, big org (50% of rows)", new() { OrgId = big }),
        ("first page, small org (~0.5% of rows)", new() { OrgId = small }),
        ("errors only, big org", new() { OrgId = big, ErrorsOnly = true }),
        ("endpoint, big org (1 in 10)", new() { OrgId = big, Endpoint = endpoints[3] }),
        ("key, big org (1 in 3)", new() { OrgId = big, KeyId = bigKey }),
        ("time range: one day mid-month, big org", new() { OrgId = big, FromMs = mid, ToMs = mid + Day }),
        ("errors + endpoint + key, big org", new() { OrgId = big, ErrorsOnly = true, Endpoint = endpoints[3], KeyId = bigKey }),
        ("errors + time range (one hour), small org", new() { OrgId = small, ErrorsOnly = true, FromMs = mid, ToMs = mid + Day / 24 }),
        ("operator: everyone, first page", new() { AllOrganizations = true }),
        ("operator: everyone, errors only", new() { AllOrganizations = true, ErrorsOnly = true }),
    };
    foreach (var (name, filter) in cases)
    {
        var (sql, parameters) = HistoryQuery.Page(filter);
        var (ms, count) = Time(connection, sql, parameters);
        Console.WriteLine($"{name,-58}{ms,9:0.000}  {ms / baselineMs,8:0.0000}  {count,5}  {Plan(connection, sql, parameters)}");
    }

    // Deep page by keyset: walk 2000 pages of the big organization, then time page 2001 from its cursor.
    HistoryCursor? cursor = null;
    var walked = new List<long>();
    for (var page = 0; page < 2000; page++)
    {
        var result = await HistoryQuery.PageAsync(connection, new HistoryFilter { OrgId = big, Before = cursor });
        walked.AddRange(result.Rows.Select(r => r.Id));
        cursor = result.Next;
    }
    var (deepSql, deepParameters) = HistoryQuery.Page(new HistoryFilter { OrgId = big, Before = cursor });
    var (deepMs, deepRows) = Time(connection, deepSql, deepParameters);
    Console.WriteLine($"{"page 2001, big org, keyset cursor",-58}{deepMs,9:0.000}  {deepMs / baselineMs,8:0.0000}  {deepRows,5}  (× OFFSET: {deepMs / offsetMs:0.0000})");
    var offsetIds = connection.Query<long>("SELECT id FROM request_log WHERE org_id = @orgid ORDER BY at DESC, id DESC LIMIT 50 OFFSET 100000", new { orgid = big }).ToList();
    var keysetIds = connection.Query<HistoryRow>(deepSql, deepParameters).Take(50).Select(r => r.Id).ToList();
    Console.WriteLine($"check: keyset page 2001 == OFFSET page 2001: {keysetIds.SequenceEqual(offsetIds)}; 2000 pages without repeats: {walked.Distinct().Count() == walked.Count}; baseline rows {baselineRows}, offset rows {offsetRows}");
    Console.WriteLine();

    // The writer: batches of 500 in one transaction each, through the same code as the server.
    var entries = Enumerable.Range(0, 20_000).Select(i => new RequestLogEntry
    {
        At = start + span + i, OrgId = big, KeyId = bigKey, KeyPrefix = "key_0123abcd", Method = "POST", Path = "/v1/text_to_video",
        Endpoint = endpoints[1], Status = 200, LatencyMs = 12.5, RequestId = "req_w" + i, RequestType = "application/json", RequestBytes = 80,
        RawRequestBody = """{"model":"gen4.5","promptText":"a lighthouse at dusk","ratio":"1280:720","duration":5}"""u8.ToArray(),
    }).ToList();
    var write = Stopwatch.StartNew();
    foreach (var batch in entries.Chunk(500)) await RequestLogWriter.WriteBatchAsync(db, batch.Select(e => RequestLogWriter.ToRow(e, 65536)).ToList());
    Console.WriteLine($"writer: {entries.Count:N0} entries in batches of 500 (redaction included): {entries.Count / write.Elapsed.TotalSeconds:N0} entries/s");

    // Retention: delete the oldest day in batches of 5000, as the pruner does.
    var prune = Stopwatch.StartNew();
    var pruned = await RequestLogPruner.PruneAsync(db, start + Day, 5000);
    Console.WriteLine($"pruner: {pruned:N0} rows older than the cutoff in batches of 5000: {prune.Elapsed.TotalMilliseconds:0} ms ({prune.Elapsed.TotalMilliseconds / Math.Max(1, Math.Ceiling(pruned / 5000.0)):0} ms a batch, 20 ms pauses included)");
}
finally
{
    SqliteConnection.ClearAllPools();
    Directory.Delete(root, recursive: true);
}

static (double Ms, int Rows) Time(SqliteConnection connection, string sql, object parameters)
{
    var rows = 0;
    for (var i = 0; i < 3; i++) rows = connection.Query(sql, parameters).Count(); // warm the page cache
    var times = new List<double>();
    for (var i = 0; i < Runs; i++)
    {
        var watch = Stopwatch.StartNew();
        rows = connection.Query(sql, parameters).Count();
        times.Add(watch.Elapsed.TotalMilliseconds);
    }
    times.Sort();
    return (times[times.Count / 2], rows);
}

static string Plan(SqliteConnection connection, string sql, object parameters) =>
    string.Join("; ", connection.Query<(long, long, long, string Detail)>("EXPLAIN QUERY PLAN " + sql, parameters).Select(p => p.Detail
        .Replace("SEARCH request_log USING INDEX ", "").Replace("SCALAR SUBQUERY", "subquery")));

static string SqliteVersion(Db db)
{
    using var connection = db.Open();
    return connection.ExecuteScalar<string>("SELECT sqlite_version()")!;
}

static async Task SeedAsync(Db db, int rows, long start, long span, string[] orgs, string[] endpoints)
{
    var random = new Random(42);
    await using var connection = (SqliteConnection)await db.OpenAsync();
    const int Chunk = 50_000;
    for (var done = 0; done < rows; done += Chunk)
    {
        await using var tx = (SqliteTransaction)await connection.BeginTransactionAsync();
        await using var insert = connection.CreateCommand();
        insert.Transaction = tx;
        insert.CommandText = RequestLogWriter.InsertSql;
        var names = new[] { "at", "orgid", "keyid", "keyprefix", "method", "path", "query", "endpoint", "status", "latencyms", "requestid", "requesttype", "requestbytes", "requestbody", "responsebody", "taskid" };
        var p = names.ToDictionary(n => n, n => insert.Parameters.Add(new SqliteParameter("@" + n, null)));
        insert.Prepare();
        for (var i = done; i < Math.Min(rows, done + Chunk); i++)
        {
            // Half of all rows belong to org_00; the rest spread over the other 19.
            var org = random.Next(2) == 0 ? orgs[0] : orgs[1 + random.Next(orgs.Length - 1)];
            var endpoint = endpoints[random.Next(endpoints.Length)];
            var error = random.Next(100) < 5;
            p["at"].Value = start + (long)((double)i / rows * span);
            p["orgid"].Value = org;
            p["keyid"].Value = $"{org}_key_{random.Next(3)}";
            p["keyprefix"].Value = "key_0123abcd";
            p["method"].Value = endpoint.Split(' ')[0];
            p["path"].Value = endpoint.Split(' ')[1].Replace("{id}", "6f1e8a7c-1111-2222-3333-444455556666");
            p["query"].Value = DBNull.Value;
            p["endpoint"].Value = endpoint;
            p["status"].Value = error ? (random.Next(4) == 0 ? 500 : 400) : 200;
            p["latencyms"].Value = 5 + random.NextDouble() * 80;
            p["requestid"].Value = "req_" + Guid.NewGuid().ToString("N");
            p["requesttype"].Value = "application/json";
            p["requestbytes"].Value = 90;
            p["requestbody"].Value = """{"model":"gen4.5","promptText":"a lighthouse at dusk","ratio":"1280:720","duration":5}""";
            p["responsebody"].Value = error ? """{"error":"Validation of body failed","docUrl":"http://127.0.0.1:8080/docs/errors#validation","issues":[{"code":"invalid_enum_value","path":["ratio"],"message":"Invalid enum value."}]}""" : DBNull.Value;
            p["taskid"].Value = DBNull.Value;
            await insert.ExecuteNonQueryAsync();
        }
        await tx.CommitAsync();
    }
    await connection.ExecuteAsync("PRAGMA wal_checkpoint(TRUNCATE)");
}
