using System.Text.Json;
using Reelay.Server.Features.Catalog;
using Reelay.Server.Features.Docs;
using Reelay.Server.Features.Runway;
using Reelay.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Reelay.Tests.Docs;

/// <summary>
/// /openapi/v1.json of a real server, validated by @apidevtools/swagger-parser and used as a client would use it:
/// tests/sdk-compat/openapi-check.mjs builds one request per model from the document alone and checks every
/// answer against the response schema the document states for its status.
/// </summary>
[Trait("Database", "independent")] // documents generated from the catalog and the routes: no database in their subject
public sealed class OpenApiDocumentTests(ITestOutputHelper output)
{
    private static readonly ModelCatalog Catalog = ModelCatalog.Load(null);

    [Fact(Timeout = 5 * 60 * 1000)]
    public async Task The_document_is_valid_lists_every_model_and_a_request_built_from_each_model_schema_is_accepted()
    {
        await using var server = await ServerProcess.StartAsync();
        // Every model once, at up to 40 credits a second for its minimum duration: credits must never be why one fails.
        var tenant = await new ReelayApi(server).NewTenantAsync(credits: 10_000_000, name: "openapi");
        var fixtures = TestPaths.NewTempDirectory("reelay-openapi-fixtures");
        var env = new Dictionary<string, string>
        {
            ["REELAY_BASE_URL"] = server.BaseUrl.ToString().TrimEnd('/'),
            ["REELAY_API_KEY"] = tenant.Key,
            ["REELAY_IMAGE_FILE"] = Write(fixtures, "image.png", Media.Image(640, 360)),
            // Four seconds: the longest minimum any video field of the catalog has is three.
            ["REELAY_VIDEO_FILE"] = Write(fixtures, "video.mp4", Media.Video(640, 360, 4)),
            // Six seconds: voice_isolation takes only audio longer than 4.6 s; the video models' reference totals are 15 s.
            ["REELAY_AUDIO_FILE"] = Write(fixtures, "audio.mp3", Media.Audio(6, "mp3", "-c:a", "libmp3lame", "-q:a", "6")),
        };

        var stdout = await SdkScenario.RunScriptAsync("openapi-check.mjs", env, TimeSpan.FromMinutes(4));
        using var report = JsonDocument.Parse(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last());
        var root = report.RootElement;
        Assert.True(root.GetProperty("valid").GetBoolean(), "swagger-parser: " + root.GetProperty("errors"));
        Assert.True(root.GetProperty("schemaErrors").GetArrayLength() == 0, "not valid JSON Schema 2020-12: " + root.GetProperty("schemaErrors"));

        foreach (var endpoint in RunwayDialect.Endpoints)
        {
            var members = root.GetProperty("members").GetProperty(endpoint).EnumerateArray().ToList();
            Assert.Equal(Catalog.ServingEndpoint(endpoint).Select(m => m.Id), members.Select(m => m.GetProperty("model").GetString()));
            Assert.All(members, m => Assert.True(m.GetProperty("mapped").GetBoolean(), $"{m} is not in the discriminator mapping"));
            Assert.All(members, m => Assert.StartsWith(CatalogOpenApi.ComponentName(endpoint, m.GetProperty("model").GetString()!), m.GetProperty("component").GetString()));
        }

        var requests = root.GetProperty("requests").EnumerateArray().ToList();
        foreach (var r in requests) output.WriteLine(r.ToString());
        var models = requests.Where(r => r.GetProperty("model").GetString() is not ("(invalid)" or "(RunBlob)")).ToList();
        Assert.Equal(RunwayDialect.Endpoints.Sum(e => Catalog.ServingEndpoint(e).Count), models.Count);
        var refused = models.Where(r => r.GetProperty("status").GetInt32() != 200).Select(r => r.ToString()).ToList();
        Assert.True(refused.Count == 0, "requests built from the document were refused:\n" + string.Join('\n', refused));
        Assert.All(models, r => Assert.Equal((200, 204), (r.GetProperty("get").GetInt32(), r.GetProperty("delete").GetInt32())));
        Assert.All(requests.Where(r => r.GetProperty("model").GetString() == "(invalid)"), r => Assert.Equal(400, r.GetProperty("status").GetInt32()));

        var sora = requests.Single(r => r.GetProperty("endpoint").GetString() == "sora_generate");
        Assert.True(sora.GetProperty("status").GetInt32() == 201, sora.ToString());
        Assert.Equal((200, 204, 200), (sora.GetProperty("get").GetInt32(), sora.GetProperty("delete").GetInt32(), sora.GetProperty("balance").GetInt32()));

        var problems = root.GetProperty("responseProblems").EnumerateArray().Select(p => p.GetString()).ToList();
        Assert.True(problems.Count == 0, "answers that differ from the document:\n" + string.Join('\n', problems));
    }

    [Fact]
    public void Component_names_keep_to_letters_digits_and_underscores()
    {
        Assert.Equal("ImageToVideo_gen4_5", CatalogOpenApi.ComponentName("image_to_video", "gen4.5"));
        Assert.Equal("VideoToVideo_gemini_omni_flash_1_1", CatalogOpenApi.ComponentName("video_to_video", "gemini_omni_flash_1.1"));
        Assert.All(Catalog.Models.SelectMany(m => m.Endpoints.Keys.Select(e => CatalogOpenApi.ComponentName(e, m.Id))),
            name => Assert.Matches("^[A-Za-z0-9_]+$", name));
    }

    private static string Write(string folder, string name, byte[] bytes)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
