using Reelay.Server.Features.Assets;
using Reelay.Server.Features.Catalog;
using Reelay.Server.Features.Portal.Pages;
using static Reelay.Server.Features.Portal.PortalView;

namespace Reelay.Server.Features.Portal;

/// <summary>The asset checker: the preflight (AssetIntake.CheckAsync, as POST /v1/assets/check) behind a form.</summary>
public static class AssetCheckerPage
{
    /// <summary>A file chosen in the form becomes a data URI, so it gets exactly the checks a data URI in a task gets.</summary>
    public const long MaxFileBytes = 16L << 20;

    public static void MapAssetChecker(this RouteGroupBuilder portal)
    {
        portal.MapGet("/assets", (HttpContext http, ModelCatalog catalog) => Render(http, catalog, null, null, null, null));
        portal.MapPost("/assets", CheckAsync);
    }

    private static async Task<IResult> CheckAsync(HttpContext http, ModelCatalog catalog, AssetIntake intake)
    {
        var session = PortalSession.From(http);
        if (session.IsOperator) return OrganizationOnly(session);
        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var uri = form["uri"].ToString().Trim();
        var kind = form["kind"].ToString() switch { "video" => AssetKind.Video, "audio" => AssetKind.Audio, _ => AssetKind.Image };
        var modelId = form["model"].ToString();
        var model = modelId.Length > 0 ? catalog.Find(modelId) : null;
        if (form.Files.GetFile("file") is { Length: > 0 } file)
        {
            if (file.Length > MaxFileBytes) return Render(http, catalog, uri, kind, modelId, $"The file is larger than {MaxFileBytes >> 20} MB.");
            using var buffer = new MemoryStream();
            await file.CopyToAsync(buffer, http.RequestAborted);
            var mediaType = string.IsNullOrEmpty(file.ContentType) ? "application/octet-stream" : file.ContentType;
            uri = $"data:{mediaType};base64,{Convert.ToBase64String(buffer.GetBuffer(), 0, (int)buffer.Length)}";
        }
        if (uri.Length == 0) return Render(http, catalog, uri, kind, modelId, "Enter a URI or choose a file.");
        var aspect = kind == AssetKind.Image ? model?.ImageAspect : null;
        var (asset, report) = await intake.CheckAsync(uri, kind, aspect, session.OrgId!, http.RequestAborted);
        asset?.DeleteIfTemporary();
        // A data URI made from a file is not worth echoing back into the form; an accepted image is previewed from it.
        var preview = accepted(report) && kind == AssetKind.Image && uri.StartsWith("data:image/", StringComparison.OrdinalIgnoreCase) && uri.Length < 4 << 20 ? uri : null;
        return Render(http, catalog, uri.StartsWith("data:", StringComparison.OrdinalIgnoreCase) ? "" : uri, kind, modelId, null, report, preview);
    }

    private static bool accepted(AssetReport report) => report.Reason is null;

    /// <summary>The observed values worth a line in the report (text from the asset is encoded by Razor).</summary>
    public static IReadOnlyList<(string Name, string Value)> Facts(AssetReport report)
    {
        var o = report.Observed;
        var facts = new List<(string, string?)>
        {
            ("Address", o.Address), ("HTTP status", o.Status?.ToString()), ("Content-Type", o.ContentType), ("Content-Length", o.ContentLength?.ToString("N0")),
            ("Bytes read", o.BytesRead?.ToString("N0")), ("Media type", o.MediaType), ("Size", o.Width is null ? null : $"{o.Width} × {o.Height} px"),
            ("Ratio", o.Ratio?.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("Duration", o.DurationSeconds is { } s ? $"{s:0.###} s" : null),
        };
        return facts.Where(f => f.Item2 is not null).Select(f => (f.Item1, f.Item2!)).ToList();
    }

    private static IResult Render(HttpContext http, ModelCatalog catalog, string? uri, AssetKind? kind, string? modelId, string? problem,
        AssetReport? report = null, string? preview = null)
    {
        var session = PortalSession.From(http);
        if (session.IsOperator) return OrganizationOnly(session);
        return Page<AssetChecker>(new { Session = session, Models = catalog.Models.Select(m => m.Id).ToList(), Uri = uri, Kind = kind, ModelId = modelId,
            Problem = problem, Report = report, Preview = preview });
    }
}
