using System.Globalization;
using System.Text;
using Reelay.Server.Features.Organizations;
using static Reelay.Server.Features.Portal.PortalHtml;

namespace Reelay.Server.Features.Portal;

/// <summary>Daily charged credits per model as a stacked bar chart, drawn on the server as SVG (no script, no library).</summary>
public static class UsageChart
{
    private const int Width = 760, Height = 260, Left = 56, Right = 12, Top = 12, Bottom = 40, LegendRow = 18;
    private static readonly string[] Palette = ["#2f5bd3", "#d9822b", "#1d7a36", "#b3261e", "#7b4fc9", "#0f8a8a", "#a8326e", "#6b6b70"];

    public static string Color(int index) => Palette[index % Palette.Length];

    public static string Render(UsageResponse usage)
    {
        var days = usage.Results;
        var models = usage.Models;
        var legendHeight = (models.Count + 3) / 4 * LegendRow;
        var height = Height + legendHeight;
        var plotWidth = Width - Left - Right;
        var plotHeight = Height - Top - Bottom;
        var max = days.Select(d => d.UsedCredits.Sum(u => u.Amount)).DefaultIfEmpty(0).Max();
        var scaleMax = NiceCeiling(max);
        var sb = new StringBuilder();
        sb.Append(Inv($"<svg class=\"usage-chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {Width} {height}\" width=\"{Width}\" height=\"{height}\" role=\"img\" aria-label=\"Credits charged per day and model\">"));
        sb.Append("<title>Credits charged per day and model</title>");
        // Grid and y axis: 0, half, top.
        foreach (var fraction in new[] { 0.0, 0.5, 1.0 })
        {
            var y = Top + plotHeight * (1 - fraction);
            sb.Append(Inv($"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{y:0.#}\" y2=\"{y:0.#}\" stroke=\"#dcdce0\"/>"));
            sb.Append(Inv($"<text x=\"{Left - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\" font-size=\"11\" fill=\"#6b6b70\">{scaleMax * fraction:#,0}</text>"));
        }
        if (max == 0)
            sb.Append(Inv($"<text x=\"{Left + plotWidth / 2}\" y=\"{Top + plotHeight / 2}\" text-anchor=\"middle\" font-size=\"13\" fill=\"#6b6b70\">No credits charged in this period</text>"));
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
                var color = Color(IndexOf(models, used.Model));
                sb.Append(Inv($"<rect class=\"bar\" x=\"{x:0.##}\" y=\"{baseY:0.##}\" width=\"{barWidth:0.##}\" height=\"{h:0.##}\" fill=\"{color}\">"))
                  .Append($"<title>{E(days[i].Date)} · {E(used.Model)}: {used.Amount.ToString("#,0", CultureInfo.InvariantCulture)} credits</title></rect>");
            }
            if (i % labelEvery == 0)
                sb.Append(Inv($"<text x=\"{x + barWidth / 2:0.##}\" y=\"{Top + plotHeight + 16}\" text-anchor=\"middle\" font-size=\"10\" fill=\"#6b6b70\">{E(days[i].Date[5..])}</text>"));
        }
        for (var m = 0; m < models.Count; m++)
        {
            var lx = Left + m % 4 * 170;
            var ly = Height + m / 4 * LegendRow;
            sb.Append(Inv($"<rect x=\"{lx}\" y=\"{ly - 10}\" width=\"12\" height=\"12\" fill=\"{Color(m)}\"/>"))
              .Append(Inv($"<text class=\"legend\" x=\"{lx + 18}\" y=\"{ly}\" font-size=\"12\" fill=\"#1d1d1f\">")).Append(E(models[m])).Append("</text>");
        }
        sb.Append("</svg>");
        return sb.ToString();
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

    private static int IndexOf(IReadOnlyList<string> models, string model)
    {
        for (var i = 0; i < models.Count; i++) if (models[i] == model) return i;
        return 0;
    }

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
