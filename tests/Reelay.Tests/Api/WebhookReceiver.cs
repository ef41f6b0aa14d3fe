using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Reelay.Tests.Infrastructure;

namespace Reelay.Tests.Api;

/// <summary>A webhook endpoint on the HTTPS test server: records every request and answers from a script (then 200).</summary>
public sealed class WebhookReceiver
{
    public sealed record Request(string Id, string Timestamp, string Signature, string Body, DateTimeOffset At);

    private readonly ConcurrentQueue<int> _script;
    private readonly List<Request> _requests = [];

    private WebhookReceiver(IEnumerable<int> statuses, string url) => (_script, Url) = (new ConcurrentQueue<int>(statuses), url);

    public string Url { get; }

    public IReadOnlyList<Request> Requests { get { lock (_requests) return [.. _requests]; } }

    public static WebhookReceiver Map(AssetServer server, string host, params int[] statuses) => Map(server, host, TimeSpan.Zero, statuses);

    public static WebhookReceiver Map(AssetServer server, string host, TimeSpan answerAfter, params int[] statuses)
    {
        var path = $"/hooks/{Guid.NewGuid():N}";
        var receiver = new WebhookReceiver(statuses, server.Url(host, path));
        server.Map(path, async context =>
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var headers = context.Request.Headers;
            lock (receiver._requests)
                receiver._requests.Add(new Request(headers["webhook-id"].ToString(), headers["webhook-timestamp"].ToString(), headers["webhook-signature"].ToString(), body, DateTimeOffset.UtcNow));
            await Task.Delay(answerAfter);
            context.Response.StatusCode = receiver._script.TryDequeue(out var status) ? status : StatusCodes.Status200OK;
            await context.Response.WriteAsync(context.Response.StatusCode < 300 ? "ok" : "nope");
        });
        return receiver;
    }

    public async Task<IReadOnlyList<Request>> WaitForAsync(int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (Requests.Count < count)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{Url} got {Requests.Count} of {count} requests.");
            await Task.Delay(100);
        }
        return Requests;
    }
}

/// <summary>A receiver-side verifier written from the Standard Webhooks spec, independent of the server's code.</summary>
public static class StandardWebhooks
{
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    public static string NewSecret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static bool Verify(string secret, WebhookReceiver.Request request)
    {
        if (!long.TryParse(request.Timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp)) return false;
        if ((DateTimeOffset.UtcNow - DateTimeOffset.FromUnixTimeSeconds(timestamp)).Duration() > Tolerance) return false;
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var expected = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{request.Id}.{request.Timestamp}.{request.Body}"));
        foreach (var entry in request.Signature.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = entry.Split(',', 2);
            if (parts.Length != 2 || parts[0] != "v1") continue;
            var given = new byte[32];
            if (Convert.TryFromBase64String(parts[1], given, out var written) && written == 32 && CryptographicOperations.FixedTimeEquals(given, expected))
                return true;
        }
        return false;
    }
}
