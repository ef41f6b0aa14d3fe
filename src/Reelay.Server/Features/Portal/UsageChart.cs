using System.Globalization;
using System.Xml.Linq;
using Reelay.Server.Features.Organizations;

namespace Reelay.Server.Features.Portal;

/// <summary>
/// Daily charged credits per model as a stacked bar chart, drawn on the server as SVG (no script, no library).
/// Built with System.Xml.Linq, which encodes every text and attribute (a model name is data, never markup).
/// </summary>
public static class UsageChart
{
    private const int Width = 760, Height = 260, Left = 56, Right = 12, Top = 12, Bottom = 40, LegendRow = 18;
    private static readonly string[] Palette = ["#2f5bd3", "#d9822b", "#1d7a36", "#b3261e", "#7b4fc9", "#0f8a8a", "#a8326e", "#6b6b70"];
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    public static string Color(int index) => Palette[index % Palette.Length];

    public static string Render(UsageResponse usage)
    {
        var days = usage.Results;
        var models = usage.Models;
        var height = Height + (models.Count + 3) / 4 * LegendRow;
        var plotWidth = Width - Left - Right;
        var plotHeight = Height - Top - Bottom;
        var max = days.Select(d => d.UsedCredits.Sum(u => u.Amount)).DefaultIfEmpty(0).Max();
        var scaleMax = NiceCeiling(max);
        var svg = new XElement(Svg + "svg", new XAttribute("class", "usage-chart"), new XAttribute("viewBox", $"0 0 {Width} {height}"),
            new XAttribute("width", Width), new XAttribute("height", height), new XAttribute("role", "img"),
            new XAttribute("aria-label", "Credits charged per day and model"), new XElement(Svg + "title", "Credits charged per day and model"));
        // Grid and y axis: 0, half, top. Colors come from CSS classes so the chart follows the light or dark theme.
        foreach (var fraction in new[] { 0.0, 0.5, 1.0 })
        {
            var y = Top + plotHeight * (1 - fraction);
            svg.Add(El("line", ("class", "grid"), ("x1", Left), ("x2", Width - Right), ("y1", y), ("y2", y)));
            svg.Add(El("text", ("class", "axis"), ("x", Left - 6), ("y", y + 4), ("text-anchor", "end"), ("font-size", 11)).With((scaleMax * fraction).ToString("#,0", CultureInfo.InvariantCulture)));
        }
        if (max == 0)
            svg.Add(El("text", ("class", "axis"), ("x", Left + plotWidth / 2), ("y", Top + plotHeight / 2), ("text-anchor", "middle"), ("font-size", 13)).With("No credits charged in this period"));
        var slot = days.Count == 0 ? plotWidth : (double)plotWidth / days.Count;
        var barWidth = Math.Max(1, slot * 0.7);
        var labelEvery = Math.Max(1, (int)Math.Ceiling(days.Count / 10.0));
        for (var i = 0; i < days.Count; i++)
        {
            var x = Left + i * slot + (slot - barWidth) / 2;
            var baseY = (double)(Top + plotHeight);
            foreach (var used in days[i].UsedCredits.Where(u => u.Amount > 0))
            {
                var h = plotHeight * used.Amount / (double)scaleMax;
                baseY -= h;
                svg.Add(El("rect", ("class", "bar"), ("x", x), ("y", baseY), ("width", barWidth), ("height", h), ("fill", Color(IndexOf(models, used.Model))))
                    .With(new XElement(Svg + "title", $"{days[i].Date} · {used.Model}: {used.Amount.ToString("#,0", CultureInfo.InvariantCulture)} credits")));
            }
            if (i % labelEvery == 0)
                svg.Add(El("text", ("class", "axis"), ("x", x + barWidth / 2), ("y", Top + plotHeight + 16), ("text-anchor", "middle"), ("font-size", 10)).With(days[i].Date[5..]));
        }
        for (var m = 0; m < models.Count; m++)
        {
            var lx = Left + m % 4 * 170;
            var ly = Height + m / 4 * LegendRow;
            svg.Add(El("rect", ("x", lx), ("y", ly - 10), ("width", 12), ("height", 12), ("fill", Color(m))));
            svg.Add(El("text", ("class", "legend"), ("x", lx + 18), ("y", ly), ("font-size", 12)).With(models[m]));
        }
        return svg.ToString(SaveOptions.DisableFormatting);
    }

    /// <summary>1, 2 or 5 times a power of ten, at least the value: readable axis labels.</summary>
    public static long NiceCeiling(long value)
    {
        if (value <= 0) return 10;
        var power = 1L;
        while (power * 10 <= value) power *= 10;
        foreach (var step in new long[] { 1, 2, 5, 10 })
            if (step * power >= value) return step * power;
        return 10 * power;
    }

    private static XElement El(string name, params (string Name, object Value)[] attributes) =>
        new(Svg + name, attributes.Select(a => new XAttribute(a.Name, a.Value is double d ? d.ToString("0.##", CultureInfo.InvariantCulture) : Convert.ToString(a.Value, CultureInfo.InvariantCulture)!)));

    private static XElement With(this XElement element, object content)
    {
        element.Add(content);
        return element;
    }

    private static int IndexOf(IReadOnlyList<string> models, string model)
    {
        for (var i = 0; i < models.Count; i++) if (models[i] == model) return i;
        return 0;
    }
}
