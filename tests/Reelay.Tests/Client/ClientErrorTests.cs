using System.Diagnostics;
using System.Net.Http;
using Reelay.Client;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Client;

/// <summary>Every exception type, provoked for real against the server (or a dead or silent port).</summary>
[Trait("Database", "independent")] // the C# client against a server: what it checks is the client's side, the same on either database
public class ClientErrorTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly ReelayApi _api = fixture.Api;

    /// <summary>What every API exception carries.</summary>
    internal static void AssertCarries(ApiException error, int status)
    {
        Assert.Equal(status, error.StatusCode);
        Assert.False(string.IsNullOrEmpty(error.RequestId));
        Assert.Contains("\"error\"", error.RawBody);
        Assert.False(string.IsNullOrEmpty(error.Error));
        Assert.StartsWith($"{status} ", error.Message);
    }

    [Fact]
    public async Task An_invalid_request_is_a_bad_request_with_every_issue()
    {
        var tenant = await _api.NewTenantAsync();
        using var client = Clients.For(_api, tenant);
        var error = await Assert.ThrowsAsync<BadRequestException>(() =>
            client.CreateTextToVideoAsync(Clients.Text() with { Ratio = "1:1", Duration = 99 }));
        AssertCarries(error, 400);
        Assert.Equal("Validation of body failed", error.Error);
        Assert.NotNull(error.DocUrl);
        Assert.Contains(error.Issues, i => i.Code == "invalid_enum_value" && i.Path.SequenceEqual(["ratio"]));
        Assert.Contains(error.Issues, i => i.Code == "too_big" && i.PathText == "duration" && i.Message.Length > 0);
        Assert.Contains("ratio:", error.Message);
    }

    [Fact]
    public async Task Not_enough_credits_is_a_bad_request_without_issues()
    {
        var tenant = await _api.NewTenantAsync(credits: 5);
        using var client = Clients.For(_api, tenant);
        var error = await Assert.ThrowsAsync<BadRequestException>(() => client.CreateTextToVideoAsync(Clients.Text()));
        AssertCarries(error, 400);
        Assert.Equal("You do not have enough credits to run this task.", error.Error);
        Assert.Empty(error.Issues);
    }

    [Fact]
    public async Task An_unknown_key_is_an_authentication_error()
    {
        using var client = Clients.For(_api.BaseUrl, Clients.UnknownKey);
        AssertCarries(await Assert.ThrowsAsync<AuthenticationException>(() => client.GetOrganizationAsync()), 401);
    }

    [Fact]
    public async Task An_upload_form_with_a_wrong_token_is_permission_denied_and_a_second_file_a_conflict()
    {
        var tenant = await _api.NewTenantAsync();
        using var client = Clients.For(_api, tenant);
        var upload = await client.CreateUploadAsync(new CreateUploadRequest { Filename = "photo.png" });
        var forged = upload with { Fields = new Dictionary<string, string> { ["key"] = upload.Fields["key"], ["token"] = new string('0', 64) } };
        AssertCarries(await Assert.ThrowsAsync<PermissionDeniedException>(() => client.CompleteUploadAsync(forged, Media.Image(640, 360), "photo.png")), 403);

        await client.CompleteUploadAsync(upload, Media.Image(640, 360), "photo.png");
        AssertCarries(await Assert.ThrowsAsync<ConflictException>(() => client.CompleteUploadAsync(upload, Media.Image(640, 360), "photo.png")), 409);
    }

    [Fact]
    public async Task An_unknown_task_is_not_found()
    {
        var tenant = await _api.NewTenantAsync();
        using var client = Clients.For(_api, tenant);
        var error = await Assert.ThrowsAsync<NotFoundException>(() => client.GetTaskAsync(Guid.NewGuid().ToString()));
        AssertCarries(error, 404);
        Assert.Equal("Could not find Task", error.Error);
    }

    [Fact]
    public async Task Reusing_an_idempotency_key_for_another_body_is_unprocessable()
    {
        var tenant = await _api.NewTenantAsync();
        using var client = Clients.For(_api, tenant);
        var key = new RequestOptions { IdempotencyKey = "sdk-" + Guid.NewGuid() };
        var first = await client.CreateTextToVideoAsync(Clients.Text("one"), key);
        Assert.Equal(first.Id, (await client.CreateTextToVideoAsync(Clients.Text("one"), key)).Id); // same body: replayed
        AssertCarries(await Assert.ThrowsAsync<UnprocessableEntityException>(() => client.CreateTextToVideoAsync(Clients.Text("two"), key)), 422);
    }

    [Fact]
    public async Task The_daily_cap_is_a_rate_limit_with_retry_after_and_is_not_slept_through()
    {
        var tenant = await _api.NewTenantAsync();
        await Clients.SetDailyCapAsync(_api, tenant.OrgId, ReelayModels.Gen45, 1);
        using var client = Clients.For(_api, tenant);
        await client.CreateTextToVideoAsync(Clients.Text());
        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<RateLimitException>(() => client.CreateTextToVideoAsync(Clients.Text()));
        AssertCarries(error, 429);
        Assert.True(error.RetryAfter > TimeSpan.FromHours(1), $"RetryAfter {error.RetryAfter}");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5)); // hours of Retry-After: raised at once, not retried
    }

    [Fact]
    public async Task A_refused_connection_is_an_api_connection_error_after_the_retries()
    {
        using var client = Clients.For(ClosedPort.Url(), Clients.UnknownKey);
        var error = await Assert.ThrowsAsync<ApiConnectionException>(() => client.GetOrganizationAsync());
        Assert.IsNotType<ApiTimeoutException>(error);
        Assert.Null(error.StatusCode);
        Assert.StartsWith("req_", error.RequestId);
        Assert.Null(error.RawBody);
        Assert.IsType<HttpRequestException>(error.InnerException);
    }

    [Fact]
    public async Task A_server_that_never_answers_is_a_timeout_per_attempt()
    {
        using var silent = new SilentServer();
        using var client = Clients.For(silent.Url, Clients.UnknownKey, o => (o.Timeout, o.MaxRetries) = (TimeSpan.FromMilliseconds(300), 1));
        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<ApiTimeoutException>(() => client.GetOrganizationAsync());
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(550), TimeSpan.FromSeconds(10));
        Assert.Null(error.StatusCode);
        Assert.NotNull(error.RequestId);
        Assert.Equal(2, silent.Accepted); // the first attempt and one retry
    }
}
