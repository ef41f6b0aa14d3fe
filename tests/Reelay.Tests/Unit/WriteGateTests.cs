using Reelay.Server.Infrastructure;

namespace Reelay.Tests.Unit;

public class WriteGateTests
{
    // Only a guard against a hang if the gate were broken; nothing here depends on how fast it runs.
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_queue_writer_gets_the_next_turn_before_a_create_that_has_waited_longer()
    {
        var gate = new WriteGate();
        var first = await gate.EnterAsync(WritePriority.Create);
        var create = gate.EnterAsync(WritePriority.Create).AsTask();
        var claim = gate.EnterAsync(WritePriority.Queue).AsTask();
        Assert.False(create.IsCompleted);
        Assert.False(claim.IsCompleted);

        first.Dispose();
        var claimTurn = await claim.WaitAsync(Hang);
        Assert.False(create.IsCompleted); // the claim holds the turn until it is done
        claimTurn.Dispose();
        (await create.WaitAsync(Hang)).Dispose();
    }

    [Fact]
    public async Task Writers_of_the_same_priority_take_their_turns_in_arrival_order_one_at_a_time()
    {
        var gate = new WriteGate();
        var holding = await gate.EnterAsync(WritePriority.Create);
        var waiting = Enumerable.Range(0, 5).Select(_ => gate.EnterAsync(WritePriority.Create).AsTask()).ToList();
        foreach (var next in waiting)
        {
            holding.Dispose();
            holding = await next.WaitAsync(Hang);
            Assert.All(waiting.Skip(waiting.IndexOf(next) + 1), later => Assert.False(later.IsCompleted));
        }
        holding.Dispose();
        // Free again: a new writer enters at once.
        var free = gate.EnterAsync(WritePriority.Create);
        Assert.True(free.IsCompleted);
        (await free).Dispose();
    }
}
