using System.Text.Json;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.RunBlob;

/// <summary>Veo 3 — /v1/veo: 8 s with audio, base64 images, generation_id, the seed echoed, error.message codes.</summary>
[Collection(RunBlobFamilies.Name)]
public sealed class VeoTests(RunBlobFamilyFixture fixture) : FamilyTests(fixture)
{
    public static readonly FamilySpec Spec = new(
        "veo", "generation_id", "video_url",
        (_, callback) => new { prompt = "a lighthouse at dusk, waves below", seed = 42, callback_url = callback },
        new ExpectedOutput("video", 1280, 720, 8, Audio: true),
        "0.2500")
    {
        CreatedKeys = ["generation_id", "status", "seed", "price"],
        StatusKeys = ["generation_id", "status", "prompt", "video_url", "created_at", "completed_at", "seed", "error"],
        Failure = body => body.GetProperty("error") is { ValueKind: JsonValueKind.Object } error ? error.GetProperty("message").GetString() : null,
        ModerationFailure = "PHOTOREAL_UPLOAD",
        NotFound = """{"detail":"TASK_NOT_FOUND"}""",
        InsufficientCredits = """{"success":false,"message":"INSUFFICIENT_CREDITS"}""",
    };

    protected override FamilySpec Family => Spec;

    [Fact]
    public async Task The_seed_is_echoed_and_timestamps_have_microseconds_without_a_zone()
    {
        var journey = await Fixture.CompletedAsync(Spec);
        Assert.Equal(42, journey.Created.GetProperty("seed").GetInt64());
        Assert.Equal(42, journey.Final.GetProperty("seed").GetInt64());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$", journey.Final.GetProperty("created_at").GetString());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$", journey.Final.GetProperty("completed_at").GetString());
        Assert.Equal(JsonValueKind.Null, journey.Final.GetProperty("error").ValueKind);
        Assert.Equal(JsonValueKind.Null, journey.Seen["pending"].GetProperty("completed_at").ValueKind);
    }

    [Fact]
    public async Task The_older_and_newer_field_forms_are_both_accepted_and_an_unsent_seed_is_chosen_and_echoed()
    {
        var tenant = await Fixture.Api.NewTenantAsync();
        var older = await CreateAsync(tenant.Key, new { prompt = "a lighthouse at dusk", model_type = "veo-3-quality", seed = 7, filter_text = "moderate" }, "fail=INTERNAL");
        Assert.Equal(201, older.Status);
        Assert.Equal("0.5000", older.Body.GetProperty("price").GetString());
        var newer = await CreateAsync(tenant.Key, new { prompt = "a lighthouse at dusk", model = "veo-3-fast", aspect_ratio = "9:16", seed = 999_999_999, watermark_text = "reelay" }, "fail=INTERNAL");
        Assert.Equal((201, "0.2500", 999_999_999L), (newer.Status, newer.Body.GetProperty("price").GetString(), newer.Body.GetProperty("seed").GetInt64()));
        // model wins over model_type when both are sent.
        var both = await CreateAsync(tenant.Key, new { prompt = "a lighthouse at dusk", model = "veo-3-fast", model_type = "veo-3-quality" }, "fail=INTERNAL");
        Assert.Equal("0.2500", both.Body.GetProperty("price").GetString());
        var unseeded = await CreateAsync(tenant.Key, new { prompt = "a lighthouse at dusk" }, "fail=INTERNAL");
        Assert.InRange(unseeded.Body.GetProperty("seed").GetInt64(), 0, 1_000_000_000);
    }

    [Fact]
    public async Task Images_and_modes_are_checked_with_the_errors_pages_codes()
    {
        var tenant = await Fixture.Api.NewTenantAsync();
        var image = Convert.ToBase64String(Media.Image(640, 360));
        await AssertBadRequestAsync(tenant.Key, new { prompt = "a lighthouse at dusk", bytes_image = Convert.ToBase64String(new byte[600]) }, "UNSUPPORTED_IMAGE_FORMAT");
        await AssertBadRequestAsync(tenant.Key, new { prompt = "a lighthouse at dusk", bytes_image = "not base64 at all!" }, "INVALID_IMAGE");
        await AssertBadRequestAsync(tenant.Key, new { prompt = "a lighthouse at dusk", bytes_image = image, reference_images = new[] { image } },
            "Use one mode per request: bytes_image, start_frame with end_frame, or reference_images");
        await AssertBadRequestAsync(tenant.Key, new { prompt = "a lighthouse at dusk", start_frame = image }, "start_frame and end_frame must be sent together");
        await AssertBadRequestAsync(tenant.Key, new { prompt = "a lighthouse at dusk", model = "veo-3-quality", reference_images = new[] { image } },
            "reference_images are only supported by veo-3-fast");
        Assert.Equal(201, (await CreateAsync(tenant.Key, new { prompt = "a lighthouse at dusk", start_frame = image, end_frame = image }, "fail=INTERNAL")).Status);
        AssertJson("""{"detail":"INVALID_TASK_ID"}""", await Fixture.CallAsync(HttpMethod.Get, "/v1/veo/generations/not-a-uuid", tenant.Key), 400);
    }

    [Fact]
    public async Task Body_errors_are_pydantic_422_arrays_with_exact_loc_msg_and_type()
    {
        var tenant = await Fixture.Api.NewTenantAsync();
        AssertJson("""{"detail":[{"type":"string_too_short","loc":["body","prompt"],"msg":"String should have at least 10 characters","input":"short","ctx":{"min_length":10}}]}""",
            await CreateAsync(tenant.Key, new { prompt = "short" }), 422);
        AssertJson("""{"detail":[{"type":"enum","loc":["body","aspect_ratio"],"msg":"Input should be '16:9' or '9:16'","input":"1:1","ctx":{"expected":"'16:9' or '9:16'"}},{"type":"less_than_equal","loc":["body","seed"],"msg":"Input should be less than or equal to 1000000000","input":2000000000,"ctx":{"le":1000000000}}]}""",
            await CreateAsync(tenant.Key, new { prompt = "a lighthouse at dusk", aspect_ratio = "1:1", seed = 2_000_000_000 }), 422);
        AssertJson("""{"detail":[{"type":"too_long","loc":["body","reference_images"],"msg":"List should have at most 3 items after validation, not 4","input":["a","b","c","d"],"ctx":{"field_type":"List","max_length":3,"actual_length":4}}]}""",
            await CreateAsync(tenant.Key, new { prompt = "a lighthouse at dusk", reference_images = new[] { "a", "b", "c", "d" } }), 422);
    }

    [Fact]
    public async Task Text_moderation_and_family_codes_from_the_sandbox_end_in_error_message()
    {
        var tenant = await Fixture.Api.NewTenantAsync();
        foreach (var (simulate, code) in new[] { ("fail=SAFETY.INPUT.TEXT", "UNSAFE_CONTENT"), ("fail=NON_ENGLISH_PROMPT", "NON_ENGLISH_PROMPT"), ("fail=INTERNAL", "TASK_FAILED") })
        {
            var id = (await CreateAsync(tenant.Key, new { prompt = "a lighthouse at dusk" }, simulate)).Body.GetProperty("generation_id").GetString()!;
            var failed = await Fixture.WaitAsync(Spec, tenant.Key, id);
            Assert.Equal(("failed", code), (failed.GetProperty("status").GetString(), Spec.Failure(failed)));
        }
    }
}
