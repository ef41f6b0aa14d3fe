namespace Reelay.Bench.Dispatch;

/// <summary>The settings a run used, for the report's explanations.</summary>
internal sealed record RunSettings(int Tasks, int Orgs, int Prefill, int Clients, int Workers, int Idle, int XNode);

/// <summary>The bench's printed table and the notes that say what each figure is.</summary>
internal static class Report
{
    public static void Print(IReadOnlyList<Result> results, RunSettings s)
    {
        Console.WriteLine();
        var header = $"{"database",-11}{"raw commits/s",14}{$"{s.Orgs} orgs/s",11}{"created/raw",13}{"1 org/s",9}{"1 org/raw",11}{"last/first q",14}{"done/s",8}" +
                     $"{"→RUNNING p50",14}{"p99",8}{"1 org p99",11}{"idle p50",10}{"idle p99",10}{"x-node p50",12}{"x-node p99",12}";
        Console.WriteLine(header);
        Console.WriteLine(new string('-', header.Length));
        foreach (var r in results)
        {
            var q = r.Burst.QuarterRates();
            Console.WriteLine($"{r.Name,-11}{r.RawPerSecond,14:N0}{r.Burst.CreatedPerSecond,11:N0}{r.Burst.CreatedPerSecond / r.RawPerSecond,13:0.000}" +
                              $"{r.Single.CreatedPerSecond,9:N0}{r.Single.CreatedPerSecond / r.RawPerSecond,11:0.000}{q[3] / q[0],14:0.00}{r.Burst.DonePerSecond,8:N0}" +
                              $"{Ms(r.Burst.ToRunningMs, 0.5),14}{Ms(r.Burst.ToRunningMs, 0.99),8}{Ms(r.Single.ToRunningMs, 0.99),11}" +
                              $"{Ms(r.Idle.ToRunningMs, 0.5),10}{Ms(r.Idle.ToRunningMs, 0.99),10}" +
                              $"{Ms(r.CrossNode.ToRunningMs, 0.5),12}{Ms(r.CrossNode.ToRunningMs, 0.99),12}");
        }
        Console.WriteLine();
        Console.WriteLine($"{s.Orgs} orgs/s: {s.Tasks:N0} creates spread round-robin over {s.Orgs} organizations ÷ wall time of the burst ({s.Clients} clients), the headline; " +
                          "created/raw: ÷ the raw commit rate of the same database, same run, same concurrency.");
        Console.WriteLine($"1 org/s: the same burst in one organization (its creates share the organization's locks and counters). last/first q: the last quarter's creation rate ÷ the first's in the {s.Orgs}-organization burst.");
        if (s.Prefill > 0)
            Console.WriteLine($"prefill: {s.Prefill:N0} earlier finished tasks and as many ledger rows (in {Prefill.Organizations} other organizations, 2 to 32 days old) were in the database before the server started.");
        Console.WriteLine("done/s: tasks succeeded ÷ (last finished_at − first created_at). →RUNNING: started_at − created_at, both stamped by the server (ms), p50/p99;");
        Console.WriteLine($"under the bursts it includes queueing behind {s.Workers} noop workers; idle: {s.Idle} sequential creates on an idle server (the wake-up path: the create's in-process signal).");
        Console.WriteLine($"x-node: {s.XNode} sequential creates on node A (Workers:Concurrency=0), run by node B's workers on the same database, 20–520 ms apart. On PostgreSQL A's NOTIFY");
        Console.WriteLine("wakes B's LISTEN, so expect milliseconds; SQLite has no cross-process notification, so B finds each task at its next 0.5 s poll: expect p50 ~250 ms, p99 ~500 ms.");
        foreach (var r in results)
        {
            Console.WriteLine();
            Console.WriteLine($"{r.Name}: raw baseline on {r.RawDescription}" + (r.Prefilled is { } p ? $"; history inserted in {p.TotalSeconds:0.0} s" : ""));
            Burst($"burst, {s.Orgs} orgs", r.Burst);
            Burst("burst, 1 org", r.Single);
            Console.WriteLine($"  idle:  create round trip p50 {Stats.Percentile(r.Idle.RoundTripMs, 0.5):0.0} ms, p99 {Stats.Percentile(r.Idle.RoundTripMs, 0.99):0.0} ms; " +
                              $"→RUNNING max {r.Idle.ToRunningMs.Max()} ms");
            Console.WriteLine($"  x-node: create round trip on A p50 {Stats.Percentile(r.CrossNode.RoundTripMs, 0.5):0.0} ms, p99 {Stats.Percentile(r.CrossNode.RoundTripMs, 0.99):0.0} ms; " +
                              $"→RUNNING on B min {r.CrossNode.ToRunningMs.Min()} ms, max {r.CrossNode.ToRunningMs.Max()} ms");
        }
    }

    private static void Burst(string label, Phase phase)
    {
        var q = phase.QuarterRates();
        Console.WriteLine($"  {label}: create round trip p50 {Stats.Percentile(phase.RoundTripMs, 0.5):0.0} ms, p99 {Stats.Percentile(phase.RoundTripMs, 0.99):0.0} ms, " +
                          $"max {phase.RoundTripMs.Max():0} ms; creates/s per quarter {string.Join(" / ", q.Select(v => v.ToString("N0")))}; " +
                          $"→RUNNING p50 {Ms(phase.ToRunningMs, 0.5)}, p99 {Ms(phase.ToRunningMs, 0.99)}, max {phase.ToRunningMs.Max()} ms; done/s {phase.DonePerSecond:N0}");
    }

    private static string Ms(long[] values, double p) => values.Length == 0 ? "-" : $"{Stats.Percentile(values, p):0} ms";
}
