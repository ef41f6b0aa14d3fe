using System.Text.Json;

namespace Reelay.Server.Features.RequestLog;

/// <summary>Which task a logged request is about (pure): the id in its route, or the id its create answered with.</summary>
public static class RequestTasks
{
    /// <summary>GET/DELETE /v1/tasks/{id} and RunBlob's …/generations/{id}: the route's id when it is a task id (a GUID).</summary>
    public static string? FromRoute(string method, string? routePattern, string? id) =>
        routePattern is not null && id is not null && Guid.TryParse(id, out var guid)
        && (routePattern.EndsWith("tasks/{id}", StringComparison.Ordinal) || routePattern.EndsWith("generations/{id}", StringComparison.Ordinal))
            ? guid.ToString() : null;

    /// <summary>The id a create answered with: Runway's {"id"}, RunBlob's {"id"} / {"task_id"} / {"data": {"id"}}; only a GUID counts.</summary>
    public static string? FromCreateResponse(byte[]? body)
    {
        if (body is null) return null;
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return null;
            foreach (var candidate in new[] { root, root.TryGetProperty("data", out var data) ? data : default })
            {
                if (candidate.ValueKind != JsonValueKind.Object) continue;
                foreach (var name in new[] { "id", "task_id", "taskId" })
                    if (candidate.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && Guid.TryParse(value.GetString(), out var guid))
                        return guid.ToString();
            }
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The SDKs' status polls (a successful GET of one task): hidden from the history by default.</summary>
    public const string PollingSql =
        "NOT (method = 'GET' AND status < 400 AND (endpoint = 'GET /v1/tasks/{id}' OR endpoint LIKE 'GET /v1/%/generations/{id}'))";
}
