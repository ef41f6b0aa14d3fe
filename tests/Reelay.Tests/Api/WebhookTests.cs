using System.Globalization;
using System.Text;
using System.Text.Json;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Api;

/// <summary>Webhook deliveries against one server and one HTTPS receiver; each test has its own tenant and receiver path.</summary>
public class WebhookTests(WebhookFixture fixture) : IClassFixture<WebhookFixture>
{
    private readonly ReelayApi _api = fixture.Api;

    [Fact]
    public async Task A_completed_generation_is_posted_to_its_callback_url_signed_with_the_organizations_secret()
    {
        var tenant = await _api.NewTenantAsync();
        var receiver = fixture.NewReceiver();
        var id = await Webhooks.CreateGenerationAsync(_api, tenant.Key, receiver.Url);

        var request = Assert.Single(await receiver.WaitForAsync(1));
        var secret = await Webhooks.CurrentSecretAsync(_api, tenant.OrgId);
        Assert.StartsWith("whsec_", secret);
        Assert.True(StandardWebhooks.Verify(secret, request), $"signature {request.Signature} does not verify");
        Assert.False(StandardWebhooks.Verify(StandardWebhooks.NewSecret(), request), "a different secret must not verify");
        Assert.False(StandardWebhooks.Verify(secret, request with { Body = request.Body.Replace("completed", "failed") }), "a changed body must not verify");
        Assert.StartsWith("whd_", request.Id);

        var payload = JsonDocument.Parse(request.Body).RootElement;
        Assert.Equal(["generation_id", "status", "prompt", "video_url", "created_at", "completed_at"], payload.EnumerateObject().Select(p => p.Name));
        var generation = (await _api.SendAsync(HttpMethod.Get, $"/v1/sora/generations/{id}/", tenant.Key)).Body;
        Assert.Equal("completed", payload.GetProperty("status").GetString());
        foreach (var field in new[] { "generation_id", "status", "prompt", "created_at", "completed_at" })
            Assert.Equal(generation.GetProperty(field).GetString(), payload.GetProperty(field).GetString());
        var video = await ReelayApi.DownloadAsync(payload.GetProperty("video_url").GetString()!);
        Assert.Equal("ftyp", Encoding.ASCII.GetString(video, 4, 4));

        var delivery = await Webhooks.DeliveryAsync(_api, tenant.OrgId, id, state => state != "pending");
        Assert.Equal("delivered", delivery.GetProperty("state").GetString());
        Assert.Equal(request.Id, delivery.GetProperty("id").GetString());
        var attempt = Assert.Single(delivery.GetProperty("attempts").EnumerateArray());
        Assert.Equal(200, attempt.GetProperty("status").GetInt32());
        Assert.Equal("ok", attempt.GetProperty("responseSnippet").GetString());
        Assert.Equal(JsonValueKind.Null, attempt.GetProperty("error").ValueKind);
        Assert.True(attempt.GetProperty("latencyMs").GetInt64() >= 0);
    }

    [Fact]
    public async Task A_failed_generation_is_posted_with_a_null_video_url_and_its_error_message()
    {
        var tenant = await _api.NewTenantAsync();
        var receiver = fixture.NewReceiver();
        var id = await Webhooks.CreateGenerationAsync(_api, tenant.Key, receiver.Url, simulate: "fail=INTERNAL");

        var request = Assert.Single(await receiver.WaitForAsync(1));
        Assert.True(StandardWebhooks.Verify(await Webhooks.CurrentSecretAsync(_api, tenant.OrgId), request));
        var payload = JsonDocument.Parse(request.Body).RootElement;
        Assert.Equal(["generation_id", "status", "prompt", "video_url", "created_at", "completed_at", "error_message"], payload.EnumerateObject().Select(p => p.Name));
        var generation = (await _api.SendAsync(HttpMethod.Get, $"/v1/sora/generations/{id}", tenant.Key)).Body;
        Assert.Equal("failed", payload.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, payload.GetProperty("video_url").ValueKind);
        Assert.False(string.IsNullOrEmpty(payload.GetProperty("error_message").GetString()));
        Assert.Equal(generation.GetProperty("error_message").GetString(), payload.GetProperty("error_message").GetString());
        Assert.Equal(generation.GetProperty("completed_at").GetString(), payload.GetProperty("completed_at").GetString());
    }

    [Fact]
    public async Task A_cancelled_generation_is_posted_as_failed_with_the_cancellation_message()
    {
        var tenant = await _api.NewTenantAsync();
        var receiver = fixture.NewReceiver();
        var id = await Webhooks.CreateGenerationAsync(_api, tenant.Key, receiver.Url, simulate: "delay=30");
        Assert.Equal(204, (await _api.DeleteTaskAsync(tenant.Key, id)).Status);

        var payload = JsonDocument.Parse(Assert.Single(await receiver.WaitForAsync(1)).Body).RootElement;
        Assert.Equal("failed", payload.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, payload.GetProperty("video_url").ValueKind);
        Assert.Equal("The generation was cancelled.", payload.GetProperty("error_message").GetString());
    }

    [Fact]
    public async Task A_receiver_that_answers_500_twice_gets_the_same_delivery_again_on_the_retry_schedule()
    {
        var tenant = await _api.NewTenantAsync();
        var receiver = fixture.NewReceiver(500, 500, 200);
        var id = await Webhooks.CreateGenerationAsync(_api, tenant.Key, receiver.Url);

        var requests = await receiver.WaitForAsync(3);
        Assert.Single(requests.Select(r => r.Id).Distinct());
        var secret = await Webhooks.CurrentSecretAsync(_api, tenant.OrgId);
        Assert.All(requests, r => Assert.True(StandardWebhooks.Verify(secret, r)));

        var delivery = await Webhooks.DeliveryAsync(_api, tenant.OrgId, id, state => state != "pending");
        Assert.Equal("delivered", delivery.GetProperty("state").GetString());
        var attempts = delivery.GetProperty("attempts").EnumerateArray().ToList();
        Assert.Equal([500, 500, 200], attempts.Select(a => a.GetProperty("status").GetInt32()));
        Assert.Equal([1, 2, 3], attempts.Select(a => a.GetProperty("attempt").GetInt32()));
        Assert.Equal("The receiver answered 500.", attempts[0].GetProperty("error").GetString());
        Assert.Equal("nope", attempts[0].GetProperty("responseSnippet").GetString());
        var started = attempts.Select(a => DateTimeOffset.Parse(a.GetProperty("startedAt").GetString()!, CultureInfo.InvariantCulture)).ToList();
        for (var i = 1; i < started.Count; i++)
            Assert.True(started[i] - started[i - 1] >= TimeSpan.FromMilliseconds(950), $"attempt {i + 1} came {(started[i] - started[i - 1]).TotalMilliseconds} ms after the previous one");
    }

    [Fact]
    public async Task A_redirect_is_a_failed_attempt_and_its_location_is_never_requested()
    {
        var tenant = await _api.NewTenantAsync();
        var target = fixture.NewReceiver();
        var path = $"/redirects/{Guid.NewGuid():N}";
        fixture.Receivers.MapRedirect(path, 307, target.Url);
        var id = await Webhooks.CreateGenerationAsync(_api, tenant.Key, fixture.Receivers.Url(WebhookFixture.Host, path));

        var delivery = await Webhooks.DeliveryAsync(_api, tenant.OrgId, id, _ => true, until: d => d.GetProperty("attempts").GetArrayLength() >= 1);
        var first = delivery.GetProperty("attempts")[0];
        Assert.Equal(307, first.GetProperty("status").GetInt32());
        Assert.Contains("redirects are not followed", first.GetProperty("error").GetString());
        Assert.Empty(target.Requests);
    }

    [Fact]
    public async Task A_receiver_that_does_not_answer_within_the_attempt_timeout_is_logged_as_a_timeout()
    {
        var tenant = await _api.NewTenantAsync();
        var path = $"/hangs/{Guid.NewGuid():N}";
        fixture.Receivers.MapHangHeaders(path, TimeSpan.FromSeconds(30));
        var id = await Webhooks.CreateGenerationAsync(_api, tenant.Key, fixture.Receivers.Url(WebhookFixture.Host, path));

        var delivery = await Webhooks.DeliveryAsync(_api, tenant.OrgId, id, _ => true, until: d => d.GetProperty("attempts").GetArrayLength() >= 1);
        var first = delivery.GetProperty("attempts")[0];
        Assert.Equal("No response within 2 s.", first.GetProperty("error").GetString());
        Assert.Equal(JsonValueKind.Null, first.GetProperty("status").ValueKind);
        Assert.InRange(first.GetProperty("latencyMs").GetInt64(), 1900, 10_000);
    }

    [Fact]
    public async Task After_a_rotation_deliveries_carry_both_signatures_until_the_previous_secret_is_retired()
    {
        var tenant = await _api.NewTenantAsync();
        var previous = await Webhooks.CurrentSecretAsync(_api, tenant.OrgId);
        var rotated = (await _api.AdminAsync(HttpMethod.Post, $"/admin/v1/organizations/{tenant.OrgId}/webhook-secret/rotate")).GetProperty("secrets").EnumerateArray().ToList();
        Assert.Equal(2, rotated.Count);
        var current = rotated[0].GetProperty("secret").GetString()!;
        Assert.NotEqual(previous, current);
        Assert.True(rotated[0].GetProperty("current").GetBoolean());
        Assert.Equal(previous, rotated[1].GetProperty("secret").GetString());
        Assert.False(rotated[1].GetProperty("current").GetBoolean());

        var receiver = fixture.NewReceiver();
        await Webhooks.CreateGenerationAsync(_api, tenant.Key, receiver.Url);
        var request = Assert.Single(await receiver.WaitForAsync(1));
        var signatures = request.Signature.Split(' ');
        Assert.Equal(2, signatures.Length);
        Assert.True(StandardWebhooks.Verify(current, request with { Signature = signatures[0] }), "the first signature is the current secret's");
        Assert.True(StandardWebhooks.Verify(previous, request with { Signature = signatures[1] }), "the second signature is the previous secret's");

        var retired = (await _api.AdminAsync(HttpMethod.Post, $"/admin/v1/organizations/{tenant.OrgId}/webhook-secret/retire-previous")).GetProperty("secrets");
        Assert.Equal(current, Assert.Single(retired.EnumerateArray()).GetProperty("secret").GetString());
        var after = fixture.NewReceiver();
        await Webhooks.CreateGenerationAsync(_api, tenant.Key, after.Url);
        var single = Assert.Single(await after.WaitForAsync(1));
        Assert.DoesNotContain(' ', single.Signature);
        Assert.True(StandardWebhooks.Verify(current, single));
        Assert.False(StandardWebhooks.Verify(previous, single));
    }
}
