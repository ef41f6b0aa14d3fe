using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Reelay.Tests.Infrastructure;

/// <summary>Plain HTTP helpers over a running server: admin setup and Runway-surface calls.</summary>
public sealed class ReelayApi(ServerProcess server)
{
    public const string RunwayVersion = "2024-11-06";
    // A request that asks for 100-continue waits for the server's answer instead of sending its body after a second:
    // a loaded machine answers a refused body's 413 later than that, and the body then meets a closed connection.
    private static readonly HttpClient Http = new(new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromSeconds(30) })
    {
        Timeout = TimeSpan.FromSeconds(60),
    };

    public Uri BaseUrl => server.BaseUrl;

    public sealed record Tenant(string OrgId, string Key, string KeyId);

    /// <summary>A fresh organization with one key: each test sets up its own data.</summary>
    public async Task<Tenant> NewTenantAsync(long credits = 10_000, string name = "test")
    {
        var org = await AdminAsync(HttpMethod.Post, "/admin/v1/organizations", new { name, credits });
        var orgId = org.GetProperty("id").GetString()!;
        var key = await AdminAsync(HttpMethod.Post, $"/admin/v1/organizations/{orgId}/keys", new { name = "test key" });
        return new Tenant(orgId, key.GetProperty("key").GetString()!, key.GetProperty("id").GetString()!);
    }

    public async Task<JsonElement> AdminAsync(HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(BaseUrl, path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ServerProcess.AdminToken);
        if (body is not null) request.Content = JsonContent.Create(body);
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{method} {path} → {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public sealed record Reply(int Status, JsonElement Body, HttpResponseMessage Response)
    {
        public string? Error => Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty("error", out var e) ? e.GetString() : null;
    }

    public async Task<Reply> SendAsync(HttpMethod method, string path, string? key, object? body = null, Action<HttpRequestMessage>? configure = null, string? rawBody = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(BaseUrl, path));
        if (key is not null) request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + key);
        request.Headers.TryAddWithoutValidation("X-Runway-Version", RunwayVersion);
        if (rawBody is not null) request.Content = new StringContent(rawBody, Encoding.UTF8, "application/json");
        else if (body is not null) request.Content = JsonContent.Create(body);
        configure?.Invoke(request);
        var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var json = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        return new Reply((int)response.StatusCode, json, response);
    }

    public Task<Reply> PostAsync(string path, string key, object body, string? simulate = null) =>
        SendAsync(HttpMethod.Post, path, key, body, simulate is null ? null : r => r.Headers.Add("X-Reelay-Simulate", simulate));

    public async Task<string> CreateTextTaskAsync(string key, int duration = 2, string? simulate = null, string model = "gen4.5")
    {
        var reply = await PostAsync("/v1/text_to_video", key, new { model, promptText = "a lighthouse at dusk", ratio = "1280:720", duration }, simulate);
        Assert.True(reply.Status == 200, $"create failed: {reply.Status} {reply.Body}");
        return reply.Body.GetProperty("id").GetString()!;
    }

    public Task<Reply> GetTaskAsync(string key, string id) => SendAsync(HttpMethod.Get, $"/v1/tasks/{id}", key);

    public Task<Reply> DeleteTaskAsync(string key, string id) => SendAsync(HttpMethod.Delete, $"/v1/tasks/{id}", key);

    /// <summary>Polls until the task's status satisfies the predicate (bounded, so a broken server fails the test instead of hanging).</summary>
    public async Task<JsonElement> WaitForAsync(string key, string id, Func<string, bool> until, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(90));
        while (true)
        {
            var reply = await GetTaskAsync(key, id);
            Assert.Equal(200, reply.Status);
            var status = reply.Body.GetProperty("status").GetString()!;
            if (until(status)) return reply.Body;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Task {id} still {status}: {reply.Body}\n{server.Output}");
            await Task.Delay(200);
        }
    }

    public static bool IsTerminal(string status) => status is "SUCCEEDED" or "FAILED" or "CANCELLED";

    public static async Task<byte[]> DownloadAsync(string url, HttpStatusCodeExpectation expect = HttpStatusCodeExpectation.Success)
    {
        using var response = await Http.GetAsync(url);
        if (expect == HttpStatusCodeExpectation.Success) Assert.True(response.IsSuccessStatusCode, $"GET {url} → {(int)response.StatusCode}");
        return await response.Content.ReadAsByteArrayAsync();
    }

    public static HttpClient Client => Http;
}

public enum HttpStatusCodeExpectation { Success, Any }
