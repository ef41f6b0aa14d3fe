using System.Net;
using System.Text;
using Reelay.Server.Features.Assets;

namespace Reelay.Server.Features.Webhooks;

/// <summary>One signed webhook message: the Standard Webhooks headers and the exact body they sign.</summary>
public sealed record SignedMessage(string Id, long Timestamp, string Body, string Signature);

/// <summary>
/// Makes one delivery attempt: the URL checks of assets.md, then a POST through <see cref="SafeConnector"/>, which refuses
/// non-public addresses at connect time and follows no redirects.
/// </summary>
public sealed class WebhookSender(AssetOptions assetOptions, WebhookOptions options)
{
    public const int SnippetChars = 512;

    public async Task<AttemptOutcome> SendAsync(string url, SignedMessage message, CancellationToken stoppingToken, TimeSpan? attemptTimeout = null)
    {
        var deadline = attemptTimeout ?? options.AttemptTimeout;
        // Checked again at every delivery, not only when the URL was registered: the rules may have tightened since.
        // The text of a URL never changes, so a URL that fails here fails for good.
        var (uri, reason) = AddressSafety.CheckUrl(url);
        if (uri is null) return new AttemptOutcome(false, null, reason, null, Final: true);

        using var request = new HttpRequestMessage(HttpMethod.Post, uri)
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrHigher,
            Content = new StringContent(message.Body, Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("webhook-id", message.Id);
        request.Headers.TryAddWithoutValidation("webhook-timestamp", message.Timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("webhook-signature", message.Signature);
        request.Headers.UserAgent.ParseAdd(options.UserAgent);

        // A client per attempt: a pooled connection would skip the name resolution, and with it the address check
        // that must run at every delivery (DNS may point the host somewhere else since the last one).
        var connected = 0;
        using var client = SafeConnector.CreateClient(assetOptions, _ => Interlocked.Exchange(ref connected, 1));
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        attempt.CancelAfter(deadline);
        // SafeConnector owns the handler, so the connect deadline is enforced from outside: its onConnect says when we got through.
        var connectTimedOut = false;
        using var connectDeadline = new CancellationTokenSource(options.ConnectTimeout);
        using var connectWatch = connectDeadline.Token.Register(() =>
        {
            if (Volatile.Read(ref connected) != 0) return;
            connectTimedOut = true;
            attempt.Cancel();
        });

        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attempt.Token);
            var status = (int)response.StatusCode;
            var snippet = await ReadSnippetAsync(response, attempt.Token);
            if (status is >= 200 and < 300) return new AttemptOutcome(true, status, null, snippet);
            var error = status is >= 300 and < 400
                ? $"The receiver answered {status}{(response.Headers.Location is { } location ? $" (Location: {location})" : "")}; redirects are not followed."
                : $"The receiver answered {status}.";
            return new AttemptOutcome(false, status, error, snippet);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            return new AttemptOutcome(false, null, connectTimedOut
                ? $"Could not connect within {options.ConnectTimeout.TotalSeconds:0.#} s."
                : $"No response within {deadline.TotalSeconds:0.#} s.", null);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            // Retried like any other failure: a DNS answer can change (a misconfigured record gets fixed), and no
            // connection was made, so retrying costs nothing and reaches nothing.
            if (FindRefusal(ex) is not null) return new AttemptOutcome(false, null, AssetRules.NotPublic, null);
            return new AttemptOutcome(false, null, Describe(ex), null);
        }
    }

    /// <summary>The start of the response body, for the delivery log; a body that fails to arrive does not undo the status.</summary>
    private static async Task<string?> ReadSnippetAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            var buffer = new byte[SnippetChars * 4]; // enough bytes for 512 characters of any UTF-8
            var filled = 0;
            while (filled < buffer.Length)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken);
                if (read == 0) break;
                filled += read;
            }
            var text = Encoding.UTF8.GetString(buffer, 0, filled);
            return text.Length > SnippetChars ? text[..SnippetChars] : text;
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException or OperationCanceledException)
        {
            return null;
        }
    }

    private static AddressRefusedException? FindRefusal(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
            if (ex is AddressRefusedException refused) return refused;
        return null;
    }

    /// <summary>The outer message says what failed ("The SSL connection could not be established"), the inner ones why.</summary>
    private static string Describe(Exception ex)
    {
        var parts = new List<string>();
        for (var e = ex; e is not null; e = e.InnerException)
            if (!parts.Contains(e.Message)) parts.Add(e.Message);
        var text = string.Join(" → ", parts);
        return text.Length > SnippetChars ? text[..SnippetChars] : text;
    }
}
