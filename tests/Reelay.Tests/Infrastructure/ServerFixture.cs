namespace Reelay.Tests.Infrastructure;

/// <summary>One server per test class; tests make their own organizations on it.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public ServerProcess Server { get; private set; } = null!;

    public ReelayApi Api { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await ServerProcess.StartAsync();
        Api = new ReelayApi(Server);
    }

    public async Task DisposeAsync()
    {
        if (Server is not null) await Server.DisposeAsync();
    }
}
