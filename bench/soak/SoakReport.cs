/// <summary>The soak's table: one row per time slice with requests, errors, p99 per route and RSS; then the verdicts.</summary>
public static class SoakReport
{
    public static void Print(IEnumerable<(int Slice, string Route, double Ms, bool Error)> samples, IEnumerable<(int Slice, double Mb)> rss,
        IEnumerable<string> errors, TimeSpan slice, int slices)
    {
        var all = samples.ToList();
        var memory = rss.ToList();
        var routes = all.Select(s => s.Route).Distinct().Order(StringComparer.Ordinal).ToList();
        Console.WriteLine();
        Console.WriteLine("p99 latency in ms per route and time slice; RSS is the slice's largest sample");
        Console.WriteLine($"{"slice",-8}{"reqs",7}{"errors",7}{"RSS MB",8}  " + string.Join("  ", routes.Select(Short)));
        for (var i = 0; i < slices; i++)
        {
            var inSlice = all.Where(s => s.Slice == i).ToList();
            var mb = memory.Where(m => m.Slice == i).Select(m => m.Mb).DefaultIfEmpty(0).Max();
            var cells = routes.Select(r => P99(inSlice.Where(s => s.Route == r).Select(s => s.Ms)).PadLeft(Short(r).Length));
            Console.WriteLine($"{TimeSpan.FromTicks(slice.Ticks * (i + 1)),-8:mm\\:ss}{inSlice.Count,7}{inSlice.Count(s => s.Error),7}{mb,8:0}  {string.Join("  ", cells)}");
        }
        Console.WriteLine($"{"all",-8}{all.Count,7}{all.Count(s => s.Error),7}{"",8}  " + string.Join("  ", routes.Select(r => P99(all.Where(s => s.Route == r).Select(s => s.Ms)).PadLeft(Short(r).Length))));
        var warm = memory.Where(m => m.Slice >= slices / 5).Select(m => m.Mb).ToList();
        if (warm.Count > 0)
        {
            var mean = warm.Average();
            var spread = Math.Max(warm.Max() - mean, mean - warm.Min()) / mean;
            Console.WriteLine($"RSS after warm-up: {warm.Min():0}–{warm.Max():0} MB, mean {mean:0} MB, within {spread:P1} of the mean ({(spread <= 0.10 ? "flat" : "NOT flat")} by the 10 % rule)");
        }
        var errorList = errors.ToList();
        Console.WriteLine($"errors: {errorList.Count}");
        foreach (var error in errorList.GroupBy(e => e).OrderByDescending(g => g.Count()).Take(10)) Console.WriteLine($"  {error.Count()}× {error.Key}");
    }

    private static string Short(string route) => route.Replace("/generations/{id}", "/gen/{id}").Replace("GET ", "").Replace("POST ", "+");

    private static string P99(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? "-" : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(sorted.Count * 0.99) - 1)].ToString("0.0");
    }
}
