using System.Diagnostics;
using Dapper;
using Reelay.Server.Features.Blobs;
using Reelay.Server.Infrastructure;

namespace Reelay.Server.Features.Health;

public static class HealthEndpoints
{
    /// <summary>/healthz: the process answers. /readyz: it can do work (database reachable, ffmpeg present, blob store writable).</summary>
    public static void MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => Results.Json(new { status = "ok" })).WithTags("Operations");
        app.MapGet("/readyz", async (Db db, ReelayOptions options, IBlobStore blobs) =>
        {
            var database = await CheckAsync(async () =>
            {
                await using var connection = await db.OpenAsync();
                await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM schema_migrations");
            });
            var ffmpeg = await CheckAsync(() => FfmpegProbe.VersionAsync(options.FfmpegPath));
            var blobStore = await CheckAsync(() => blobs.ProbeAsync(), blobs.Kind);
            var ready = database.Ok && ffmpeg.Ok && blobStore.Ok;
            return Results.Json(new { status = ready ? "ready" : "not ready", checks = new { database, ffmpeg, blobStore } }, statusCode: ready ? 200 : 503);
        }).WithTags("Operations");
    }

    private static async Task<CheckResult> CheckAsync(Func<Task> check, string? kind = null)
    {
        try
        {
            await check();
            return new CheckResult(true, null, kind);
        }
        catch (Exception ex)
        {
            return new CheckResult(false, ex.Message, kind);
        }
    }

    private sealed record CheckResult(bool Ok, string? Error, [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? Kind);
}

public static class FfmpegProbe
{
    /// <summary>Runs "ffmpeg -version" and returns its first line; throws when ffmpeg is missing or broken.</summary>
    public static async Task<string> VersionAsync(string ffmpegPath)
    {
        using var process = Process.Start(new ProcessStartInfo(ffmpegPath, "-hide_banner -version")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException($"Could not start {ffmpegPath}.");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var output = await process.StandardOutput.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0) throw new InvalidOperationException($"{ffmpegPath} -version exited with {process.ExitCode}.");
        return output.Split('\n')[0];
    }
}
