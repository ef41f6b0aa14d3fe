using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

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

    public sealed record Issue(string Path, string? Message, string? Code);

    public sealed record ErrorSummary(string? Message, IReadOnlyList<Issue> Issues, string? DocLink);

    /// <summary>The readable part of an error body: message, issues (path → message) and the docs link; null when the body is not an error object.</summary>
    public static ErrorSummary? Summary(string? responseBody)
    {
        if (string.IsNullOrWhiteSpace(responseBody)) return null;
        JsonDocument document;
        try { document = JsonDocument.Parse(responseBody); }
        catch (JsonException) { return null; }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return null;
            var message = Text(root, "error") ?? (root.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null);
            var issues = new List<Issue>();
            if (root.TryGetProperty("issues", out var list) && list.ValueKind == JsonValueKind.Array)
                foreach (var issue in list.EnumerateArray())
                    issues.Add(new Issue(issue.TryGetProperty("path", out var p) ? PathText(p) : "(body)", Text(issue, "message"), Text(issue, "code")));
            else if (root.TryGetProperty("detail", out var pydantic) && pydantic.ValueKind == JsonValueKind.Array)
            {
                message ??= "Validation error";
                foreach (var issue in pydantic.EnumerateArray())
                    issues.Add(new Issue(issue.TryGetProperty("loc", out var l) ? PathText(l) : "(body)", Text(issue, "msg"), Text(issue, "type")));
            }
            return new ErrorSummary(message, issues, DocLink(Text(root, "docUrl")));
        }
    }

    [GeneratedRegex("\"(?:error|detail)\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.){1,300})")]
    private static partial Regex MessageField();

    /// <summary>
    /// One line for a history row: the message and the first issue ("Validation of body failed — ratio: Invalid enum value…").
    /// The row holds only the start of the body, so a cut-off body still yields its message.
    /// </summary>
    public static string? RowMessage(string? responseStart)
    {
        if (string.IsNullOrWhiteSpace(responseStart)) return null;
        if (Summary(responseStart) is { } summary)
        {
            var first = summary.Issues.FirstOrDefault();
            var more = summary.Issues.Count > 1 ? $" (+{summary.Issues.Count - 1} more)" : "";
            return first is null ? summary.Message : $"{summary.Message} — {first.Path}: {first.Message}{more}";
        }
        if (MessageField().Match(responseStart) is { Success: true } match)
        {
            try { return JsonSerializer.Deserialize<string>("\"" + match.Groups[1].Value + "\""); }
            catch (JsonException) { return match.Groups[1].Value; }
        }
        return responseStart.Length > 160 ? responseStart[..160] + "…" : responseStart;
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
