using System.Text;
using Reelay.Server.Features.Assets;
using Reelay.Server.Features.Catalog;
using static Reelay.Server.Features.Portal.PortalHtml;

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
            if (file.Length > MaxFileBytes) return Render(http, catalog, uri, kind, modelId, $"<div class=\"notice bad\">The file is larger than {MaxFileBytes >> 20} MB.</div>");
            using var buffer = new MemoryStream();
            await file.CopyToAsync(buffer, http.RequestAborted);
            var mediaType = string.IsNullOrEmpty(file.ContentType) ? "application/octet-stream" : file.ContentType;
            uri = $"data:{mediaType};base64,{Convert.ToBase64String(buffer.GetBuffer(), 0, (int)buffer.Length)}";
        }
        if (uri.Length == 0) return Render(http, catalog, uri, kind, modelId, "<div class=\"notice bad\">Enter a URI or choose a file.</div>");
        var aspect = kind == AssetKind.Image ? model?.ImageAspect : null;
        var (asset, report) = await intake.CheckAsync(uri, kind, aspect, session.OrgId!, http.RequestAborted);
        asset?.DeleteIfTemporary();
        // A data URI made from a file is not worth echoing back into the form.
        return Render(http, catalog, uri.StartsWith("data:", StringComparison.OrdinalIgnoreCase) ? "" : uri, kind, modelId, ReportHtml(report));
    }

    /// <summary>The report as the preflight returns it: verdict, reason, every check, the observed values.</summary>
    public static string ReportHtml(AssetReport report)
    {
        var accepted = report.Reason is null;
        var sb = new StringBuilder($"<div class=\"notice {(accepted ? "good" : "bad")} asset-report\"><p class=\"verdict\"><strong>{E(report.Verdict)}</strong>");
        sb.Append(accepted ? " — a task would accept this asset." : $": {E(report.Reason)}").Append($" <span class=\"muted\">({report.ElapsedMs} ms)</span></p></div>");
        sb.Append("<table class=\"checks\"><thead><tr><th>Check</th><th>Result</th><th>Detail</th></tr></thead><tbody>");
        foreach (var check in report.Checks)
            sb.Append($"<tr><td>{E(check.Name)}</td><td class=\"{(check.Passed ? "pass" : "fail")}\">{(check.Passed ? "passed" : "failed")}</td><td>{E(check.Detail)}</td></tr>");
        sb.Append("</tbody></table>");
        var o = report.Observed;
        // Values as HTML: text from the asset (address, content type) is encoded, numbers are ours.
        var facts = new List<(string, string?)>
        {
            ("Address", Text(o.Address)), ("HTTP status", o.Status?.ToString()), ("Content-Type", Text(o.ContentType)), ("Content-Length", o.ContentLength?.ToString("N0")),
            ("Bytes read", o.BytesRead?.ToString("N0")), ("Media type", Text(o.MediaType)), ("Size", o.Width is null ? null : $"{o.Width} × {o.Height} px"),
            ("Ratio", o.Ratio?.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("Duration", o.DurationSeconds is { } s ? $"{s:0.###} s" : null),
        };
        if (facts.Any(f => f.Item2 is not null))
        {
            sb.Append("<h2>Observed</h2><dl class=\"facts\">");
            foreach (var (name, value) in facts.Where(f => f.Item2 is not null)) sb.Append($"<dt>{name}</dt><dd>{value}</dd>");
            sb.Append("</dl>");
        }
        return sb.ToString();
    }

    private static string? Text(string? value) => value is null ? null : E(value);

    private static IResult Render(HttpContext http, ModelCatalog catalog, string? uri, AssetKind? kind, string? modelId, string? result)
    {
        var session = PortalSession.From(http);
        if (session.IsOperator) return OrganizationOnly(session);
        var sb = new StringBuilder("<h1>Asset checker</h1><p class=\"muted\">Runs the same checks a task runs on an input (fetch, type, size, dimensions, aspect ratio, duration) without creating a task or spending credits — what <code>POST /v1/assets/check</code> does.</p>");
        sb.Append("<form method=\"post\" action=\"/portal/assets\" enctype=\"multipart/form-data\" class=\"asset-form\">").Append(CsrfInput(session))
          .Append($"<p><label for=\"uri\">URI (https URL, data URI or runway:// upload)</label><textarea id=\"uri\" name=\"uri\" spellcheck=\"false\">{E(uri)}</textarea></p>")
          .Append("<p><label for=\"file\">… or a file from this computer</label> <input id=\"file\" type=\"file\" name=\"file\"></p><p>")
          .Append($"<label>Kind <select name=\"kind\"><option value=\"image\">image</option><option value=\"video\"{(kind == AssetKind.Video ? " selected" : "")}>video</option><option value=\"audio\"{(kind == AssetKind.Audio ? " selected" : "")}>audio</option></select></label> ")
          .Append("<label>Model <select name=\"model\"><option value=\"\">any (image ratio 0.5–2)</option>");
        foreach (var model in catalog.Models)
            sb.Append($"<option{(model.Id == modelId ? " selected" : "")}>{E(model.Id)}</option>");
        sb.Append("</select></label> <button type=\"submit\">Check</button></p></form>");
        if (result is not null) sb.Append("<h2>Report</h2>").Append(result);
        return Page("Asset checker", sb.ToString(), session, "/portal/assets");
    }
}
