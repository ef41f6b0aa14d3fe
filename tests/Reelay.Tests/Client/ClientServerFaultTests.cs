using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Reelay.Client;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Client;

/// <summary>5xx from a real server: each test breaks its own server, never a shared one.</summary>
public class ClientServerFaultTests
{
    [Fact]
    public async Task A_full_queue_is_service_unavailable_with_retry_after()
    {
        await using var server = await ServerProcess.StartAsync(settings: new Dictionary<string, string> { ["Limits:MaxQueuedTasks"] = "2" });
        var api = new ReelayApi(server);
        var tenant = await api.NewTenantAsync();
        // The server asks for 30 s; a client allowed to sleep at most 5 s raises at once instead.
        using var client = Clients.For(api, tenant, o => o.MaxRetryAfter = TimeSpan.FromSeconds(5));
        var throttled = new RequestOptions { Simulate = "throttle=60" };
        await client.CreateTextToVideoAsync(Clients.Text(), throttled);
        await client.CreateTextToVideoAsync(Clients.Text(), throttled);

        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<ServiceUnavailableException>(() => client.CreateTextToVideoAsync(Clients.Text()));
        ClientErrorTests.AssertCarries(error, 503);
        Assert.Equal(TimeSpan.FromSeconds(30), error.RetryAfter);
        Assert.IsAssignableFrom<InternalServerException>(error); // one catch handles every 5xx
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_broken_database_is_an_internal_server_error_with_the_request_id()
    {
        // Always SQLite (even in a PostgreSQL test run): the fault is made by editing the database file.
        await using var server = await ServerProcess.StartAsync(settings: new Dictionary<string, string> { ["Database:Provider"] = "sqlite" });
        var api = new ReelayApi(server);
        var tenant = await api.NewTenantAsync();
        using var client = Clients.For(api, tenant);
        Assert.Equal(10_000, (await client.GetOrganizationAsync()).CreditBalance);

        // A real fault: the credit ledger and its running balances disappear under the running server.
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(server.DataDirectory, "reelay.db")};Default Timeout=30"))
        {
            await connection.OpenAsync();
            var command = connection.CreateCommand();
            command.CommandText = "ALTER TABLE ledger_entries RENAME TO ledger_entries_gone; ALTER TABLE org_balances RENAME TO org_balances_gone";
            await command.ExecuteNonQueryAsync();
        }
        var error = await Assert.ThrowsAsync<InternalServerException>(() => client.GetOrganizationAsync());
        Assert.IsNotType<ServiceUnavailableException>(error);
        ClientErrorTests.AssertCarries(error, 500);
        Assert.Contains(error.RequestId!, error.Error); // the server's message quotes the id to report
    }
}
