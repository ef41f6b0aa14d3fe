namespace Reelay.Bench.Memory;

/// <summary>The bench's tables: per hostile case, then the mixed phase.</summary>
public static class MemoryReport
{
    /// <summary>An answer larger than this is not "small and bounded" (a hundred issues fit well within it).</summary>
    public const long BoundedAnswer = 64 << 10;

    public static string Mb(double bytes) => $"{bytes / (1 << 20):0.0}";

    public static void PrintCases(IReadOnlyList<CaseResult> results, long idle)
    {
        Console.WriteLine();
        Console.WriteLine($"idle RSS of a fresh server after start and tenant set-up: {Mb(idle)} MB");
        Console.WriteLine("peak = VmHWM reset just before the body, read after the settle (RSS sampled every 5 ms where it cannot be reset); settled = VmRSS after the settle of light traffic");
        var header = $"{"kind",-26} {"route",-36} {"body MB",8} {"status",6} {"answer B",9} {"ms",7} {"RSS before",10} {"peak +MB",9} {"peak/body",9} {"settled +MB",11}";
        Console.WriteLine(header);
        Console.WriteLine(new string('-', header.Length));
        foreach (var r in results)
        {
            var increase = r.Peak - r.RssBefore;
            var flag = r.AnswerBytes > BoundedAnswer ? "  UNBOUNDED ANSWER" : r.Status is >= 500 or 0 ? "  SERVER ERROR" : r.Status < 400 ? "  accepted (extra fields ignored)" : "";
            Console.WriteLine($"{HostileBodies.Describe(r.Kind),-26} {r.Target.Name,-36} {r.BodyBytes / 1e6,8:0.00} {r.Status,6} {r.AnswerBytes,9:N0} {r.Ms,7:0} " +
                              $"{Mb(r.RssBefore),10} {Mb(increase),9} {increase / (double)r.BodyBytes,9:0.00} {Mb(r.Settled - r.RssBefore),11}{flag}");
        }
        var worst = results.MaxBy(r => (r.Peak - r.RssBefore) / (double)r.BodyBytes)!;
        Console.WriteLine($"worst peak/body: {(worst.Peak - worst.RssBefore) / (double)worst.BodyBytes:0.00} ({HostileBodies.Describe(worst.Kind)}, {worst.Target.Name}); goal ≤ 4");
        Console.WriteLine($"largest answer: {results.Max(r => r.AnswerBytes):N0} B; answers (first bytes):");
        foreach (var r in results.DistinctBy(r => (r.Target.Name, r.Status, r.AnswerStart.Length > 40 ? r.AnswerStart[..40] : r.AnswerStart)))
            Console.WriteLine($"  {r.Target.Name,-36} {HostileBodies.Describe(r.Kind),-26} {r.Status} {r.AnswerStart}");
    }

    public static void PrintMixed(Mixed.Result mixed, double minutes)
    {
        Console.WriteLine();
        Console.WriteLine($"mixed phase, {minutes:0.##} min: {mixed.Requests:N0} requests ({mixed.Hostile} hostile bodies), {mixed.ServerErrors} answers ≥ 500");
        Console.WriteLine($"  RSS after warm-up           {Mb(mixed.AfterWarmUp),8} MB");
        Console.WriteLine($"  highest RSS during          {Mb(mixed.PeakDuring),8} MB");
        Console.WriteLine($"  RSS settled after the load  {Mb(mixed.Settled),8} MB");
        Console.WriteLine($"  settled / after warm-up     {mixed.Settled / (double)mixed.AfterWarmUp,8:0.00}   (goal ≤ 1.25)");
    }
}
