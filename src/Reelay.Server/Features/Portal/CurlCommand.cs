using System.Text;
using Reelay.Server.Features.RequestLog;

namespace Reelay.Server.Features.Portal;

/// <summary>
/// "Copy as curl" for a logged request (pure): the key is never in it — it reads $RUNWAYML_API_SECRET from the
/// shell, as the SDKs do — and the base URL is this server's public one, never the request's Host header.
/// </summary>
public static class CurlCommand
{
    /// <summary>The Runway API version the copied command sends (the request log does not keep headers).</summary>
    public const string RunwayVersion = "2024-11-06";

    public static string Build(string baseUrl, HistoryDetail row)
    {
        var url = baseUrl.TrimEnd('/') + row.Path + (row.Query ?? "");
        var sb = new StringBuilder("curl");
        if (row.Method != "GET" || row.RequestBody is not null) sb.Append(" -X ").Append(row.Method);
        sb.Append(' ').Append(Quote(url));
        if (row.KeyPrefix is not null && row.KeyPrefix != "admin token") sb.Append(" \\\n  -H \"Authorization: Bearer $RUNWAYML_API_SECRET\"");
        else if (row.KeyPrefix == "admin token") sb.Append(" \\\n  -H \"Authorization: Bearer $REELAY_ADMIN_TOKEN\"");
        if (row.Path.StartsWith("/v1/", StringComparison.Ordinal) && !Infrastructure.ErrorResponses.IsRunBlob(row.Path))
            sb.Append(" \\\n  -H ").Append(Quote("X-Runway-Version: " + RunwayVersion));
        if (row.RequestBody is not null)
        {
            if (row.RequestType is not null) sb.Append(" \\\n  -H ").Append(Quote("Content-Type: " + row.RequestType));
            sb.Append(" \\\n  --data-raw ").Append(Quote(row.RequestBody));
        }
        return sb.ToString();
    }

    /// <summary>A POSIX shell single-quoted word: nothing inside is expanded.</summary>
    public static string Quote(string value) => "'" + value.Replace("'", "'\\''") + "'";
}
