using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using static Reelay.Server.Features.Portal.PortalHtml;

namespace Reelay.Server.Features.Portal;

/// <summary>Renders stored bodies: pretty JSON, and an error's message, issues (path → message) and docs link.</summary>
public static partial class ErrorBodyView
{
    [GeneratedRegex("^[a-z0-9-]{1,64}$")]
    private static partial Regex Anchor();

    /// <summary>
    /// The docs entry for a body's docUrl, always as a link to this server's own /docs/errors page:
    /// the stored URL's host came from the request, so only its anchor is trusted.
    /// </summary>
    public static string? DocLink(string? docUrl)
    {
        if (string.IsNullOrEmpty(docUrl)) return null;
        var hash = docUrl.IndexOf('#');
        if (hash < 0) return null;
        var path = docUrl[..hash];
        var anchor = docUrl[(hash + 1)..];
        return path.EndsWith("/docs/errors", StringComparison.Ordinal) && Anchor().IsMatch(anchor) ? "/docs/errors#" + anchor : null;
    }

    /// <summary>A Zod path as people write it: ["promptImage", 0, "uri"] → promptImage[0].uri; [] → (body).</summary>
    public static string PathText(JsonElement path)
    {
        if (path.ValueKind != JsonValueKind.Array || path.GetArrayLength() == 0) return "(body)";
        var sb = new StringBuilder();
        foreach (var segment in path.EnumerateArray())
        {
            if (segment.ValueKind == JsonValueKind.Number) sb.Append('[').Append(segment.GetRawText()).Append(']');
            else
            {
                if (sb.Length > 0) sb.Append('.');
                sb.Append(segment.ValueKind == JsonValueKind.String ? segment.GetString() : segment.GetRawText());
            }
        }
        return sb.ToString();
    }

    /// <summary>The readable part of an error body: message, issues as a list, and the docs link. Empty when the body is not an error object.</summary>
    public static string Summary(string? responseBody)
    {
        if (string.IsNullOrWhiteSpace(responseBody)) return "";
        JsonDocument document;
        try { document = JsonDocument.Parse(responseBody); }
        catch (JsonException) { return ""; }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return "";
            var sb = new StringBuilder();
            var message = Text(root, "error") ?? Text(root, "detail");
            if (message is not null) sb.Append($"<p class=\"error-message\">{E(message)}</p>");
            if (root.TryGetProperty("issues", out var issues) && issues.ValueKind == JsonValueKind.Array && issues.GetArrayLength() > 0)
            {
                sb.Append("<ul class=\"issues\">");
                foreach (var issue in issues.EnumerateArray())
                {
                    var path = issue.TryGetProperty("path", out var p) ? PathText(p) : "(body)";
                    var code = Text(issue, "code");
                    sb.Append($"<li><code class=\"issue-path\">{E(path)}</code> → <span class=\"issue-message\">{E(Text(issue, "message"))}</span>")
                      .Append(code is null ? "" : $" <span class=\"muted\">({E(code)})</span>").Append("</li>");
                }
                sb.Append("</ul>");
            }
            if (DocLink(Text(root, "docUrl")) is { } link)
                sb.Append($"<p><a class=\"doc-link\" href=\"{E(link)}\">What this error means and how to fix it</a></p>");
            return sb.ToString();
        }
    }

    /// <summary>Indented JSON when the text is JSON, otherwise the text as it is (encoded by the caller).</summary>
    public static string Pretty(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        try
        {
            using var document = JsonDocument.Parse(text);
            return JsonSerializer.Serialize(document.RootElement, PrettyOptions);
        }
        catch (JsonException)
        {
            return text;
        }
    }

    private static readonly JsonSerializerOptions PrettyOptions = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText() : null;
}
