using System.Text.Json;
using System.Text.Json.Nodes;
using Reelay.Server.Features.Tasks;
using Reelay.Server.Features.Webhooks;

namespace Reelay.Server.Features.Runway;

/// <summary>
/// The Runway surface's task event body: the task exactly as GET /v1/tasks/{id} shows it. The snapshot keeps a
/// marker per output ("reelay-output:INDEX.EXT"); each attempt signs fresh URLs in their place.
/// </summary>
public sealed class RunwayWebhookBody : IWebhookBody
{
    public const string Surface = "runway";
    private const string Marker = "reelay-output:";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string Snapshot(TaskRow row) =>
        JsonSerializer.Serialize(RunwayTaskMapping.ToRunway(row, (r, index) => $"{Marker}{index}{TaskRow.Extension(r.OutputKeys[index])}"), Json);

    public string ForAttempt(string snapshot, Func<string, string> outputUrl) => ForAttempt(snapshot, (extension, _) => outputUrl(extension));

    public string ForAttempt(string snapshot, Func<string, int, string> outputUrl)
    {
        if (JsonNode.Parse(snapshot) is not JsonObject task || task["output"] is not JsonArray outputs) return snapshot;
        for (var i = 0; i < outputs.Count; i++)
        {
            if (outputs[i]?.GetValue<string>() is not { } text || !text.StartsWith(Marker, StringComparison.Ordinal)) continue;
            var rest = text[Marker.Length..];
            var dot = rest.IndexOf('.');
            var index = int.Parse(dot < 0 ? rest : rest[..dot], System.Globalization.CultureInfo.InvariantCulture);
            outputs[i] = outputUrl(dot < 0 ? ".mp4" : rest[dot..], index);
        }
        return task.ToJsonString();
    }
}
