using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Portal;

/// <summary>Image and audio outputs on the task page, in a real headless Chromium: the image decodes, the audio plays.</summary>
public class PortalMediaTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly ReelayApi _api = fixture.Api;

    [Fact]
    public async Task A_text_to_image_task_page_shows_every_image_decoded_and_a_speech_task_page_an_audio_player_with_its_duration()
    {
        var tenant = await _api.NewTenantAsync(credits: 1000, name: "portal-media");
        var image = await _api.PostAsync("/v1/text_to_image", tenant.Key,
            new { model = "gpt_image_2", promptText = "a glass fox", ratio = "1920:1088", outputCount = 2 });
        Assert.True(image.Status == 200, image.Body.ToString());
        var speech = await _api.PostAsync("/v1/text_to_speech", tenant.Key,
            new { model = "eleven_multilingual_v2", promptText = "Hello from the portal.", voice = new { type = "runway-preset", presetId = "Maya" } });
        Assert.True(speech.Status == 200, speech.Body.ToString());
        var imageId = image.Body.GetProperty("id").GetString()!;
        var speechId = speech.Body.GetProperty("id").GetString()!;
        foreach (var id in new[] { imageId, speechId })
        {
            var task = await _api.WaitForAsync(tenant.Key, id, ReelayApi.IsTerminal);
            Assert.True(task.GetProperty("status").GetString() == "SUCCEEDED", task.ToString());
        }
        var origin = _api.BaseUrl.ToString().TrimEnd('/');

        await using var browser = await PortalBrowser.LaunchAsync();
        var page = await browser.NewPageAsync();
        await page.GotoAsync(origin + "/portal/sign-in");
        await page.FillAsync("#key", tenant.Key);
        await page.ClickAsync(".signin button[type=submit]");
        await page.WaitForURLAsync("**/portal/history");

        await page.GotoAsync($"{origin}/portal/tasks/{imageId}");
        await page.WaitForFunctionAsync("() => { const i = [...document.querySelectorAll('img.output')]; return i.length === 2 && i.every(x => x.complete && x.naturalWidth > 0); }");
        var sizes = await page.EvaluateAsync<int[]>("() => [...document.querySelectorAll('img.output')].flatMap(i => [i.naturalWidth, i.naturalHeight])");
        Assert.Equal([1920, 1088, 1920, 1088], sizes);

        await page.GotoAsync($"{origin}/portal/tasks/{speechId}");
        await page.WaitForFunctionAsync("() => { const a = document.querySelector('audio.output'); return a && a.readyState >= 1 && a.duration > 0; }");
        Assert.InRange(await page.EvaluateAsync<double>("() => document.querySelector('audio.output').duration"), 0.5, 10);
        Assert.True(await page.EvaluateAsync<bool>("() => document.querySelector('audio.output').canPlayType('audio/mpeg') !== ''"));
    }
}
