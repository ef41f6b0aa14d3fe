using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Reelay.Tests.Operations;

/// <summary>One received span: ids as hex, its name and its string/int attributes.</summary>
public sealed record ReceivedSpan(string TraceId, string SpanId, string ParentSpanId, string Name, IReadOnlyDictionary<string, string> Attributes);

/// <summary>
/// An OTLP/HTTP (protobuf) collector on 127.0.0.1: POST /v1/traces is decoded with a small reader of the protobuf wire
/// format, written from the OTLP .proto field numbers (no generated code), so the test checks what really went over the wire.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedSpan> _spans = new();

    private OtlpReceiver(WebApplication app) => _app = app;

    public string Endpoint { get; private set; } = "";
    public IReadOnlyList<ReceivedSpan> Spans => [.. _spans];

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.MapPost("/v1/traces", async (HttpContext http) =>
        {
            using var buffer = new MemoryStream();
            await http.Request.Body.CopyToAsync(buffer);
            foreach (var span in Decode(buffer.ToArray())) receiver._spans.Enqueue(span);
            http.Response.ContentType = "application/x-protobuf";
        });
        app.MapPost("/v1/metrics", () => Results.Ok());
        await app.StartAsync();
        receiver.Endpoint = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return receiver;
    }

    public async Task<IReadOnlyList<ReceivedSpan>> WaitForAsync(Func<IReadOnlyList<ReceivedSpan>, bool> until)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!until(Spans))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("spans so far: " + string.Join(", ", Spans.Select(s => s.Name)));
            await Task.Delay(100);
        }
        return Spans;
    }

    /// <summary>ExportTraceServiceRequest.resource_spans(1) → ResourceSpans.scope_spans(2) → ScopeSpans.spans(2) → Span.</summary>
    public static IEnumerable<ReceivedSpan> Decode(byte[] request) =>
        Fields(request).Where(f => f.Number == 1).SelectMany(r => Fields(r.Bytes!).Where(f => f.Number == 2))
            .SelectMany(s => Fields(s.Bytes!).Where(f => f.Number == 2)).Select(span => ToSpan(span.Bytes!));

    private static ReceivedSpan ToSpan(byte[] span)
    {
        var fields = Fields(span).ToList();
        string Hex(int number) => fields.FirstOrDefault(f => f.Number == number).Bytes is { } b ? Convert.ToHexString(b).ToLowerInvariant() : "";
        var attributes = new Dictionary<string, string>();
        foreach (var kv in fields.Where(f => f.Number == 9))
        {
            var parts = Fields(kv.Bytes!).ToList();
            var key = Encoding.UTF8.GetString(parts.First(p => p.Number == 1).Bytes!);
            var value = parts.FirstOrDefault(p => p.Number == 2).Bytes is { } any ? Fields(any).FirstOrDefault() : default;
            attributes[key] = value.Number switch
            {
                1 => Encoding.UTF8.GetString(value.Bytes!),
                3 => value.Varint.ToString(),
                _ => "",
            };
        }
        return new ReceivedSpan(Hex(1), Hex(2), Hex(4), Encoding.UTF8.GetString(fields.First(f => f.Number == 5).Bytes!), attributes);
    }

    private readonly record struct Field(int Number, byte[]? Bytes, ulong Varint);

    private static IEnumerable<Field> Fields(byte[] data)
    {
        var position = 0;
        while (position < data.Length)
        {
            var tag = ReadVarint(data, ref position);
            var (number, wire) = ((int)(tag >> 3), (int)(tag & 7));
            switch (wire)
            {
                case 0: yield return new Field(number, null, ReadVarint(data, ref position)); break;
                case 1: position += 8; yield return new Field(number, null, 0); break;
                case 5: position += 4; yield return new Field(number, null, 0); break;
                case 2:
                    var length = (int)ReadVarint(data, ref position);
                    yield return new Field(number, data[position..(position + length)], 0);
                    position += length;
                    break;
                default: throw new InvalidDataException($"wire type {wire}");
            }
        }
    }

    private static ulong ReadVarint(byte[] data, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = data[position++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80) return value;
        }
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
