using System.Text;
using Reelay.Server.Features.Auth;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Api;

public class AuthTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly ReelayApi _api = fixture.Api;

    private async Task<ReelayApi.Reply> GetWithHeaderAsync(string? authorization) =>
        await _api.SendAsync(HttpMethod.Get, $"/v1/tasks/{Guid.NewGuid()}", null,
            configure: r => { if (authorization is not null) r.Headers.TryAddWithoutValidation("Authorization", authorization); });

    [Fact]
    public async Task Each_authentication_failure_is_a_401_that_says_which_one()
    {
        var tenant = await _api.NewTenantAsync();
        var cases = new (string? Header, AuthFailure Failure)[]
        {
            (null, AuthFailure.MissingHeader),
            ("Basic dXNlcjpwYXNz", AuthFailure.NotBearer),
            ("Bearer key_123", AuthFailure.Malformed),
            ("Bearer " + tenant.Key + " x", AuthFailure.MalformedTrailingWhitespace),
            ("Bearer " + ApiKeys.Generate(), AuthFailure.UnknownKey),
        };
        foreach (var (header, failure) in cases)
        {
            var reply = await GetWithHeaderAsync(header);
            Assert.Equal(401, reply.Status);
            Assert.Equal(AuthFailureMessages.For(failure), reply.Error);
        }
        Assert.Equal(404, (await GetWithHeaderAsync("Bearer " + tenant.Key)).Status);
    }

    [Fact]
    public async Task A_disabled_key_and_a_suspended_organization_are_refused_and_unsuspending_restores_access()
    {
        var tenant = await _api.NewTenantAsync();
        var second = await _api.AdminAsync(HttpMethod.Post, $"/admin/v1/organizations/{tenant.OrgId}/keys", new { name = "second" });
        await _api.AdminAsync(HttpMethod.Post, $"/admin/v1/keys/{tenant.KeyId}/disable");
        Assert.Equal(AuthFailureMessages.For(AuthFailure.DisabledKey), (await _api.GetTaskAsync(tenant.Key, Guid.NewGuid().ToString())).Error);

        var secondKey = second.GetProperty("key").GetString()!;
        Assert.Equal(404, (await _api.GetTaskAsync(secondKey, Guid.NewGuid().ToString())).Status);
        await _api.AdminAsync(HttpMethod.Post, $"/admin/v1/organizations/{tenant.OrgId}/suspend");
        Assert.Equal(AuthFailureMessages.For(AuthFailure.SuspendedOrganization), (await _api.GetTaskAsync(secondKey, Guid.NewGuid().ToString())).Error);
        await _api.AdminAsync(HttpMethod.Post, $"/admin/v1/organizations/{tenant.OrgId}/unsuspend");
        Assert.Equal(404, (await _api.GetTaskAsync(secondKey, Guid.NewGuid().ToString())).Status);
    }

    [Fact]
    public async Task The_runway_version_header_is_required_and_checked()
    {
        var tenant = await _api.NewTenantAsync();
        var wrong = await _api.SendAsync(HttpMethod.Get, $"/v1/tasks/{Guid.NewGuid()}", tenant.Key, configure: r =>
        {
            r.Headers.Remove("X-Runway-Version");
            r.Headers.Add("X-Runway-Version", "2023-01-01");
        });
        Assert.Equal(400, wrong.Status);
        Assert.Equal("The API version that was provided in the X-Runway-Version header is not valid.", wrong.Error);
        Assert.EndsWith("/docs/errors#api-version", wrong.Body.GetProperty("docUrl").GetString());

        var missing = await _api.SendAsync(HttpMethod.Get, $"/v1/tasks/{Guid.NewGuid()}", tenant.Key, configure: r => r.Headers.Remove("X-Runway-Version"));
        Assert.Equal(400, missing.Status);
        Assert.Contains("X-Runway-Version", missing.Error);
        Assert.Contains("2024-11-06", missing.Error);
    }

    [Fact]
    public async Task Keys_are_stored_only_as_hashes_never_in_plain_text()
    {
        var tenant = await _api.NewTenantAsync();
        var secret = tenant.Key["key_".Length..];
        if (TestDatabase.IsPostgres)
        {
            // No file to read: every text and bytea value of every table instead.
            foreach (var value in await TestDatabase.AllStoredTextAsync(fixture.Server))
                Assert.DoesNotContain(secret, value, StringComparison.OrdinalIgnoreCase);
        }
        foreach (var file in Directory.GetFiles(fixture.Server.DataDirectory, "reelay.db*"))
        {
            var bytes = await File.ReadAllBytesAsync(file);
            Assert.DoesNotContain(secret, Encoding.ASCII.GetString(bytes));
            Assert.DoesNotContain(secret.ToUpperInvariant(), Convert.ToHexString(bytes));
        }
        var row = Assert.Single(await TestDatabase.QueryAsync<(string Prefix, byte[] KeyHash)>(fixture.Server,
            "SELECT prefix, key_hash FROM api_keys WHERE id = @id", new { id = tenant.KeyId }));
        Assert.Equal(tenant.Key[..12], row.Prefix);
        Assert.Equal(ApiKeys.Hash(tenant.Key), row.KeyHash);
    }

    [Fact]
    public async Task The_admin_api_needs_the_admin_token()
    {
        var reply = await _api.SendAsync(HttpMethod.Post, "/admin/v1/organizations", "not-the-token", new { name = "x", credits = 1 });
        Assert.Equal(401, reply.Status);
        var tenant = await _api.NewTenantAsync();
        Assert.Equal(401, (await _api.SendAsync(HttpMethod.Post, "/admin/v1/organizations", tenant.Key, new { name = "x", credits = 1 })).Status);
    }
}
