using System.Diagnostics;
using System.Text.Json;

namespace Reelay.Tests.Infrastructure;

/// <summary>Runs one scenario of tests/sdk-compat/runway-sdk.mjs: the official @runwayml/sdk, unmodified.</summary>
public static class SdkScenario
{
    public static readonly string SdkDirectory = Path.Combine(TestPaths.RepositoryRoot, "tests", "sdk-compat");
    private static readonly Lazy<bool> Installed = new(() =>
    {
        // Each package that joined package.json later too: a node_modules installed before it lacks it
        // (sdk-types.mjs needs typescript, openapi-check.mjs swagger-parser and ajv).
        string[] packages = ["@runwayml", "typescript", Path.Combine("@apidevtools", "swagger-parser"), "ajv"];
        if (packages.Any(p => !Directory.Exists(Path.Combine(SdkDirectory, "node_modules", p))))
            Run("npm", ["ci", "--silent", "--no-audit", "--no-fund"], [], TimeSpan.FromMinutes(5));
        return true;
    });

    /// <summary>Runs `npm ci` in tests/sdk-compat once per test run when its packages are missing.</summary>
    public static void EnsureInstalled() => _ = Installed.Value;

    /// <summary>The scenario's one line of JSON; `simulate` is sent as X-Reelay-Simulate, `imageFile` is for uploads.</summary>
    public static async Task<JsonElement> RunAsync(Uri baseUrl, string scenario, string key, string? simulate = null, string? imageFile = null)
    {
        EnsureInstalled();
        var env = new Dictionary<string, string>
        {
            ["REELAY_BASE_URL"] = baseUrl.ToString().TrimEnd('/'),
            ["REELAY_API_KEY"] = key,
            ["REELAY_IMAGE_DATA_URI"] = Media.DataUri(640, 360),
        };
        if (simulate is not null) env["REELAY_SIMULATE"] = simulate;
        if (imageFile is not null) env["REELAY_IMAGE_FILE"] = imageFile;
        var output = await Task.Run(() => Run("node", ["runway-sdk.mjs", scenario], env, TimeSpan.FromMinutes(3)));
        return JsonDocument.Parse(output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last()).RootElement.Clone();
    }

    /// <summary>Runs another script of tests/sdk-compat with node; its stdout, or an exception naming its stderr.</summary>
    public static Task<string> RunScriptAsync(string script, Dictionary<string, string> env, TimeSpan timeout)
    {
        EnsureInstalled();
        return Task.Run(() => Run("node", [script], env, timeout));
    }

    private static string Run(string file, string[] args, Dictionary<string, string> env, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(file) { WorkingDirectory = SdkDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (k, v) in env) info.Environment[k] = v;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} timed out.\n{stderr.Result}");
        }
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {process.ExitCode}: {stdout.Result}\n{stderr.Result}");
        return stdout.Result;
    }
}
