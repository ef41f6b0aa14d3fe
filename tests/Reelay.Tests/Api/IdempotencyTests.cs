using System.Net.Http.Headers;
using System.Net.Http.Json;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Api;

public class IdempotencyTests(PatientAssetFixture fixture) : IClassFixture<PatientAssetFixture>
{
    private readonly ReelayApi _api = fixture.Api;

    private Task<ReelayApi.Reply> CreateAsync(string key, string idempotencyKey, object body) =>
        _api.SendAsync(HttpMethod.Post, "/v1/text_to_video", key, body, r => r.Headers.Add("Idempotency-Key", idempotencyKey));

    private async Task<long> BalanceAsync(string orgId) =>
        (await _api.AdminAsync(HttpMethod.Get, $"/admin/v1/organizations/{orgId}")).GetProperty("creditBalance").GetInt64();

    [Fact]
    public async Task The_same_key_and_body_replay_the_first_response_with_one_task_and_one_hold()
    {
        var tenant = await _api.NewTenantAsync(credits: 1000);
        var body = new { model = "gen4.5", promptText = "once", ratio = "1280:720", duration = 2 };
        var first = await CreateAsync(tenant.Key, "key-1", body);
        var second = await CreateAsync(tenant.Key, "key-1", body);
        Assert.Equal((200, 200), (first.Status, second.Status));
        Assert.Equal(first.Body.GetProperty("id").GetString(), second.Body.GetProperty("id").GetString());
        Assert.Equal("true", second.Response.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(976, await BalanceAsync(tenant.OrgId));
        // Keys are per organization: another organization may use the same key.
        var other = await _api.NewTenantAsync();
        Assert.NotEqual(first.Body.GetProperty("id").GetString(), (await CreateAsync(other.Key, "key-1", body)).Body.GetProperty("id").GetString());
    }

    [Fact]
    public async Task The_same_key_with_another_body_is_refused_and_validation_failures_are_not_stored()
    {
        var tenant = await _api.NewTenantAsync();
        var invalid = await CreateAsync(tenant.Key, "key-2", new { model = "gen4.5", promptText = "x", ratio = "1:1", duration = 2 });
        Assert.Equal(400, invalid.Status);
        var fixedBody = await CreateAsync(tenant.Key, "key-2", new { model = "gen4.5", promptText = "x", ratio = "1280:720", duration = 2 });
        Assert.Equal(200, fixedBody.Status);
        var mismatch = await CreateAsync(tenant.Key, "key-2", new { model = "gen4.5", promptText = "different", ratio = "1280:720", duration = 2 });
        Assert.Equal(422, mismatch.Status);
        Assert.Contains("different request", mismatch.Error);
    }

    [Fact]
    public async Task A_retry_while_the_first_request_is_in_flight_is_a_conflict()
    {
        var tenant = await _api.NewTenantAsync();
        var path = $"/{Guid.NewGuid():N}/slow.png";
        // Ten chunks 100 ms apart: in flight for at least a second (the retry comes at 400 ms), and far inside the
        // fixture's 10 s fetch timeout even while other test classes keep both cores busy.
        fixture.Assets.MapDrip(path, Media.Image(640, 360), "image/png", TimeSpan.FromMilliseconds(100), Media.Image(640, 360).Length / 10 + 1);
        var body = new { model = "gen4_turbo", promptImage = fixture.Url(path), ratio = "1280:720", duration = 2 };
        var slow = _api.SendAsync(HttpMethod.Post, "/v1/image_to_video", tenant.Key, body, r => r.Headers.Add("Idempotency-Key", "key-3"));
        await Task.Delay(400);
        var retry = await _api.SendAsync(HttpMethod.Post, "/v1/image_to_video", tenant.Key, body, r => r.Headers.Add("Idempotency-Key", "key-3"));
        Assert.Equal(409, retry.Status);
        var first = await slow;
        Assert.True(200 == first.Status, first.Body.ToString());
        var replay = await _api.SendAsync(HttpMethod.Post, "/v1/image_to_video", tenant.Key, body, r => r.Headers.Add("Idempotency-Key", "key-3"));
        Assert.Equal(first.Body.GetProperty("id").GetString(), replay.Body.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Keys_expire_after_24_hours_and_work_on_the_runblob_surface()
    {
        var tenant = await _api.NewTenantAsync();
        var body = new { model = "gen4.5", promptText = "x", ratio = "1280:720", duration = 2 };
        var first = await CreateAsync(tenant.Key, "key-4", body);
        Assert.Equal(1, await TestDatabase.ExecuteAsync(fixture.Server,
            "UPDATE idempotency_keys SET created_at = created_at - 90000000 WHERE org_id = @org AND key = 'key-4'", new { org = tenant.OrgId }));
        var afterExpiry = await CreateAsync(tenant.Key, "key-4", body);
        Assert.Equal(200, afterExpiry.Status);
        Assert.NotEqual(first.Body.GetProperty("id").GetString(), afterExpiry.Body.GetProperty("id").GetString());

        async Task<(int, string)> RunBlobAsync(object payload)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_api.BaseUrl, "/v1/sora/generate")) { Content = JsonContent.Create(payload) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tenant.Key);
            request.Headers.Add("Idempotency-Key", "rb-1");
            using var response = await ReelayApi.Client.SendAsync(request);
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        var a = await RunBlobAsync(new { prompt = "same" });
        var b = await RunBlobAsync(new { prompt = "same" });
        Assert.Equal((201, a.Item2), (b.Item1, b.Item2));
        Assert.Equal(422, (await RunBlobAsync(new { prompt = "other" })).Item1);
    }
}
