// Bare Kestrel: GET /body/{size} answers a JSON object of exactly that many bytes ({"pad":"xxx…"}), built once per
// size. No middleware, no authentication, no database: what the server's hot reads are set against.
using System.Collections.Concurrent;
using System.Text;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var app = builder.Build();
var bodies = new ConcurrentDictionary<int, byte[]>();
app.MapGet("/body/{size:int}", (int size) =>
    Results.Bytes(bodies.GetOrAdd(Math.Clamp(size, 12, 1 << 20), n => Encoding.ASCII.GetBytes("{\"pad\":\"" + new string('x', n - 10) + "\"}")), "application/json"));
app.Lifetime.ApplicationStarted.Register(() => Console.WriteLine("Bare listening on " + app.Urls.First()));
app.Run();
