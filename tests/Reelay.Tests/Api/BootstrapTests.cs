using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Api;

public class BootstrapTests
{
    [Fact]
    public async Task First_start_creates_a_default_organization_prints_its_key_once_and_serves_it_without_an_admin_api()
    {
        var dataDirectory = TestPaths.NewTempDirectory("reelay-boot");
        var noAdmin = new Dictionary<string, string> { ["Admin:Token"] = "" };
        string key;
        await using (var first = await ServerProcess.StartAsync(dataDirectory, noAdmin))
        {
            key = first.PrintedKey ?? throw new Xunit.Sdk.XunitException("No key printed on first start:\n" + first.Output);
            var api = new ReelayApi(first);
            Assert.Equal(404, (await api.GetTaskAsync(key, Guid.NewGuid().ToString())).Status);
            // No Admin:Token: the admin API does not exist.
            Assert.Equal(404, (await api.SendAsync(HttpMethod.Post, "/admin/v1/organizations", "", new { name = "x" })).Status);
            var health = await ReelayApi.Client.GetAsync(new Uri(first.BaseUrl, "/readyz"));
            Assert.Equal(200, (int)health.StatusCode);
            var checks = System.Text.Json.JsonDocument.Parse(await health.Content.ReadAsStringAsync()).RootElement.GetProperty("checks");
            Assert.True(checks.GetProperty("database").GetProperty("ok").GetBoolean());
            Assert.True(checks.GetProperty("ffmpeg").GetProperty("ok").GetBoolean());
            Assert.True(checks.GetProperty("blobStore").GetProperty("ok").GetBoolean());
            var openApi = await ReelayApi.Client.GetStringAsync(new Uri(first.BaseUrl, "/openapi/v1.json"));
            Assert.Contains("/v1/image_to_video", openApi);
            // The schema is where the configured provider keeps it: an SQLite file in the data directory, or PostgreSQL.
            Assert.Equal(!TestDatabase.IsPostgres, File.Exists(Path.Combine(dataDirectory, "reelay.db")));
            Assert.True(await TestDatabase.ScalarAsync<long>(first, "SELECT COUNT(*) FROM schema_migrations") > 0);
        }
        await using var second = await ServerProcess.StartAsync(dataDirectory, noAdmin);
        Assert.Null(second.PrintedKey);
        Assert.Equal(404, (await new ReelayApi(second).GetTaskAsync(key, Guid.NewGuid().ToString())).Status);
    }
}
