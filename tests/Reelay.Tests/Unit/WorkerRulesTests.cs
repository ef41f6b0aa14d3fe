using Reelay.Tests.Infrastructure;
using Reelay.Server.Features.Blobs;
using Reelay.Server.Features.Catalog;
using Reelay.Server.Features.Outputs;
using Reelay.Server.Features.Queue;
using Reelay.Server.Features.Workers;

namespace Reelay.Tests.Unit;

public class WorkerRulesTests
{
    private static readonly ModelCatalog Catalog = ModelCatalog.Load(null);

    [Theory]
    [InlineData("pool:gpu", "gpu")]
    [InlineData("pool:gpu-a_1.eu", "gpu-a_1.eu")]
    [InlineData("pool:", null)]
    [InlineData("pool:gpu a", null)]
    [InlineData("preview", null)]
    [InlineData("gpu", null)]
    public void A_catalog_engine_names_a_worker_pool_only_as_pool_colon_name(string engine, string? pool) =>
        Assert.Equal(pool, ModelCatalog.EnginePool(engine));

    [Fact]
    public void A_catalog_with_an_unknown_engine_is_refused_at_start_up()
    {
        var file = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "src/Reelay.Server/Features/Catalog/default-catalog.json")))!;
        var models = file["models"]!.AsArray();
        var model = models.First(m => (string?)m!["id"] == "gen4.5")!;
        model["engine"] = "gpu";
        var pooled = model.DeepClone();
        (pooled["id"], pooled["engine"]) = ("pooled", "pool:gpu");
        var fast = model.DeepClone();
        (fast["id"], fast["engine"]) = ("fast", "noop");
        models.Add(pooled);
        models.Add(fast);
        Assert.Equal(["model 'gen4.5': engine 'gpu' is unknown (known: preview, noop, pool:NAME, relay:NAME)"], ModelCatalog.Parse(file).Problems);
    }

    [Fact]
    public void A_lease_request_must_name_known_models_and_a_sane_wait()
    {
        Assert.Null(WorkerLeases.Validate(new LeaseRequest("gpu-1/0", ["gen4.5", "gen4_turbo"], 20), Catalog).Error);
        Assert.Equal("unknown_model", WorkerLeases.Validate(new LeaseRequest(null, ["gen9"], null), Catalog).Code);
        Assert.Equal("invalid_request", WorkerLeases.Validate(new LeaseRequest(null, [], null), Catalog).Code);
        Assert.Equal("invalid_request", WorkerLeases.Validate(new LeaseRequest(null, null, null), Catalog).Code);
        Assert.Equal("invalid_request", WorkerLeases.Validate(new LeaseRequest(null, ["gen4.5"], -1), Catalog).Code);
        Assert.Equal("invalid_request", WorkerLeases.Validate(new LeaseRequest(null, ["gen4.5"], double.NaN), Catalog).Code);
        Assert.Equal("invalid_request", WorkerLeases.Validate(new LeaseRequest("a b", ["gen4.5"], null), Catalog).Code);
        Assert.Equal("invalid_request", WorkerLeases.Validate(new LeaseRequest(new string('w', 101), ["gen4.5"], null), Catalog).Code);
    }

    [Theory]
    [InlineData(30, 10)]
    [InlineData(3, 1)]
    [InlineData(600, 10)]
    public void Heartbeats_come_at_a_third_of_the_lease_and_at_least_every_ten_seconds(double lease, double interval) =>
        Assert.Equal(interval, WorkerLeases.HeartbeatInterval(lease));

    [Fact]
    public void Only_a_body_that_starts_like_its_format_counts_as_an_output()
    {
        Assert.True(WorkerLeases.LooksLikeOutput([0, 0, 0, 0x20, .."ftypisom"u8, 0, 0], ".mp4"));
        Assert.True(WorkerLeases.LooksLikeOutput([0, 0, 0, 0x14, .."ftypqt  "u8, 0, 0], ".mov"));
        Assert.False(WorkerLeases.LooksLikeOutput([0x89, .."PNG\r\n\u001a\n"u8, 0, 0, 0], ".mp4"));
        Assert.False(WorkerLeases.LooksLikeOutput("ftyp"u8, ".mp4"));
        Assert.True(WorkerLeases.LooksLikeOutput([.."PK\u0003\u0004"u8, 0, 0], ".zip"));
        Assert.False(WorkerLeases.LooksLikeOutput([0, 0, 0, 0x20, .."ftypisom"u8, 0, 0], ".zip"));
    }

    [Fact]
    public void An_input_signature_opens_neither_another_input_nor_the_task_output()
    {
        var signer = new OutputSigner(new byte[32]);
        var taskId = Guid.NewGuid().ToString();
        var path = WorkerLeases.InputPath(signer, taskId, "first", 2_000_000_000);
        var signature = path[(path.IndexOf("signature=", StringComparison.Ordinal) + 10)..];
        Assert.Equal(OutputUrlCheck.Valid, signer.Check(WorkerLeases.InputResource(taskId, "first"), "2000000000", signature, 1));
        Assert.Equal(OutputUrlCheck.Invalid, signer.Check(WorkerLeases.InputResource(taskId, "last"), "2000000000", signature, 1));
        Assert.Equal(OutputUrlCheck.Invalid, signer.Check(taskId, "2000000000", signature, 1));
    }

    [Fact]
    public void Each_lease_writes_its_own_output_key_under_the_task()
    {
        Assert.Equal("outputs/t1/lease-a.mp4", TaskRunner.OutputKey("t1", "lease-a"));
        Assert.StartsWith(TaskRunner.OutputPrefix("t1") + "/", TaskRunner.OutputKey("t1", "lease-b"));
        Assert.NotEqual(TaskRunner.OutputKey("t1", "lease-a"), TaskRunner.OutputKey("t1", "lease-b"));
    }

    [Theory]
    [InlineData(null, 100, null, null, false)]
    [InlineData("bytes=0-9", 100, 0L, 10L, false)]
    [InlineData("bytes=90-", 100, 90L, 10L, false)]
    [InlineData("bytes=-5", 100, 95L, 5L, false)]
    [InlineData("bytes=95-200", 100, 95L, 5L, false)]
    [InlineData("bytes=100-", 100, null, null, true)]
    [InlineData("bytes=0-1,5-6", 100, null, null, false)]
    [InlineData("items=0-1", 100, null, null, false)]
    [InlineData("garbage", 100, null, null, false)]
    public void A_range_header_picks_one_satisfiable_byte_range_or_the_whole_blob(string? header, long size, long? from, long? length, bool unsatisfiable)
    {
        var range = BlobResults.PickRange(header, size, out var refused);
        Assert.Equal(unsatisfiable, refused);
        Assert.Equal(from, range?.From);
        Assert.Equal(length, range?.Length);
    }
}
