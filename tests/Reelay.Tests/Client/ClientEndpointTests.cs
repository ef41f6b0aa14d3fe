using Reelay.Client;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Client;

/// <summary>Every SDK method against the real server process.</summary>
[Trait("Database", "independent")] // the C# client against a server: what it checks is the client's side, the same on either database
public class ClientEndpointTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly ReelayApi _api = fixture.Api;

    [Fact]
    public async Task Text_to_video_creates_a_task_that_the_client_reads_and_waits_for()
    {
        var tenant = await _api.NewTenantAsync();
        using var client = Clients.For(_api, tenant);
        var created = await client.CreateTextToVideoAsync(Clients.Text());
        Assert.True(Guid.TryParse(created.Id, out _));
        Assert.Equal(24, created.EstimatedCost?.Credits); // 12 credits/s × 2 s

        var read = await client.GetTaskAsync(created.Id);
        Assert.Equal(created.Id, read.Id);
        Assert.NotEqual(ReelayTaskStatus.Unknown, read.Status);
        Assert.True(read.CreatedAt > DateTimeOffset.UtcNow.AddMinutes(-5));

        var done = await client.WaitForTaskOutputAsync(created.Id, TimeSpan.FromSeconds(90));
        Assert.Equal(ReelayTaskStatus.Succeeded, done.Status);
        Assert.Equal(24, done.Cost?.Credits);
        var video = await ReelayApi.DownloadAsync(Assert.Single(done.Output!));
        Assert.Equal("ftyp", System.Text.Encoding.ASCII.GetString(video, 4, 4)); // an MP4
    }

    [Fact]
    public async Task Image_to_video_accepts_a_data_uri_and_positioned_frames()
    {
        var tenant = await _api.NewTenantAsync();
        using var client = Clients.For(_api, tenant);
        var image = PromptImage.FromBytes(Media.Image(640, 360), "image/png");
        var single = await client.CreateImageToVideoAsync(new ImageToVideoRequest { Model = ReelayModels.Gen4Turbo, PromptImage = image, Ratio = "1280:720", Duration = 2 });
        Assert.Equal(10, single.EstimatedCost?.Credits); // 5 credits/s × 2 s

        var frames = PromptImage.FromFrames(new PromptImageFrame { Uri = image.Uri!, Position = PromptImagePosition.First });
        var positioned = await client.CreateImageToVideoAsync(new ImageToVideoRequest
        {
            Model = ReelayModels.Gen45, PromptImage = frames, PromptText = "waves", Ratio = "1280:720", Duration = 2,
            Seed = 42, ContentModeration = new ContentModeration { PublicFigureThreshold = "low" },
        });
        Assert.NotEqual(single.Id, positioned.Id);
        Assert.Equal(ReelayTaskStatus.Succeeded, (await client.WaitForTaskOutputAsync(positioned.Id, TimeSpan.FromSeconds(90))).Status);
    }

    [Fact]
    public async Task Cancelling_an_active_task_refunds_it_and_removes_it()
    {
        var tenant = await _api.NewTenantAsync();
        using var client = Clients.For(_api, tenant);
        var before = (await client.GetOrganizationAsync()).CreditBalance;
        var created = await client.CreateTextToVideoAsync(Clients.Text(), new RequestOptions { Simulate = "delay=30" });
        await client.CancelTaskAsync(created.Id);
        // As the Runway SDK documents: an aborted task is gone, and its hold is released.
        await Assert.ThrowsAsync<NotFoundException>(() => client.GetTaskAsync(created.Id));
        await Assert.ThrowsAsync<NotFoundException>(() => client.WaitForTaskOutputAsync(created.Id));
        Assert.Equal(before, (await client.GetOrganizationAsync()).CreditBalance);
        await Assert.ThrowsAsync<NotFoundException>(() => client.CancelTaskAsync(created.Id));
        await Assert.ThrowsAsync<ArgumentException>(() => client.GetTaskAsync(""));
    }

    [Fact]
    public async Task The_organization_shows_balance_limits_and_todays_generations()
    {
        var tenant = await _api.NewTenantAsync(credits: 5000);
        using var client = Clients.For(_api, tenant);
        var before = await client.GetOrganizationAsync();
        Assert.Equal(5000, before.CreditBalance);
        Assert.True(before.Tier.MaxMonthlyCreditSpend > 0);
        Assert.True(before.Tier.Models[ReelayModels.Gen45].MaxDailyGenerations > 0);
        Assert.Equal(0, before.Usage.Models[ReelayModels.Gen45].DailyGenerations);

        await client.CreateTextToVideoAsync(Clients.Text(), new RequestOptions { Simulate = "delay=30" });
        var after = await client.GetOrganizationAsync();
        Assert.Equal(1, after.Usage.Models[ReelayModels.Gen45].DailyGenerations);
        Assert.Equal(5000 - 24, after.CreditBalance); // the price is held at creation
    }

    [Fact]
    public async Task Usage_lists_charged_credits_per_day_and_model()
    {
        var tenant = await _api.NewTenantAsync();
        using var client = Clients.For(_api, tenant);
        var created = await client.CreateTextToVideoAsync(Clients.Text());
        await client.WaitForTaskOutputAsync(created.Id, TimeSpan.FromSeconds(90));

        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var lastMonth = await client.GetUsageAsync();
        Assert.Equal(30, lastMonth.Results.Count);
        Assert.Equal([ReelayModels.Gen45], lastMonth.Models);
        var used = Assert.Single(Assert.Single(lastMonth.Results, d => d.Date == today).UsedCredits);
        Assert.Equal((ReelayModels.Gen45, 24L), (used.Model, used.Amount));

        var oneDay = await client.GetUsageAsync(new UsageRequest { StartDate = today, BeforeDate = today.AddDays(1) });
        Assert.Equal(today, Assert.Single(oneDay.Results).Date);

        var backwards = await Assert.ThrowsAsync<BadRequestException>(() => client.GetUsageAsync(new UsageRequest { StartDate = today, BeforeDate = today }));
        Assert.Equal("beforeDate", Assert.Single(backwards.Issues).PathText);
    }

    [Fact]
    public async Task A_local_file_uploads_to_a_runway_uri_that_preflights_and_generates()
    {
        var tenant = await _api.NewTenantAsync();
        using var client = Clients.For(_api, tenant);
        var uri = await client.UploadFileAsync(Clients.TempFile(Media.Image(640, 360), ".png"));
        Assert.StartsWith("runway://", uri);

        var report = await client.CheckAssetAsync(new AssetCheckRequest { Uri = uri, Kind = AssetKind.Image, Model = ReelayModels.Gen4Turbo });
        Assert.True(report.Accepted, report.Reason);
        Assert.Equal(AssetKind.Image, report.Kind);
        Assert.Equal((640, 360), (report.Observed.Width, report.Observed.Height));
        Assert.NotEmpty(report.Checks);
        Assert.All(report.Checks, c => Assert.True(c.Passed, c.Detail));

        var created = await client.CreateImageToVideoAsync(new ImageToVideoRequest { Model = ReelayModels.Gen4Turbo, PromptImage = uri, Ratio = "1280:720", Duration = 2 });
        Assert.True(Guid.TryParse(created.Id, out _));

        // The two steps separately, from bytes.
        var upload = await client.CreateUploadAsync(new CreateUploadRequest { Filename = "frame.png" });
        await client.CompleteUploadAsync(upload, Media.Image(320, 240), "frame.png");
        Assert.True((await client.CheckAssetAsync(new AssetCheckRequest { Uri = upload.RunwayUri })).Accepted);
    }

    [Fact]
    public async Task An_uploaded_audio_file_preflights_as_audio_with_its_duration()
    {
        var tenant = await _api.NewTenantAsync();
        using var client = Clients.For(_api, tenant);
        var uri = await client.UploadFileAsync(Clients.TempFile(Media.Audio(3, "wav"), ".wav"));
        var report = await client.CheckAssetAsync(new AssetCheckRequest { Uri = uri, Kind = AssetKind.Audio });
        Assert.True(report.Accepted, report.Reason);
        Assert.Equal(AssetKind.Audio, report.Kind);
        Assert.Equal("audio/wav", report.Observed.MediaType);
        Assert.Equal(3, report.Observed.DurationSeconds);
        Assert.Null(report.Observed.Width);
    }

    [Fact]
    public async Task A_preflight_of_a_bad_asset_is_a_rejected_report_not_an_exception()
    {
        var tenant = await _api.NewTenantAsync();
        using var client = Clients.For(_api, tenant);
        var report = await client.CheckAssetAsync(new AssetCheckRequest { Uri = "data:image/png;base64," + Convert.ToBase64String(new byte[600]) });
        Assert.False(report.Accepted);
        Assert.Equal("rejected", report.Verdict);
        Assert.False(string.IsNullOrEmpty(report.Reason));
        Assert.Contains(report.Checks, c => !c.Passed);
    }
}
