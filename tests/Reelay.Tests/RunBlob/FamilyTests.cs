using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Reelay.Tests.Api;
using Reelay.Tests.Infrastructure;
using Reelay.Tests.Portal;

namespace Reelay.Tests.RunBlob;

/// <summary>The output a family's test body must render to: kind, pixels, seconds (videos) and an audio track or not.</summary>
public sealed record ExpectedOutput(string Kind, int Width, int Height, double Seconds = 0, bool Audio = false, string Codec = "h264");

/// <summary>
/// What the shared tests need to know about a family: its paths and field names, a tiny body (given the fixture and a
/// callback URL) and what it renders and costs; the documented bodies default to the shapes most families share.
/// </summary>
public sealed record FamilySpec(string Path, string IdField, string UrlField, Func<RunBlobFamilyFixture, string, object> Body, ExpectedOutput Output, string Price)
{
    public string[] CreatedKeys { get; init; } = [IdField, "status", "price"];
    public required string[] StatusKeys { get; init; }
    public string[]? Webhook { get; init; }
    public string[] WebhookKeys => Webhook ?? StatusKeys;
    public string[]? FailedWebhook { get; init; }
    public string[] FailedWebhookKeys => FailedWebhook ?? WebhookKeys;

    /// <summary>Reads the failure from a status or callback body: by default the code in message.</summary>
    public Func<JsonElement, string?> Failure { get; init; } = body => body.TryGetProperty("message", out var message) ? message.GetString() : null;
    public required string ModerationFailure { get; init; }
    public string NotFound { get; init; } = """{"detail":"Generation not found"}""";
    public string InsufficientCredits { get; init; } = """{"detail":"INSUFFICIENT_CREDITS"}""";
    public string MissingPrompt { get; init; } = """{"detail":[{"type":"missing","loc":["body","prompt"],"msg":"Field required","input":{}}]}""";
}

/// <summary>
/// The tests every RunBlob family passes, run once per family class: create, every state, a real output, a signed
/// callback, the same task on the Runway surface and the portal, a moderated failure, and the 401/402/404/422 bodies.
/// </summary>
public abstract class FamilyTests(RunBlobFamilyFixture fixture)
{
    protected RunBlobFamilyFixture Fixture => fixture;
    protected abstract FamilySpec Family { get; }

    [Fact]
    public async Task A_create_answers_201_pending_with_its_id_and_price_and_holds_that_price()
    {
        var journey = await fixture.CompletedAsync(Family);
        Assert.Equal(Family.CreatedKeys, journey.Created.EnumerateObject().Select(p => p.Name));
        Assert.True(Guid.TryParse(journey.Id, out _), journey.Id);
        Assert.Equal("pending", journey.Created.GetProperty("status").GetString());
        Assert.Equal(Family.Price, journey.Created.GetProperty("price").GetString());
        var price = decimal.Parse(Family.Price, CultureInfo.InvariantCulture);
        Assert.Equal((100m - price).ToString("0.0000", CultureInfo.InvariantCulture), journey.BalanceAfterCreate);
    }

    [Fact]
    public async Task A_generation_reads_pending_then_processing_then_completed()
    {
        var journey = await fixture.CompletedAsync(Family);
        Assert.Equal(["pending", "processing", "completed"], journey.States);
        Assert.Equal(Family.StatusKeys, journey.Final.EnumerateObject().Select(p => p.Name));
        Assert.Equal(journey.Id, journey.Final.GetProperty(Family.IdField).GetString());
        Assert.Null(Family.Failure(journey.Final));
        foreach (var state in new[] { "pending", "processing" })
        {
            var early = journey.Seen[state];
            Assert.True(!early.TryGetProperty(Family.UrlField, out var url) || url.ValueKind == JsonValueKind.Null, $"{state} has an output: {early}");
        }
    }

    [Fact]
    public async Task A_completed_generation_has_a_real_output_of_the_planned_size_and_length()
    {
        var journey = await fixture.CompletedAsync(Family);
        await Outputs.AssertAsync(journey.Final.GetProperty(Family.UrlField).GetString()!, Family.Output);
    }

    [Fact]
    public async Task A_completed_generation_is_posted_signed_to_its_callback_url()
    {
        var journey = await fixture.CompletedAsync(Family);
        var request = Assert.Single(await journey.Receiver.WaitForAsync(1));
        Assert.True(StandardWebhooks.Verify(await Webhooks.CurrentSecretAsync(fixture.Api, journey.Tenant.OrgId), request), "the signature does not verify");
        var payload = JsonDocument.Parse(request.Body).RootElement;
        Assert.Equal(Family.WebhookKeys, payload.EnumerateObject().Select(p => p.Name));
        Assert.Equal(journey.Id, payload.GetProperty(Family.IdField).GetString());
        Assert.Equal("completed", payload.GetProperty("status").GetString());
        await Outputs.AssertAsync(payload.GetProperty(Family.UrlField).GetString()!, Family.Output);
    }

    [Fact]
    public async Task A_generation_is_the_same_task_on_the_runway_surface_and_in_the_portal()
    {
        var journey = await fixture.CompletedAsync(Family);
        var task = (await fixture.Api.GetTaskAsync(journey.Tenant.Key, journey.Id)).Body;
        Assert.Equal("SUCCEEDED", task.GetProperty("status").GetString());
        var output = Assert.Single(task.GetProperty("output").EnumerateArray()).GetString()!;
        await Outputs.AssertAsync(output, Family.Output);
        using var portal = await PortalClient.SignInAsync(fixture.Api.BaseUrl, journey.Tenant.Key);
        var (status, html) = await portal.GetAsync($"/portal/tasks/{journey.Id}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("SUCCEEDED", html);
    }

    [Fact]
    public async Task A_moderated_generation_fails_with_the_familys_code_and_its_callback_says_so()
    {
        var journey = await fixture.ModeratedAsync(Family);
        Assert.Equal(Family.ModerationFailure, Family.Failure(journey.Final));
        Assert.True(!journey.Final.TryGetProperty(Family.UrlField, out var url) || url.ValueKind == JsonValueKind.Null);
        var request = Assert.Single(await journey.Receiver.WaitForAsync(1));
        Assert.True(StandardWebhooks.Verify(await Webhooks.CurrentSecretAsync(fixture.Api, journey.Tenant.OrgId), request));
        var payload = JsonDocument.Parse(request.Body).RootElement;
        Assert.Equal(Family.FailedWebhookKeys, payload.EnumerateObject().Select(p => p.Name));
        Assert.Equal("failed", payload.GetProperty("status").GetString());
        Assert.Equal(Family.ModerationFailure, Family.Failure(payload));
    }

    [Fact]
    public async Task Requests_are_refused_with_the_documented_401_402_404_and_422_bodies()
    {
        var generate = $"/v1/{Family.Path}/generate";
        var body = Family.Body(fixture, fixture.NewReceiver().Url);
        AssertJson("""{"detail":"Missing credentials"}""", await fixture.CallAsync(HttpMethod.Post, generate, null, body), 401);
        AssertJson("""{"detail":"Invalid API key"}""", await fixture.CallAsync(HttpMethod.Post, generate, "key_" + new string('0', 128), body), 401);
        var poor = await fixture.Api.NewTenantAsync(credits: 1);
        AssertJson(Family.InsufficientCredits, await fixture.CallAsync(HttpMethod.Post, generate, poor.Key, body), 402);
        var tenant = await fixture.Api.NewTenantAsync();
        AssertJson(Family.MissingPrompt, await fixture.CallAsync(HttpMethod.Post, generate, tenant.Key, new { }), 422);
        var runwayTask = await fixture.Api.CreateTextTaskAsync(tenant.Key, simulate: "fail=INTERNAL");
        foreach (var id in new[] { Guid.NewGuid().ToString(), runwayTask })
            AssertJson(Family.NotFound, await fixture.CallAsync(HttpMethod.Get, $"/v1/{Family.Path}/generations/{id}", tenant.Key), 404);
    }

    [Fact]
    public async Task The_openapi_document_describes_the_familys_routes_request_fields_and_answers()
    {
        var document = JsonNode.Parse(await ReelayApi.Client.GetStringAsync(new Uri(fixture.Api.BaseUrl, "/openapi/v1.json")))!;
        var generate = document["paths"]![$"/v1/{Family.Path}/generate"]!["post"]!;
        Assert.False(string.IsNullOrEmpty(generate["summary"]?.GetValue<string>()));
        Assert.NotNull(generate["requestBody"]!["content"]!["application/json"]);
        foreach (var status in new[] { "201", "400", "401", "402", "422" }) Assert.NotNull(generate["responses"]![status]);
        var schemas = document["components"]!["schemas"]!.AsObject();
        var request = generate["requestBody"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>().Split('/')[^1];
        Assert.Contains("prompt", schemas[request]!["properties"]!.AsObject().Select(p => p.Key));
        var created = generate["responses"]!["201"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>().Split('/')[^1];
        Assert.Equal(Family.CreatedKeys, schemas[created]!["properties"]!.AsObject().Select(p => p.Key));
        var status200 = document["paths"]![$"/v1/{Family.Path}/generations/{{id}}"]!["get"]!["responses"]!["200"]!["content"]!["application/json"]!["schema"]!["$ref"]!;
        // The status schema also lists the fields that appear only sometimes (a failure's message).
        var statusKeys = schemas[status200.GetValue<string>().Split('/')[^1]]!["properties"]!.AsObject().Select(p => p.Key).ToList();
        Assert.Equal(Family.StatusKeys, statusKeys.Where(Family.StatusKeys.Contains));
    }

    /// <summary>The reply's status and its body, compared as JSON (key order and spacing aside).</summary>
    protected static void AssertJson(string expected, ReelayApi.Reply reply, int status)
    {
        Assert.True(reply.Status == status, $"expected {status}, got {reply.Status}: {reply.Body}");
        var actual = JsonNode.Parse(reply.Body.GetRawText());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), $"expected {expected}\n     got {actual?.ToJsonString()}");
    }

    protected Task<ReelayApi.Reply> CreateAsync(string key, object body, string? simulate = null) =>
        fixture.CallAsync(HttpMethod.Post, $"/v1/{Family.Path}/generate", key, body, simulate);

    /// <summary>Asserts a 400 {"detail": text} for the body.</summary>
    protected async Task AssertBadRequestAsync(string key, object body, string detail) =>
        AssertJson(JsonSerializer.Serialize(new { detail }), await CreateAsync(key, body), 400);
}

/// <summary>Downloads an output and checks it is what was planned: ffprobe for videos (and their audio), a full decode for images.</summary>
public static class Outputs
{
    public static async Task AssertAsync(string url, ExpectedOutput expected)
    {
        var file = Path.Combine(TestPaths.NewTempDirectory("reelay-rb-out"), "output");
        await File.WriteAllBytesAsync(file, await ReelayApi.DownloadAsync(url));
        if (expected.Kind == "image")
        {
            var image = Media.Run("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=codec_name,width,height", "-of", "csv=p=0", file).Trim();
            Assert.Equal($"{expected.Codec},{expected.Width},{expected.Height}", image);
            Media.Run("ffmpeg", "-v", "error", "-xerror", "-i", file, "-f", "null", "-"); // every pixel decodes
            return;
        }
        var facts = Media.Probe(file);
        Assert.Equal((expected.Codec, expected.Width, expected.Height), (facts.Codec, facts.Width, facts.Height));
        Assert.InRange(facts.Duration, expected.Seconds - 0.1, expected.Seconds + 0.1);
        var audio = Media.Run("ffprobe", "-v", "error", "-select_streams", "a", "-show_entries", "stream=codec_name", "-of", "csv=p=0", file).Trim();
        Assert.Equal(expected.Audio ? "aac" : "", audio);
    }
}
