using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Reliability;

/// <summary>
/// Mixed load for the crash rounds, against whichever nodes are up: Runway creates and RunBlob creates with callbacks
/// (each with an Idempotency-Key, retried with the same key until a node answers), uploads, polling and cancels.
/// It records what the clients were told, which is what the server must make good after any number of crashes.
/// </summary>
public sealed class CrashLoad(Func<Uri?> node, string key, string callbackUrl, int seed, int maxTasks)
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(2) }) { Timeout = TimeSpan.FromSeconds(20) };

    public ConcurrentDictionary<string, string> Tasks { get; } = new(); // task id → surface
    public ConcurrentDictionary<string, string> IdempotencyKeys { get; } = new(); // key → task id
    public ConcurrentBag<string> ConfirmedUploads { get; } = [];
    /// <summary>Keys still "being processed" 10 s on: claimed by a create that died with its node before it committed.</summary>
    public ConcurrentBag<string> OrphanedKeys { get; } = [];
    public ConcurrentBag<string> Problems { get; } = [];
    public int Requests;
    public int Refused; // connection refused or reset: a node was down
    public int Unavailable; // 503s (restarting, overloaded)

    public async Task RunClientAsync(int client, CancellationToken stop)
    {
        var random = new Random(seed * 100 + client);
        while (!stop.IsCancellationRequested)
        {
            // Past maxTasks no more creates: renders on a shared machine must finish within the test.
            var pick = Tasks.Count >= maxTasks ? random.Next(55, 100) : random.Next(100);
            if (pick < 30) await CreateRunwayAsync(random);
            else if (pick < 55) await CreateRunBlobAsync(random);
            else if (pick < 70) await UploadAsync();
            else if (pick < 90) await PollAsync(random);
            else await CancelAsync(random);
            try { await Task.Delay(random.Next(50, 250), stop); } catch (OperationCanceledException) { }
        }
    }

    private async Task CreateRunwayAsync(Random random)
    {
        var body = JsonSerializer.Serialize(new { model = "gen4.5", promptText = "a lighthouse at dusk", ratio = "1280:720", duration = 2 });
        var simulate = random.Next(3) == 0 ? "delay=1" : null;
        var created = await CreateAsync("/v1/text_to_video", body, simulate, "id");
        if (created is not null) Tasks[created] = "runway";
    }

    private async Task CreateRunBlobAsync(Random random)
    {
        var body = JsonSerializer.Serialize(new { prompt = "a red fox in snow", aspect_ratio = "1:1", callback_url = callbackUrl });
        var created = await CreateAsync("/v1/gemini/generate", body, random.Next(4) == 0 ? "fail=INTERNAL" : null, "task_uuid");
        if (created is not null) Tasks[created] = "runblob";
    }

    /// <summary>One logical create: the same Idempotency-Key until some node gives an answer (a crash may eat the first).</summary>
    private async Task<string?> CreateAsync(string path, string body, string? simulate, string idField)
    {
        var idempotencyKey = Guid.NewGuid().ToString("N");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        DateTime? inFlightSince = null;
        while (DateTime.UtcNow < deadline)
        {
            var (status, json) = await SendAsync(HttpMethod.Post, path, body, r =>
            {
                r.Headers.Add("Idempotency-Key", idempotencyKey);
                if (simulate is not null) r.Headers.Add("X-Reelay-Simulate", simulate);
            });
            if (status is 200 or 201)
            {
                var id = json.GetProperty(idField).GetString()!;
                if (IdempotencyKeys.TryGetValue(idempotencyKey, out var earlier) && earlier != id) Problems.Add($"key {idempotencyKey} gave {earlier} and then {id}");
                IdempotencyKeys[idempotencyKey] = id;
                return id;
            }
            if (status == 409)
            {
                // A node died holding the key: the answer says "retry after it completes", which is 2 minutes away. The
                // check at the end proves no task was made under it (the claim and the task commit together).
                inFlightSince ??= DateTime.UtcNow;
                if (DateTime.UtcNow - inFlightSince > TimeSpan.FromSeconds(10)) { OrphanedKeys.Add(idempotencyKey); return null; }
            }
            else if (status is not (0 or 503)) { Problems.Add($"POST {path} answered {status}: {json}"); return null; }
            await Task.Delay(200);
        }
        Problems.Add($"POST {path} with key {idempotencyKey} never got an answer");
        return null;
    }

    private async Task UploadAsync()
    {
        var (status, upload) = await SendAsync(HttpMethod.Post, "/v1/uploads", """{"filename":"photo.png","type":"ephemeral"}""");
        if (status is not (0 or 200 or 503)) Problems.Add($"POST /v1/uploads answered {status}: {upload}");
        if (status != 200) return;
        using var form = new MultipartFormDataContent();
        foreach (var field in upload.GetProperty("fields").EnumerateObject()) form.Add(new StringContent(field.Value.GetString()!), field.Name);
        var file = new ByteArrayContent(Media.Image(64, 64));
        file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        form.Add(file, "file", "photo.png");
        // The upload URL names the node that made it; after a crash another node (or the restarted one, on a new port) takes it.
        if (node() is not { } baseUrl) return;
        var path = new Uri(upload.GetProperty("uploadUrl").GetString()!).AbsolutePath;
        try
        {
            Interlocked.Increment(ref Requests);
            using var posted = await Http.PostAsync(new Uri(baseUrl, path), form);
            if ((int)posted.StatusCode == 204) ConfirmedUploads.Add(upload.GetProperty("fields").GetProperty("key").GetString()!);
            else if ((int)posted.StatusCode >= 500 && (int)posted.StatusCode != 503) Problems.Add($"upload form answered {(int)posted.StatusCode}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { Interlocked.Increment(ref Refused); }
    }

    private async Task PollAsync(Random random)
    {
        if (Tasks.IsEmpty) return;
        var (id, surface) = Tasks.ElementAt(random.Next(Tasks.Count));
        var (status, json) = await SendAsync(HttpMethod.Get, surface == "runway" ? $"/v1/tasks/{id}" : $"/v1/gemini/generations/{id}", null);
        if (status is not (0 or 200 or 404 or 503)) Problems.Add($"GET {id} answered {status}: {json}");
    }

    private async Task CancelAsync(Random random)
    {
        var runway = Tasks.Where(t => t.Value == "runway").Select(t => t.Key).ToList();
        if (runway.Count == 0) return;
        var (status, json) = await SendAsync(HttpMethod.Delete, $"/v1/tasks/{runway[random.Next(runway.Count)]}", null);
        if (status is not (0 or 204 or 404 or 503)) Problems.Add($"DELETE answered {status}: {json}");
    }

    /// <summary>Status 0: no node answered (down, or the connection died with it).</summary>
    private async Task<(int Status, JsonElement Body)> SendAsync(HttpMethod method, string path, string? body, Action<HttpRequestMessage>? configure = null)
    {
        if (node() is not { } baseUrl) { Interlocked.Increment(ref Refused); return (0, default); }
        using var request = new HttpRequestMessage(method, new Uri(baseUrl, path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        request.Headers.Add("X-Runway-Version", ReelayApi.RunwayVersion);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        configure?.Invoke(request);
        Interlocked.Increment(ref Requests);
        try
        {
            using var response = await Http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            var status = (int)response.StatusCode;
            if (status == 503) Interlocked.Increment(ref Unavailable);
            if (status >= 500 && status != 503) Problems.Add($"{method} {path} answered {status}: {text}");
            return (status, text.Length > 0 && text.TrimStart().StartsWith('{') ? JsonDocument.Parse(text).RootElement.Clone() : default);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            Interlocked.Increment(ref Refused);
            return (0, default);
        }
    }
}
