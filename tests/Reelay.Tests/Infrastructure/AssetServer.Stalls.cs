using Microsoft.AspNetCore.Http;

namespace Reelay.Tests.Infrastructure;

// Responses that stall: a body that drips in slowly and headers that come late. Both give up promptly when the
// client goes away or the server stops. A separate part because bench/assets links AssetServer.cs and
// AssetServer.Raw.cs but not this file: the bench has no use for these modes.
public sealed partial class AssetServer
{
    /// <summary>Sends headers (correct Content-Length) at once, then each <paramref name="chunkSize"/> bytes after <paramref name="delayPerChunk"/>.</summary>
    public void MapDrip(string path, byte[] body, string contentType, TimeSpan delayPerChunk, int chunkSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        var counter = ResetCounter(path);
        Map(path, async context =>
        {
            context.Response.ContentType = contentType;
            context.Response.ContentLength = body.Length;
            if (HttpMethods.IsHead(context.Request.Method))
            {
                return;
            }
            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
            try
            {
                // Headers now, so only the body is slow. StartAsync alone just buffers them in Kestrel.
                await context.Response.StartAsync(cancel.Token);
                await context.Response.Body.FlushAsync(cancel.Token);
                for (var offset = 0; offset < body.Length; offset += chunkSize)
                {
                    await Task.Delay(delayPerChunk, cancel.Token);
                    var count = Math.Min(chunkSize, body.Length - offset);
                    await context.Response.Body.WriteAsync(body.AsMemory(offset, count), cancel.Token);
                    Interlocked.Add(ref counter.Value, count);
                }
            }
            catch (OperationCanceledException)
            {
                context.Abort(); // client gave up or server stopping: drop the half-sent response
            }
        });
    }

    /// <summary>Waits <paramref name="delay"/> before sending any response headers, then answers 200 with an empty body.</summary>
    public void MapHangHeaders(string path, TimeSpan delay) => Map(path, async context =>
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        try
        {
            await Task.Delay(delay, cancel.Token);
        }
        catch (OperationCanceledException)
        {
            context.Abort();
            return;
        }
        context.Response.ContentLength = 0;
    });
}
