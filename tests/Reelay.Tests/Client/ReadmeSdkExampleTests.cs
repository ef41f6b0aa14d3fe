using Reelay.Client;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Client;

/// <summary>The README's C# SDK example, verbatim: it must compile, run and stay identical to the README.</summary>
[Trait("Database", "independent")] // the C# client against a server: what it checks is the client's side, the same on either database
public class ReadmeSdkExampleTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task The_readme_sdk_example_runs_against_a_real_server()
    {
        var tenant = await fixture.Api.NewTenantAsync();
        var apiKey = tenant.Key;
        var baseUrl = fixture.Api.BaseUrl.ToString().TrimEnd('/');
        await File.WriteAllBytesAsync("photo.png", Media.Image(640, 360));
        var output = new StringWriter();
        var console = Console.Out;
        Console.SetOut(TextWriter.Synchronized(output));
        try
        {
            // readme-sdk-example (tests/Reelay.Tests/Client/ReadmeSdkExampleTests.cs runs these lines)
            using var client = new ReelayClient(apiKey, baseUrl); // or new ReelayClient() to read REELAY_API_SECRET and REELAY_BASE_URL
            var image = await client.UploadFileAsync("photo.png"); // a runway:// URI, valid 24 h
            var created = await client.CreateImageToVideoAsync(new ImageToVideoRequest
                { Model = ReelayModels.Gen4Turbo, PromptImage = image, Ratio = "1280:720", Duration = 2 });
            try
            {
                var task = await client.WaitForTaskOutputAsync(created.Id, TimeSpan.FromMinutes(5),
                    t => Console.WriteLine($"{t.Status} {t.Progress:P0}"));
                Console.WriteLine(task.Output![0]);
            }
            catch (TaskFailedException e) { Console.WriteLine($"{e.FailureCode}: {e.Failure}"); }
            catch (RateLimitException e) { Console.WriteLine($"over the daily cap; retry in {e.RetryAfter}"); }
            // end of readme-sdk-example
        }
        finally
        {
            Console.SetOut(console);
        }
        Assert.Contains("/outputs/", output.ToString());
    }

    [Fact]
    public async Task The_readme_shows_exactly_the_code_this_test_runs()
    {
        static List<string> Snippet(string text) => text.Split('\n')
            .SkipWhile(l => !l.Contains("// readme-sdk-example (")).TakeWhile(l => !l.Contains("// end of readme-sdk-example"))
            .Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        var readme = Snippet(await File.ReadAllTextAsync(Path.Combine(TestPaths.RepositoryRoot, "README.md")));
        var test = Snippet(await File.ReadAllTextAsync(Path.Combine(TestPaths.RepositoryRoot, "tests", "Reelay.Tests", "Client", "ReadmeSdkExampleTests.cs")));
        Assert.True(readme.Count > 5);
        Assert.Equal(test, readme);
    }
}
