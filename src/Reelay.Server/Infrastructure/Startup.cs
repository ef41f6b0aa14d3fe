using System.Security.Cryptography;
using Dapper;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Reelay.Server.Features.Catalog;
using Reelay.Server.Features.Health;
using Reelay.Server.Features.Organizations;
using Reelay.Server.Features.Outputs;

namespace Reelay.Server.Infrastructure;

/// <summary>What must be true before the first request: directories, schema, catalog, signing key, default organization.</summary>
public sealed record Startup(Db Db, ModelCatalog Catalog, OutputSigner Signer, ReelayOptions Options)
{
    public static Startup Prepare(ReelayOptions options)
    {
        Directory.CreateDirectory(options.DataDirectory);
        Directory.CreateDirectory(options.BlobDirectory);
        Directory.CreateDirectory(options.TempDirectory);
        var db = Db.From(options);
        Migrations.Apply(db);
        var catalog = ModelCatalog.Load(options.CatalogFile, options.RelayNames);
        return new Startup(db, catalog, new OutputSigner(SigningKey(db)), options);
    }

    /// <summary>Kept in the database so every node (and every restart) signs and checks the same URLs.</summary>
    private static byte[] SigningKey(Db db)
    {
        using var connection = db.Open();
        connection.Execute("INSERT INTO settings (key, value) VALUES ('output_signing_key', @value) ON CONFLICT (key) DO NOTHING",
            new { value = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) });
        return Convert.FromBase64String(connection.QuerySingle<string>("SELECT value FROM settings WHERE key = 'output_signing_key'"));
    }

    public async Task BootstrapAsync(WebApplication app)
    {
        var issued = await Bootstrap.EnsureDefaultOrganizationAsync(Db, Options.DefaultOrganizationCredits);
        if (issued is not null) Bootstrap.Print(issued, "default", Options.DefaultOrganizationCredits);
        // On a restart the key is not shown again (it is stored hashed): say how to get another.
        else Console.WriteLine("The 'default' organization exists; its key was shown at the first start. New key: `reelay admin keys create <organization-id>` "
            + "with Admin:Token set, or sign in to the portal with an existing key and create one under Keys.");
        try
        {
            app.Logger.LogInformation("ffmpeg: {Version}", await FfmpegProbe.VersionAsync(Options.FfmpegPath));
        }
        catch (Exception ex)
        {
            app.Logger.LogWarning("ffmpeg is not available ({Error}); tasks will fail until it is installed", ex.Message);
        }
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            // A plain line that scripts and tests can wait for, whatever the log format.
            foreach (var address in addresses) Console.WriteLine($"Reelay listening on {address}");
            var first = addresses.FirstOrDefault()?.Replace("://0.0.0.0", "://127.0.0.1").TrimEnd('/');
            Console.WriteLine($"Data directory: {Options.DataDirectory}  Portal: {first}/portal  API reference: {first}/docs");
            Console.WriteLine($"export RUNWAYML_BASE_URL={first}");
        });
    }
}
