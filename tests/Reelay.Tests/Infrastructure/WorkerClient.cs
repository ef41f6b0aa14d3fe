using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Reelay.Tests.Infrastructure;

/// <summary>The worker protocol spoken by hand, to test each answer (the CLI worker is tested as a process).</summary>
public sealed class WorkerClient(ServerProcess server, string token = WorkerProcess.Token)
{
    public sealed record Reply(int Status, JsonElement Body)
    {
        public string? Code => Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty("code", out var c) ? c.GetString() : null;
    }

    public Task<Reply> LeaseAsync(object body) => SendAsync(HttpMethod.Post, "/worker/v1/lease", body);

    public Task<Reply> LeaseAsync(string model, double waitSeconds = 0, string workerId = "test-worker") =>
        LeaseAsync(new { workerId, models = new[] { model }, waitSeconds });

    /// <summary>Leases until the task with this id comes; a leftover of an earlier test that comes first is failed out of the way.</summary>
    public async Task<JsonElement> LeaseTaskAsync(string model, string taskId, string workerId = "test-worker")
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            var reply = await LeaseAsync(model, 5, workerId);
            if (reply.Status == 200 && reply.Body.GetProperty("id").GetString() == taskId) return reply.Body;
            if (reply.Status == 200) await FailAsync(reply.Body.GetProperty("id").GetString()!, reply.Body.GetProperty("leaseToken").GetString()!, "INTERNAL");
            else Assert.Equal(204, reply.Status);
        }
        throw new TimeoutException($"task {taskId} was never leased");
    }

    public Task<Reply> HeartbeatAsync(string id, string leaseToken, double progress = 0.5) =>
        SendAsync(HttpMethod.Post, $"/worker/v1/tasks/{id}/heartbeat", new { leaseToken, progress });

    public Task<Reply> CompleteAsync(string id, string leaseToken) => SendAsync(HttpMethod.Post, $"/worker/v1/tasks/{id}/complete", new { leaseToken });

    public Task<Reply> FailAsync(string id, string leaseToken, string failureCode, string? failure = null) =>
        SendAsync(HttpMethod.Post, $"/worker/v1/tasks/{id}/fail", new { leaseToken, failureCode, failure });

    public Task<Reply> ReleaseAsync(string id, string leaseToken) => SendAsync(HttpMethod.Post, $"/worker/v1/tasks/{id}/release", new { leaseToken });

    public Task<Reply> UploadAsync(string id, string leaseToken, byte[] bytes) =>
        SendAsync(HttpMethod.Put, $"/worker/v1/tasks/{id}/output", null, r =>
        {
            r.Content = new ByteArrayContent(bytes);
            r.Content.Headers.ContentType = new MediaTypeHeaderValue("video/mp4");
            r.Headers.Add("Reelay-Lease-Token", leaseToken);
        });

    public async Task<Reply> SendAsync(HttpMethod method, string path, object? body, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(server.BaseUrl, path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null) request.Content = JsonContent.Create(body);
        configure?.Invoke(request);
        using var response = await ReelayApi.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new Reply((int)response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }
}
