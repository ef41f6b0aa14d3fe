using Reelay.Server.Features.Organizations;

namespace Reelay.Tests.Unit;

/// <summary>Usage is net: a refund counts against the day it was made, so a day can be negative, as upstream.</summary>
public class UsageReportTests
{
    private static long At(int day, int hour) => new DateTimeOffset(2026, 3, day, hour, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    [Fact]
    public void A_day_with_more_refunds_than_charges_is_negative_for_its_model_and_key()
    {
        var usage = UsageReport.Summarize(new DateOnly(2026, 3, 1), new DateOnly(2026, 3, 4),
        [
            new UsageEntry("gen4.5", "key_a", At(1, 10), 60),
            new UsageEntry("veo3.1", "key_b", At(1, 11), 160),
            new UsageEntry("gen4.5", "key_a", At(2, 9), -60), // the refund, the next day
            new UsageEntry("gen4.5", null, At(2, 12), 12),    // a task without a key counts per model only
        ]);
        Assert.Equal(["2026-03-01", "2026-03-02", "2026-03-03"], usage.Results.Select(d => d.Date));
        Assert.Equal([new UsedCredits("gen4.5", 60), new UsedCredits("veo3.1", 160)], usage.Results[0].UsedCredits);
        Assert.Equal([new UsedCredits("gen4.5", -48)], usage.Results[1].UsedCredits);
        Assert.Empty(usage.Results[2].UsedCredits);
        Assert.Equal(["gen4.5", "veo3.1"], usage.Models);
        Assert.Equal(["key_a", "key_b"], usage.ApiKeys);
        Assert.Equal([new KeyCredits("key_a", -60)], usage.ResultsByApiKey[1].UsedCredits);
        Assert.Equal(3, usage.ResultsByApiKey.Count);
    }
}
