using System.Globalization;

namespace Reelay.Server.Features.Portal;

/// <summary>Small text formats the pages share (pure; Razor encodes their results).</summary>
public static class PortalFormat
{
    /// <summary>A query-string value (URL encoding; Razor then encodes the attribute it goes in).</summary>
    public static string Q(string? value) => Uri.EscapeDataString(value ?? "");

    public static string Time(long unixMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";

    /// <summary>"just now", "42 s ago", "5 min ago", "3 h ago", "12 d ago"; a date further back than 60 days.</summary>
    public static string Relative(long unixMs, long? nowMs = null)
    {
        var seconds = ((nowMs ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()) - unixMs) / 1000;
        return seconds switch
        {
            < 5 => "just now",
            < 60 => $"{seconds} s ago",
            < 3600 => $"{seconds / 60} min ago",
            < 86_400 => $"{seconds / 3600} h ago",
            < 60 * 86_400 => $"{seconds / 86_400} d ago",
            _ => DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        };
    }

    public static string Number(double value) => value.ToString("#,0.##", CultureInfo.InvariantCulture);

    public static string Credits(long value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    public static string StatusClass(long status) => status switch
    {
        >= 500 => "status s5",
        >= 400 => "status s4",
        >= 300 => "status s3",
        _ => "status s2",
    };

    /// <summary>The badge class of a task state (Runway's names).</summary>
    public static string TaskBadge(string runwayStatus) => "badge t-" + runwayStatus.ToLowerInvariant();

    /// <summary>Long ids shortened for a table cell; the whole id stays in the title and the copy button.</summary>
    public static string Short(string id, int keep = 8) => id.Length <= keep + 1 ? id : id[..keep] + "…";
}
