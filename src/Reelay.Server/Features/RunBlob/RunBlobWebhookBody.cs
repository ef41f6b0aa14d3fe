using System.Text.Json.Nodes;
using Reelay.Server.Features.Tasks;
using Reelay.Server.Features.Webhooks;

namespace Reelay.Server.Features.RunBlob;

/// <summary>The callback_url body, in the words of GET /v1/sora/generations/{id} (RunBlobMapping).</summary>
public sealed class RunBlobWebhookBody : IWebhookBody
{
    public string Snapshot(TaskRow row)
    {
        var generation = RunBlobMapping.ToGeneration(row, videoUrl: null, positionInQueue: null);
        var payload = new JsonObject
        {
            ["generation_id"] = generation.GenerationId,
            ["status"] = generation.Status,
            ["prompt"] = generation.Prompt,
            ["video_url"] = null,
            ["created_at"] = generation.CreatedAt,
            ["completed_at"] = generation.CompletedAt,
        };
        if (generation.Status == "failed") payload["error_message"] = generation.ErrorMessage;
        // Kept with the snapshot so each attempt signs a URL of the right file type.
        if (generation.Status == "completed") payload["video_url"] = row.OutputExtension;
        return payload.ToJsonString();
    }

    /// <summary>The snapshot with a fresh video_url when the generation completed.</summary>
    public string ForAttempt(string snapshot, Func<string, string> outputUrl)
    {
        if (JsonNode.Parse(snapshot) is not JsonObject payload) return snapshot;
        if (payload["status"]?.GetValue<string>() == "completed")
            payload["video_url"] = outputUrl(payload["video_url"]?.GetValue<string>() is { } e && e.StartsWith('.') ? e : ".mp4");
        return payload.ToJsonString();
    }
}
