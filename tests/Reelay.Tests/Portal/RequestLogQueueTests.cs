using Reelay.Server.Features.RequestLog;

namespace Reelay.Tests.Portal;

public class RequestLogQueueTests
{
    private static RequestLogEntry Entry(int bodyBytes = 0) => new() { Method = "GET", Path = "/v1/x", Endpoint = "GET /v1/x", RawRequestBody = bodyBytes > 0 ? new byte[bodyBytes] : null };

    [Fact]
    public void A_full_queue_drops_the_newest_entry_counts_it_and_never_blocks()
    {
        var queue = new RequestLogQueue(capacity: 2, maxBodyBytes: 1 << 20);
        Assert.True(queue.TryEnqueue(Entry()));
        Assert.True(queue.TryEnqueue(Entry()));
        Assert.False(queue.TryEnqueue(Entry()));
        Assert.Equal(1, queue.Dropped);
        Assert.Equal(2, queue.Count);
    }

    [Fact]
    public void Bodies_beyond_the_byte_budget_are_left_out_but_the_entry_is_kept()
    {
        var queue = new RequestLogQueue(capacity: 10, maxBodyBytes: 1000);
        var first = Entry(800);
        var second = Entry(800);
        Assert.True(queue.TryEnqueue(first));
        Assert.True(queue.TryEnqueue(second));
        Assert.NotNull(first.RawRequestBody);
        Assert.Null(second.RawRequestBody);
        Assert.Contains("busy", second.BodyNote);
        queue.Release(first);
        var third = Entry(800);
        Assert.True(queue.TryEnqueue(third));
        Assert.NotNull(third.RawRequestBody);
        Assert.Equal(0, queue.Dropped);
    }
}
